"""Build hooks that pyproject.toml cannot express on its own.

``templates/`` lives at the top of the repository (the design card's layout) but ships inside
the wheel as ``gglift.templates``, so it is mapped here.

The C runtime: ``cffi_modules`` builds the extension ``gglift._native`` (the runtime compiled
into Python, for tests), and ``build_ext`` below also builds ``libaws-greengrass-core-sdk-c.so``
and copies ``greengrasssdk.h`` into ``gglift/native`` (in place for ``pip install -e .``).
"""

import importlib.util
from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent


def _load_build_recipes():
    spec = importlib.util.spec_from_file_location("_gglift_build_ffi", HERE / "gglift" / "native" / "_build_ffi.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BuildExtWithRuntime(build_ext):
    """build_ext that also builds the Core SDK for C shared library and installs its header."""

    def run(self):
        super().run()
        base = HERE if self.inplace else Path(self.build_lib)
        _load_build_recipes().build_library(base / "gglift" / "native")


setup(
    packages=find_packages(include=["gglift", "gglift.*"]) + ["gglift.templates"],
    package_dir={"gglift.templates": "templates"},
    cffi_modules=["gglift/native/_build_ffi.py:ffibuilder"],
    cmdclass={"build_ext": BuildExtWithRuntime},
)
