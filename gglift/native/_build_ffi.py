"""Build recipes for the C runtime, run by setup.py: the cffi module and the shared library.

``ffibuilder`` is the out-of-line API-mode module ``gglift._native``: the runtime's sources
compiled into a Python extension, with an ``extern "Python"`` handler so Python code (the
tests) can drive the C work loop. ``build_library`` compiles the same sources into
``libaws-greengrass-core-sdk-c.so`` with the SDK's SONAME and symbol versions, the file C
Lambda executables load. This file is loaded by path at build time: it imports nothing from
gglift.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

from cffi import FFI

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ROOT / "runtime_c"
# Every .c file under src/ is the runtime, as runtime_c/Makefile takes them: one list, the folder.
SOURCES = sorted(path.name for path in (RUNTIME / "src").glob("*.c"))
LIB_NAME = "libaws-greengrass-core-sdk-c.so"

HEADER = RUNTIME / "include" / "greengrasssdk.h"
# Where find_package(aws-greengrass-core-sdk-c) looks under a prefix; the config finds the
# library and header three folders up, in the wheel as after `make -C runtime_c install`.
CMAKE_CONFIG = RUNTIME / "cmake" / "aws-greengrass-core-sdk-cConfig.cmake"
CMAKE_CONFIG_DIR = Path("lib", "cmake", "aws-greengrass-core-sdk-c")


def header_cdef(header: str) -> str:
    """The public header's declarations as cffi's ``cdef`` reads them.

    cffi has no preprocessor, so the conditional blocks (the C++ guard, the printf-format
    attribute macro), the remaining directives and the attribute itself are dropped; the header
    stays the one place the API is declared.
    """
    text = re.sub(r"^#if(?:def)?\b.*?^#endif[^\n]*\n", "", header, flags=re.S | re.M)
    text = re.sub(r"^#.*\n", "", text, flags=re.M)
    return re.sub(r"\s*GG_PRINTF_FORMAT\([^)]*\)", "", text)


CDEF = header_cdef(HEADER.read_text()) + """
extern "Python" void gglift_python_handler(const gg_lambda_context *cxt);
"""

ffibuilder = FFI()
ffibuilder.cdef(CDEF)
ffibuilder.set_source(
    "gglift._native",
    '#include "greengrasssdk.h"\nstatic void gglift_python_handler(const gg_lambda_context *cxt);',
    sources=[str((RUNTIME / "src" / name).relative_to(ROOT)) for name in SOURCES],
    include_dirs=[str((RUNTIME / "include").relative_to(ROOT)), str((RUNTIME / "src").relative_to(ROOT))],
    define_macros=[("_POSIX_C_SOURCE", "200809L")],
    libraries=["pthread"],
)


def build_library(package_dir: Path) -> Path:
    """Compile the shared library into ``package_dir/lib``, copy the header to
    ``package_dir/include`` and the CMake package config beside the library, as an installed
    prefix has them; returns the library's path. ``CC`` picks the compiler."""
    lib_dir, include_dir, cmake_dir = package_dir / "lib", package_dir / "include", package_dir / CMAKE_CONFIG_DIR
    for folder in (lib_dir, include_dir, cmake_dir):
        folder.mkdir(parents=True, exist_ok=True)
    out = lib_dir / LIB_NAME
    tmp = lib_dir / (LIB_NAME + ".tmp")
    command = [
        *shlex.split(os.environ.get("CC", "cc")), "-std=c89", "-O2", "-g", "-fPIC", "-fvisibility=hidden",
        "-D_POSIX_C_SOURCE=200809L",
        "-DGREENGRASSSDK_CHECK_LOG_FORMAT", f"-I{RUNTIME / 'include'}", "-shared",
        f"-Wl,-soname,{LIB_NAME}", f"-Wl,--version-script={RUNTIME / 'exports.map'}", "-Wl,-z,defs",
        "-o", str(tmp), *[str(RUNTIME / "src" / name) for name in SOURCES], "-lpthread",
    ]
    subprocess.run(command, check=True)
    os.replace(tmp, out)  # a half-written library is never left where executables load it
    shutil.copyfile(HEADER, include_dir / "greengrasssdk.h")
    shutil.copyfile(CMAKE_CONFIG, cmake_dir / CMAKE_CONFIG.name)
    return out
