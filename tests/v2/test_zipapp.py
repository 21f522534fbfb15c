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


def test_the_host_outside_a_component_says_so(tmp_path):
    from gglift.config import load_project
    from gglift.host import description

    (tmp_path / "gglift.toml").write_text('target = "component"\n[[function]]\nname = "f"\nhandler = "app.handler"\n'
                                          'eventSources = [{topic = "in"}]\n[[subscription]]\nsource = "f"\nsubject = "out"\ntarget = "cloud"\n')
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return event\n")
    project = load_project(tmp_path)
    document = description.describe(project, project.subscriptions, "com.example.F", {"f": "."})
    (tmp_path / "project.json").write_bytes(description.dumps(document))
    pyz = tmp_path / zipapp.NAME
    pyz.write_bytes(zipapp.build())
    env = {"PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-S", "-I", str(pyz), "--description", str(tmp_path / "project.json"),
                           "--artifacts", str(tmp_path), "--state", str(tmp_path / "state")],
                          capture_output=True, text=True, env=env, timeout=120)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.endswith("gglift host: no IPC socket: AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT is not set "
                                "(is this running as a Greengrass component?)\n")
