"""The readable lines `gglift run` prints for records that no end-to-end test produces."""

from __future__ import annotations

from gglift.runtime import records
from gglift.runtime.report import line


def test_refused_publish_shows_the_table_to_add():
    record = records.NoRoute("stray", "nobody/listens", '[[subscription]]\nsource = "stray"\nsubject = "nobody/listens"\ntarget = "cloud"')
    assert line(record) == (
        "refused stray -> nobody/listens: no subscription routes it; add to gglift.toml:\n"
        '    [[subscription]]\n    source = "stray"\n    subject = "nobody/listens"\n    target = "cloud"'
    )


def test_binary_payloads_and_errors():
    invocation = records.Invocation("f", "t", b"\xff\x00", "local", "id", b'{"errorMessage": "boom", "errorType": "E"}',
                                    "Handled", "E", 1.25)
    assert line(invocation) == 'invoke  f [t] {"base64":"/wA="} -> Handled E: boom (1.2 ms)'
