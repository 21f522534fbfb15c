"""gglift's Greengrass Core SDK for C runtime, as shipped inside the gglift package.

The shared library ``libaws-greengrass-core-sdk-c.so`` (SONAME and symbol versions as AWS's
SDK) and its header ``greengrasssdk.h`` are built when gglift is installed (``pip install``,
``pip install -e .``, or a wheel), laid out as an installed prefix (``lib/``, ``include/`` and
``lib/cmake/aws-greengrass-core-sdk-c/``, the CMake package config). C Lambda executables link
against them and the local core puts :func:`library_dir` first on their ``LD_LIBRARY_PATH``.

>>> from gglift.native import library_path
>>> library_path().name
'libaws-greengrass-core-sdk-c.so'
"""

from __future__ import annotations

from pathlib import Path

LIB_NAME = "libaws-greengrass-core-sdk-c.so"
HEADER_NAME = "greengrasssdk.h"
_HERE = Path(__file__).resolve().parent


class RuntimeNotBuilt(FileNotFoundError):
    """The C runtime is missing from this installation (built from a source tree without it)."""


def library_dir() -> Path:
    """The folder holding ``libaws-greengrass-core-sdk-c.so`` (for ``LD_LIBRARY_PATH``, ``-L``)."""
    return library_path().parent


def library_path() -> Path:
    """The path of the shared library C Lambda executables load.

    Raises :class:`RuntimeNotBuilt` when the installation has none.
    """
    path = _HERE / "lib" / LIB_NAME
    if not path.is_file():
        raise RuntimeNotBuilt(f"{path} is missing: reinstall gglift (pip install -e . or pip install gglift) to build it")
    return path


def include_dir() -> Path:
    """The folder holding ``greengrasssdk.h`` (for ``-I``)."""
    path = _HERE / "include"
    if not (path / HEADER_NAME).is_file():
        raise RuntimeNotBuilt(f"{path / HEADER_NAME} is missing: reinstall gglift to install it")
    return path
