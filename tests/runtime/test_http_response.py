"""The worker's HTTP response reader, fed bytes directly: framing, splits, and malformed input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gglift.runner.http_response import MAX_HEADERS, ConnectionClosed, ProtocolError, ResponseReader


def reader(*pieces: bytes) -> ResponseReader:
    """A reader whose recv returns ``pieces`` one by one, then b"" (the server closed)."""
    queue = list(pieces)
    return ResponseReader(lambda size: queue.pop(0) if queue else b"")


def one_byte_at_a_time(data: bytes) -> ResponseReader:
    return reader(*(data[i:i + 1] for i in range(len(data))))


# A work item as aiohttp's server sends it, with Date and Server headers (captured).
WORK_ITEM = (b"HTTP/1.1 200 OK\r\nX-Amz-InvocationId: abc\r\nX-Amz-Client-Context: e30=\r\n"
             b"Content-Length: 7\r\nContent-Type: application/octet-stream\r\n"
             b"Date: Sun, 22 Nov 2026 11:24:37 GMT\r\nServer: Python/3.11 aiohttp/3.14.5\r\n\r\n{\"k\":1}")
CHUNKED = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
           b"5\r\nhello\r\n7;name=value\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n")


def test_well_formed_response():
    response = reader(WORK_ITEM).read_response()
    assert (response.status, response.reason, response.body, response.keep_alive) == (200, "OK", b'{"k":1}', True)
    assert response.headers == {
        "x-amz-invocationid": "abc",
        "x-amz-client-context": "e30=",
        "content-length": "7",
        "content-type": "application/octet-stream",
        "date": "Sun, 22 Nov 2026 11:24:37 GMT",
        "server": "Python/3.11 aiohttp/3.14.5",
    }


@pytest.mark.parametrize("data", [WORK_ITEM, CHUNKED], ids=["content-length", "chunked"])
def test_a_response_split_across_reads_reads_the_same(data):
    whole = reader(data).read_response()
    split = one_byte_at_a_time(data).read_response()
    assert (split.status, split.headers, split.body) == (whole.status, whole.headers, whole.body)


def test_responses_arriving_together_are_read_one_after_another():
    second = b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"
    r = reader(WORK_ITEM + second)
    assert r.read_response().body == b'{"k":1}'
    assert r.buffered == len(second)
    assert r.read_response().status == 202
    assert r.buffered == 0
    with pytest.raises(ConnectionClosed):
        r.read_response()


def test_chunked_body_is_joined_and_trailers_dropped():
    response = reader(CHUNKED).read_response()
    assert response.body == b"hello, world"
    assert response.headers == {"transfer-encoding": "chunked"}
    assert response.keep_alive is True


def test_header_names_are_case_insensitive_and_repeats_are_joined():
    data = b"HTTP/1.1 200 OK\r\ncontent-LENGTH: 2\r\nX-AMZ-Function-Error: Handled\r\nVia: a\r\nvia: b\r\n\r\nhi"
    response = reader(data).read_response()
    assert response.headers == {"content-length": "2", "x-amz-function-error": "Handled", "via": "a, b"}
    assert response.body == b"hi"


def test_bare_lf_line_endings_and_a_missing_reason_are_accepted():
    response = reader(b"HTTP/1.1 404\nContent-Length: 3\n\nnot").read_response()
    assert (response.status, response.reason, response.body) == (404, "", b"not")


def test_interim_1xx_answers_are_skipped():
    data = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"
    assert reader(data).read_response().status == 202


@pytest.mark.parametrize("status", [204, 304])
def test_bodyless_statuses_read_no_body(status):
    r = reader(b"HTTP/1.1 %d X\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" % status)
    assert r.read_response().body == b""
    assert r.read_response().status == 200


@pytest.mark.parametrize("head, keep_alive", [
    (b"HTTP/1.1 200 OK\r\nConnection: close\r\n", False),
    (b"HTTP/1.1 200 OK\r\nConnection: Upgrade, CLOSE\r\n", False),
    (b"HTTP/1.0 200 OK\r\n", False),
    (b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n", True),
])
def test_keep_alive_follows_version_and_connection_header(head, keep_alive):
    assert reader(head + b"Content-Length: 0\r\n\r\n").read_response().keep_alive is keep_alive


def test_missing_content_length_reads_until_the_server_closes():
    response = reader(b"HTTP/1.1 200 OK\r\n\r\nall ", b"of it").read_response()
    assert (response.body, response.keep_alive) == (b"all of it", False)


def test_repeated_equal_content_lengths_are_accepted():
    assert reader(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok").read_response().body == b"ok"


@pytest.mark.parametrize("value", [b"abc", b"-1", b"+2", b"1_0", b"0x2", b"", b"2, 3", b"\xb2", b"9" * 19])
def test_invalid_content_length_is_refused(value):
    with pytest.raises(ProtocolError, match="invalid Content-Length"):
        reader(b"HTTP/1.1 200 OK\r\nContent-Length: " + value + b"\r\n\r\nok").read_response()


@pytest.mark.parametrize("line", [
    b"HTTP/1.1 20 OK", b"HTTP/1.1 2000 OK", b"HTTP/1.1 abc OK", b"HTTP/1.1 099 Low", b"HTTP/2 200 OK",
    b"HTTP/1.1", b"ICY 200 OK", b"http/1.1 200 OK", b"HTTP/1.1  200 OK", b"", b"\x00\xff garbage",
])
def test_malformed_status_line_is_refused(line):
    with pytest.raises(ProtocolError, match="malformed status line"):
        reader(line + b"\r\nContent-Length: 0\r\n\r\n").read_response()


@pytest.mark.parametrize("line", [b"No colon here", b"Content-Length : 2", b" folded: value", b": empty name",
                                  b"Bad\x01Name: x"])
def test_malformed_header_line_is_refused(line):
    with pytest.raises(ProtocolError, match="malformed header line"):
        reader(b"HTTP/1.1 200 OK\r\n" + line + b"\r\n\r\n").read_response()


def test_too_many_headers_or_too_long_a_head_is_refused():
    many = b"".join(b"X-%d: v\r\n" % i for i in range(MAX_HEADERS + 1))
    with pytest.raises(ProtocolError, match="more than 100 headers"):
        reader(b"HTTP/1.1 200 OK\r\n" + many + b"\r\n").read_response()
    with pytest.raises(ProtocolError, match="longer than"):
        reader(b"HTTP/1.1 200 OK\r\nX-Long: " + b"v" * 70000 + b"\r\n\r\n").read_response()
    with pytest.raises(ProtocolError, match="longer than"):  # no line end at all: stops reading
        reader(b"HTTP/1.1 200 OK\r\nX: ", *[b"v" * 4096] * 100).read_response()


@pytest.mark.parametrize("body, message", [
    (b"0x5\r\nhello\r\n0\r\n\r\n", "malformed chunk size"),
    (b"g\r\n", "malformed chunk size"),
    (b"\r\n", "malformed chunk size"),
    (b"5\r\nhelloXX\r\n0\r\n\r\n", "not followed by CRLF"),
    (b"5\r\nhel", "closed after 3 of 5 chunk bytes"),
    (b"5\r\nhello\r\n", "closed in the middle of a chunk size"),
    (b"0\r\nX-Trailer: t\r\n", "closed in the middle of a trailer"),
])
def test_malformed_or_cut_chunked_body_is_refused(body, message):
    with pytest.raises(ProtocolError, match=message):
        reader(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body).read_response()


def test_unsupported_transfer_coding_is_refused():
    with pytest.raises(ProtocolError, match="unsupported Transfer-Encoding 'gzip, chunked'"):
        reader(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n").read_response()


def test_switching_protocols_is_refused():
    with pytest.raises(ProtocolError, match="101"):
        reader(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n").read_response()


def test_connection_closed_mid_body_is_an_error():
    with pytest.raises(ProtocolError, match="closed after 3 of 10 body bytes") as caught:
        reader(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc").read_response()
    assert not isinstance(caught.value, ConnectionClosed)


@pytest.mark.parametrize("data, where", [
    (b"HTTP/1.1 200", "status line"),
    (b"HTTP/1.1 200 OK\r\nContent-Le", "header"),
])
def test_connection_closed_mid_head_is_an_error(data, where):
    with pytest.raises(ProtocolError, match="closed in the middle of a " + where) as caught:
        reader(data).read_response()
    assert not isinstance(caught.value, ConnectionClosed)


def test_connection_closed_before_any_byte_is_connection_closed():
    r = reader()
    with pytest.raises(ConnectionClosed):
        r.read_response()
    assert r.started is False


def test_started_tells_whether_any_byte_of_the_response_arrived():
    r = reader(b"HTTP/1.1 2")
    with pytest.raises(ProtocolError):
        r.read_response()
    assert r.started is True


def read_until_error(r: ResponseReader) -> None:
    """Read responses until the reader raises; each one read must be complete and well-typed."""
    try:
        while True:
            response = r.read_response()
            assert 200 <= response.status <= 999 and isinstance(response.body, bytes)
            assert all(name == name.lower() for name in response.headers)
    except ProtocolError:
        pass  # the only exception the reader may raise: anything else fails the test


@settings(max_examples=400, deadline=None)
@given(data=st.binary(max_size=300), cuts=st.lists(st.integers(0, 300), max_size=6))
def test_arbitrary_bytes_raise_only_protocol_error(data, cuts):
    bounds = sorted({0, len(data), *(c for c in cuts if c < len(data))})
    read_until_error(reader(*(data[a:b] for a, b in zip(bounds, bounds[1:]))))


@settings(max_examples=400, deadline=None)
@given(head=st.sampled_from([b"HTTP/1.1 200 OK\r\n", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                             b"HTTP/1.1 200 OK\r\nContent-Length: "]),
       tail=st.binary(max_size=200))
def test_arbitrary_bytes_after_a_valid_start_raise_only_protocol_error(head, tail):
    # Past the status line, so the header, length and chunk parsers see the random bytes.
    read_until_error(reader(head + tail))
