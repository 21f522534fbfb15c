"""Build hooks that pyproject.toml cannot express on its own.

``templates/`` lives at the top of the repository (the design card's layout) but ships inside
the wheel as ``gglift.templates``, so it is mapped here.

The C runtime: ``cffi_modules`` builds the extension ``gglift._native`` (the runtime compiled
into Python, for tests), and ``build_ext`` below also builds ``libaws-greengrass-core-sdk-c.so``
and copies ``greengrasssdk.h`` into ``gglift/native`` (in place for ``pip install -e .``).
"""

import importlib.util
import subprocess
import sys
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
    """build_ext that also builds the Core SDK for C shared library and installs its header.

    Without a C compiler gglift still installs: only its C runtime is missing, and
    ``gglift.native`` says so when asked for it.
    """

    def run(self):
        for ext in self.extensions:
            ext.optional = True  # a failed compile warns instead of failing the install
        super().run()
        base = HERE if self.inplace else Path(self.build_lib)
        try:
            _load_build_recipes().build_library(base / "gglift" / "native")
        except (OSError, subprocess.CalledProcessError) as exc:
            # Never ship a library left over from an earlier build of a development tree.
            (base / "gglift" / "native" / "lib" / "libaws-greengrass-core-sdk-c.so").unlink(missing_ok=True)
            print(f"warning: gglift's C runtime was not built ({exc}); install gcc to use C Lambda executables",
                  file=sys.stderr)


setup(
    # Folders without __init__.py that the wheel must carry, listed so that setuptools ships them
    # (instead of warning that they look importable but are not listed): templates/init holds
    # `gglift init`'s files.
    packages=find_packages(include=["gglift", "gglift.*"])
    + ["gglift.templates", "gglift.templates.init", "gglift.templates.init.src"],
    package_dir={"gglift.templates": "templates"},
    cffi_modules=["gglift/native/_build_ffi.py:ffibuilder"],
    cmdclass={"build_ext": BuildExtWithRuntime},
)
