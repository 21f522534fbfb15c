"""Builds the host artifact: a zipapp of the part of gglift the device runs, byte-identical
across rebuilds (sorted entries, fixed timestamps and modes)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

GGLIFT = Path(__file__).resolve().parent.parent  # the installed gglift package
NAME = "gglift-host.pyz"
# What the host imports, and nothing that needs more than the standard library.
MODULES = ("__init__.py", "routes.py", "environment.py", "config/__init__.py", "config/errors.py", "config/loader.py",
           "config/model.py", "native/__init__.py")
PACKAGES = ("host", "ipc", "runtime", "runner")
SHEBANG = b"#!/usr/bin/env python3\n"
# The host talks over a Unix socket and 127.0.0.1 only: keeping OpenSSL out of the process
# (asyncio imports ssl, hmac imports _hashlib) saves about 5 MB of resident memory. uvloop
# needs ssl, so where it is installed the host takes its speed over those 5 MB.
MAIN = b"""import importlib.util, sys
if importlib.util.find_spec("uvloop") is None:
    sys.modules.setdefault("ssl", None)
sys.modules.setdefault("_hashlib", None)
from gglift.host.main import main
sys.exit(main())
"""
_EPOCH = (1980, 1, 1, 0, 0, 0)


def files() -> dict[str, bytes]:
    """Archive name -> content of every file the zipapp holds."""
    names = [f"gglift/{m}" for m in MODULES]
    for package in PACKAGES:
        names += [f"gglift/{p.relative_to(GGLIFT).as_posix()}" for p in (GGLIFT / package).rglob("*.py")]
    content = {name: (GGLIFT.parent / name).read_bytes() for name in names}
    content["__main__.py"] = MAIN
    return content


def build() -> bytes:
    """The zipapp's bytes."""
    out = io.BytesIO()
    out.write(SHEBANG)
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in sorted(files().items()):
            info = zipfile.ZipInfo(name, _EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, compresslevel=9)
    return out.getvalue()
