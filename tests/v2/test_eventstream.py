"""Eventstream framing: what goes on the wire, byte for byte, and what is refused."""

from __future__ import annotations

import uuid

import pytest

from gglift.ipc import eventstream as es


def test_connect_message_bytes_match_the_format():
    data = es.encode(es.Message({":message-type": es.CONNECT, ":version": "0.1.0"}, b'{"authToken":"x"}'))
    # prelude: total 69 = 16 + headers 36 ((1+13+1+4) + (1+8+1+2+5)) + payload 17
    assert data[:8] == bytes.fromhex("0000004500000024")
    assert data[12:14] == b"\x0d:"  # name length 13, ":message-type"
    assert data[-21:-4] == b'{"authToken":"x"}'


def test_round_trip_of_every_header_type_split_at_every_byte():
    message = es.Message({"t": True, "f": False, "i": -7, "b": b"\x00\xff", "s": "caf\u00e9",
                          "u": uuid.UUID(int=5)}, b"payload")
    data = es.encode(message) * 2
    decoder = es.Decoder()
    got = []
    for i in range(len(data)):
        got += decoder.feed(data[i:i + 1])
    assert got == [message, message]


def test_corrupted_crc_is_refused():
    data = bytearray(es.encode(es.Message({"a": "b"}, b"x")))
    data[-5] ^= 1
    with pytest.raises(es.FramingError, match="message CRC mismatch"):
        es.Decoder().feed(bytes(data))
    data = bytearray(es.encode(es.Message({}, b"")))
    data[3] ^= 1
    with pytest.raises(es.FramingError, match="prelude CRC mismatch"):
        es.Decoder().feed(bytes(data))
