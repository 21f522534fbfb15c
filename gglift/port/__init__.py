"""``gglift port``: rewrite boto3 cloud calls to the Greengrass Core SDK.

The library entry points are pure over one file; the command line adds discovery, writing
and reports on top:

>>> from pathlib import Path
>>> from gglift.port import analyze_source
>>> result = analyze_source(b"import boto3\\nsm = boto3.client('secretsmanager')\\n"
...                         b"sm.get_secret_value(SecretId='db')\\n", Path("app.py"))
>>> [s.value for s in result.secrets]
['db']

The entry points are loaded on first use: they pull in libcst, which the model, reports
and cache of this package do not need (``--explain``, or a run that the cache answers).
"""

from __future__ import annotations

from typing import Any

from gglift.port.model import FileResult, Finding, Resource

__all__ = ["analyze_source", "analyze_path", "FileResult", "Finding", "Resource"]


def __getattr__(name: str) -> Any:
    if name in ("analyze_source", "analyze_path"):
        from gglift.port import engine

        return getattr(engine, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
