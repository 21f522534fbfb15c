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
import shlex
import shutil
import subprocess
from pathlib import Path

from cffi import FFI

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ROOT / "runtime_c"
SOURCES = ["buf.c", "encode.c", "http.c", "log.c", "runtime.c", "request.c"]
LIB_NAME = "libaws-greengrass-core-sdk-c.so"

# The API as cffi sees it: the header's declarations without its macros.
CDEF = """
typedef enum gg_error {
    GGE_SUCCESS = 0, GGE_OUT_OF_MEMORY, GGE_INVALID_PARAMETER, GGE_INVALID_STATE,
    GGE_INTERNAL_FAILURE, GGE_TERMINATE, GGE_RESERVED_MAX, GGE_RESERVED_PAD = 0x7FFFFFFF
} gg_error;
typedef enum gg_request_status {
    GG_REQUEST_SUCCESS = 0, GG_REQUEST_HANDLED, GG_REQUEST_UNHANDLED, GG_REQUEST_UNKNOWN,
    GG_REQUEST_AGAIN, GG_REQUEST_RESERVED_MAX, GG_REQUEST_RESERVED_PAD = 0x7FFFFFFF
} gg_request_status;
typedef enum gg_invoke_type {
    GG_INVOKE_EVENT = 0, GG_INVOKE_REQUEST_RESPONSE, GG_INVOKE_RESERVED_MAX,
    GG_INVOKE_RESERVED_PAD = 0x7FFFFFFF
} gg_invoke_type;
typedef enum gg_runtime_opt { GG_RT_OPT_ASYNC = 0x1, GG_RT_OPT_RESERVED_PAD = 0x7FFFFFFF } gg_runtime_opt;
typedef enum gg_queue_full_policy_options {
    GG_QUEUE_FULL_POLICY_BEST_EFFORT = 0, GG_QUEUE_FULL_POLICY_ALL_OR_ERROR,
    GG_QUEUE_FULL_POLICY_RESERVED_MAX, GG_QUEUE_FULL_POLICY_RESERVED_PAD = 0x7FFFFFFF
} gg_queue_full_policy_options;
typedef enum gg_log_level {
    GG_LOG_RESERVED_NOTSET = 0, GG_LOG_DEBUG, GG_LOG_INFO, GG_LOG_WARN, GG_LOG_ERROR, GG_LOG_FATAL,
    GG_LOG_RESERVED_MAX, GG_LOG_RESERVED_PAD = 0x7FFFFFFF
} gg_log_level;
typedef struct _gg_request *gg_request;
typedef struct _gg_publish_options *gg_publish_options;
typedef struct gg_request_result { gg_request_status request_status; } gg_request_result;
typedef struct gg_lambda_context { const char *function_arn; const char *client_context; } gg_lambda_context;
typedef struct gg_invoke_options {
    const char *function_arn; const char *customer_context; const char *qualifier;
    gg_invoke_type type; const void *payload; size_t payload_size;
} gg_invoke_options;
typedef void (*gg_lambda_handler)(const gg_lambda_context *cxt);

gg_error gg_global_init(uint32_t opt);
gg_error gg_log(gg_log_level level, const char *format, ...);
gg_error gg_request_init(gg_request *ggreq);
gg_error gg_request_close(gg_request ggreq);
gg_error gg_request_read(gg_request ggreq, void *buffer, size_t buffer_size, size_t *amount_read);
gg_error gg_runtime_start(gg_lambda_handler handler, uint32_t opt);
gg_error gg_lambda_handler_read(void *buffer, size_t buffer_size, size_t *amount_read);
gg_error gg_lambda_handler_write_response(const void *response, size_t response_size);
gg_error gg_lambda_handler_write_error(const char *error_message);
gg_error gg_invoke(gg_request ggreq, const gg_invoke_options *opts, gg_request_result *result);
gg_error gg_publish_options_init(gg_publish_options *opts);
gg_error gg_publish_options_free(gg_publish_options opts);
gg_error gg_publish_options_set_queue_full_policy(gg_publish_options opts, gg_queue_full_policy_options policy);
gg_error gg_publish_with_options(gg_request ggreq, const char *topic, const void *payload,
                                 size_t payload_size, const gg_publish_options opts, gg_request_result *result);
gg_error gg_publish(gg_request ggreq, const char *topic, const void *payload, size_t payload_size,
                    gg_request_result *result);
gg_error gg_get_thing_shadow(gg_request ggreq, const char *thing_name, gg_request_result *result);
gg_error gg_update_thing_shadow(gg_request ggreq, const char *thing_name, const char *update_payload,
                                gg_request_result *result);
gg_error gg_delete_thing_shadow(gg_request ggreq, const char *thing_name, gg_request_result *result);
gg_error gg_get_secret_value(gg_request ggreq, const char *secret_id, const char *version_id,
                             const char *version_stage, gg_request_result *result);

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
    """Compile the shared library into ``package_dir/lib`` and copy the header to
    ``package_dir/include``; returns the library's path. ``CC`` picks the compiler."""
    lib_dir, include_dir = package_dir / "lib", package_dir / "include"
    lib_dir.mkdir(parents=True, exist_ok=True)
    include_dir.mkdir(parents=True, exist_ok=True)
    out = lib_dir / LIB_NAME
    tmp = lib_dir / (LIB_NAME + ".tmp")
    command = [
        *shlex.split(os.environ.get("CC", "cc")), "-std=c89", "-O2", "-g", "-fPIC", "-fvisibility=hidden",
        "-D_POSIX_C_SOURCE=200809L", f"-I{RUNTIME / 'include'}", "-shared",
        f"-Wl,-soname,{LIB_NAME}", f"-Wl,--version-script={RUNTIME / 'exports.map'}", "-Wl,-z,defs",
        "-o", str(tmp), *[str(RUNTIME / "src" / name) for name in SOURCES], "-lpthread",
    ]
    subprocess.run(command, check=True)
    os.replace(tmp, out)  # a half-written library is never left where executables load it
    shutil.copyfile(RUNTIME / "include" / "greengrasssdk.h", include_dir / "greengrasssdk.h")
    return out
