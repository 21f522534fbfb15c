"""The cffi module gglift._native: the C runtime's API from Python, with values as the SDK
defines them, and an ``extern "Python"`` handler that runs on the C work loop under the core."""

from __future__ import annotations

import stat
import subprocess
import sys
import textwrap

from gglift._native import ffi, lib
from tests.native.conftest import executable, logs, run_core


def test_enum_values_and_sizes_match_the_sdk():
    assert [lib.GGE_SUCCESS, lib.GGE_OUT_OF_MEMORY, lib.GGE_INVALID_PARAMETER, lib.GGE_INVALID_STATE,
            lib.GGE_INTERNAL_FAILURE, lib.GGE_TERMINATE] == [0, 1, 2, 3, 4, 5]
    assert [lib.GG_REQUEST_SUCCESS, lib.GG_REQUEST_HANDLED, lib.GG_REQUEST_UNHANDLED,
            lib.GG_REQUEST_UNKNOWN, lib.GG_REQUEST_AGAIN] == [0, 1, 2, 3, 4]
    assert (lib.GG_INVOKE_EVENT, lib.GG_INVOKE_REQUEST_RESPONSE, lib.GG_RT_OPT_ASYNC) == (0, 1, 1)
    assert (lib.GG_QUEUE_FULL_POLICY_BEST_EFFORT, lib.GG_QUEUE_FULL_POLICY_ALL_OR_ERROR) == (0, 1)
    assert [lib.GG_LOG_DEBUG, lib.GG_LOG_INFO, lib.GG_LOG_WARN, lib.GG_LOG_ERROR, lib.GG_LOG_FATAL] == [1, 2, 3, 4, 5]
    assert lib.GGE_RESERVED_PAD == lib.GG_REQUEST_RESERVED_PAD == 0x7FFFFFFF
    # Every enum is padded to 32 bits, so structs keep the SDK's layout.
    assert ffi.sizeof("gg_error") == ffi.sizeof("gg_log_level") == ffi.sizeof("gg_invoke_type") == 4
    assert ffi.offsetof("gg_invoke_options", "payload") == 4 * ffi.sizeof("void *")


BEFORE_INIT = """
from gglift._native import ffi, lib
req = ffi.new("gg_request *")
size = ffi.new("size_t *")
buf = ffi.new("char[8]")
print(lib.gg_log(lib.GG_LOG_WARN, b"two\\nlines %d", ffi.cast("int", 7)))
print(lib.gg_request_init(req), lib.gg_runtime_start(ffi.NULL, 0), lib.gg_lambda_handler_read(buf, 8, size))
print(lib.gg_global_init(0), lib.gg_request_init(req), lib.gg_request_read(req[0], buf, 0, size), size[0])
print(lib.gg_lambda_handler_write_response(b"x", 1), lib.gg_request_close(req[0]), lib.gg_request_close(ffi.NULL))
print(lib.gg_runtime_start(lib.gglift_python_handler, 0))
"""


def test_calls_before_init_and_outside_a_handler_return_error_codes():
    done = subprocess.run([sys.executable, "-u", "-c", BEFORE_INIT], capture_output=True, text=True, timeout=30,
                          env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    # gg_log works before init, in the runner's record form, continuation lines indented.
    assert done.stdout.splitlines() == [
        "WARN python,two", "\tlines 7", "0",
        "3 2 3",     # INVALID_STATE before init, INVALID_PARAMETER for a NULL handler, not in a handler
        "0 0 0 0",   # init, a request, a zero-size read of nothing
        "3 0 0",     # writing a response outside a handler; closing a request and NULL
        "ERROR python,MY_FUNCTION_ARN is not set: run this program under a Greengrass core",
        "3",         # no work loop outside a core
    ]


PYTHON_HANDLER = """#!{python}
# A handler written in Python on the C runtime's work loop (extern "Python").
from gglift._native import ffi, lib

@ffi.def_extern()
def gglift_python_handler(cxt):
    event, buf, n = b"", ffi.new("char[3]"), ffi.new("size_t *")
    while True:
        lib.gg_lambda_handler_read(buf, 3, n)
        if n[0] == 0:
            break
        event += ffi.buffer(buf, n[0])[:]
    req, result = ffi.new("gg_request *"), ffi.new("gg_request_result *")
    lib.gg_request_init(req)
    lib.gg_publish(req[0], b"python/seen", event, len(event), result)
    lib.gg_request_close(req[0])
    lib.gg_log(lib.GG_LOG_INFO, b"handled %s", ffi.new("char[]", ffi.string(cxt.function_arn)))
    answer = event[::-1]
    lib.gg_lambda_handler_write_response(answer, len(answer))

lib.gg_global_init(0)
raise SystemExit(lib.gg_runtime_start(lib.gglift_python_handler, 0) != lib.GGE_TERMINATE)
"""


def test_python_handler_drives_the_c_work_loop_under_the_core(c_project, tmp_path):
    project = c_project(
        # A Python interpreter with cffi loaded needs more than the 16 MB default.
        executable("pyhandler", pinned="true", linuxProcessParams="{containerParams = {memorySizeInKB = 65536}}")
        + '[[subscription]]\nsource = "pyhandler"\nsubject = "python/seen"\ntarget = "cloud"\n',
        files={"pyhandler": textwrap.dedent(PYTHON_HANDLER.format(python=sys.executable))},
    )
    script = tmp_path / "pyhandler"
    script.chmod(script.stat().st_mode | stat.S_IXUSR)

    async def body(core, seen):
        return [await core.invoke("pyhandler", payload) for payload in (b"hello", b"abcdefgh")]

    results, records = run_core(project, body)
    assert [r.payload for r in results] == [b"olleh", b"hgfedcba"]
    assert [(r.topic, r.payload) for r in records if r.kind == "publish"] == [("python/seen", b"hello"), ("python/seen", b"abcdefgh")]
    # gg_log names the program: here the interpreter running the script.
    assert logs(records, "pyhandler") == ["python,handled arn:aws:lambda:us-east-1:000000000000:function:pyhandler:1"] * 2
    # A pinned worker is stopped with SIGTERM when the core stops: gg_runtime_start returned GGE_TERMINATE.
    assert [(r.event, r.reason) for r in records if r.kind == "worker"][-1][0] == "stopped"
