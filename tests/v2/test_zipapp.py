"""The host artifact: byte-identical across builds, and it runs on the standard library alone."""

from __future__ import annotations

import subprocess
import sys

from gglift.host import zipapp

# Everything the host imports when it starts, run with -S -I: no site-packages at all, so no
# httptools, uvloop, tomli, libcst or click; only the zipapp and the standard library.
PROBE = """
import sys
sys.path.insert(0, sys.argv[1])
import gglift.host.main, gglift.host.backend, gglift.runtime.core, gglift.runner.loop
print(sorted({name.split('.')[0] for name in sys.modules} - set(sys.stdlib_module_names) - {'__main__'}))
print(gglift.runtime.transport.httptools.__name__)
"""


def test_two_builds_are_byte_identical():
    assert zipapp.build() == zipapp.build()


def test_the_host_imports_only_the_standard_library(tmp_path):
    pyz = tmp_path / zipapp.NAME
    pyz.write_bytes(zipapp.build())
    done = subprocess.run([sys.executable, "-S", "-I", "-c", PROBE, str(pyz)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "['gglift']\ngglift.runtime.httpparse\n"


def test_the_host_without_its_arguments_says_what_it_needs(tmp_path):
    pyz = tmp_path / zipapp.NAME
    pyz.write_bytes(zipapp.build())
    done = subprocess.run([sys.executable, "-S", "-I", str(pyz)], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.endswith("error: the following arguments are required: --description, --artifacts\n")
    missing = subprocess.run([sys.executable, "-S", "-I", str(pyz), "--description", str(tmp_path / "none.json"),
                              "--artifacts", str(tmp_path)], capture_output=True, text=True)
    assert missing.returncode == 1
    assert missing.stderr.startswith(f"gglift host: cannot read the project description {tmp_path / 'none.json'}: ")
