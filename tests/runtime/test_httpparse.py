"""The standard-library request parser the device host falls back on gives the transport the
same callbacks as httptools, on the requests workers send."""

from __future__ import annotations

import httptools
import pytest

from gglift.runtime import httpparse

REQUESTS = [
    b"GET /2016-11-01/functions/arn:aws:lambda:us-east-1:1:function:f/work HTTP/1.1\r\nHost: localhost\r\n"
    b"Authorization: tok\r\n\r\n",
    b"POST /2016-11-01/functions/f?x=1 HTTP/1.1\r\nContent-Length: 5\r\nX-Amz-Client-Context: e30=\r\n\r\nhello",
    b"POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n",
    b"POST /p HTTP/1.0\r\nContent-Length: 0\r\n\r\n",
    b"POST /p HTTP/1.1\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
]


class Recorder:
    def __init__(self, module):
        self.events = []
        self.url = b""
        self.parser = module.HttpRequestParser(self)
        self.module = module

    def on_message_begin(self):
        self.events.append("begin")
        self.url = b""

    def on_url(self, url):  # httptools may hand the URL over in pieces, as the transport expects
        self.url += url

    def on_header(self, name, value):
        self.events.append(("header", name.lower(), value))

    def on_headers_complete(self):
        self.events.append(("headers", self.url))

    def on_body(self, body):
        self.events.append(("body", body))

    def on_message_complete(self):
        self.events.append(("done", self.parser.get_method(), self.parser.should_keep_alive(),
                            self.module.parse_url(self.url).path))


def _merged(events):
    """Body pieces joined: the two parsers may split a body differently."""
    out = []
    for event in events:
        if isinstance(event, tuple) and event[0] == "body" and out and out[-1][0] == "body":
            out[-1] = ("body", out[-1][1] + event[1])
        else:
            out.append(event)
    return out


@pytest.mark.parametrize("request_bytes", REQUESTS)
@pytest.mark.parametrize("piece", [1, 7, 4096])
def test_same_callbacks_as_httptools(request_bytes, piece):
    seen = []
    for module in (httptools, httpparse):
        recorder = Recorder(module)
        for i in range(0, len(request_bytes), piece):
            recorder.parser.feed_data(request_bytes[i:i + piece])
        seen.append(_merged(recorder.events))
    assert seen[1] == seen[0]


@pytest.mark.parametrize("bad", [b"NONSENSE\r\n\r\n", b"GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
                                 b"POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n"])
def test_bad_requests_raise(bad):
    with pytest.raises(httpparse.HttpParserError):
        Recorder(httpparse).parser.feed_data(bad)
