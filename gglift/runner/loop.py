"""The worker's main loop: load the handler, report to ``/initialized``, then get work forever.

Run by the core as ``python -S -c BOOTSTRAP --handler=module.function`` (see
:mod:`gglift.runner`). Exit codes: 0 after the core closes the connection, 1 when the handler
cannot be loaded (the reason went to ``/initialized``), 2 for a bad command line.
"""

import binascii  # not base64: that module adds struct and about 0.1 MB for one call
import importlib
import json
import os
import sys
import traceback

from gglift.runner import logs
from gglift.runner.context import FunctionInfo, LambdaContext

MAX_RESULT = 16 << 20  # the core's request body limit (gglift.runtime.transport.MAX_BODY)


def main(argv):
    handler_spec = ""
    for arg in argv:
        if arg.startswith("--handler="):
            handler_spec = arg.split("=", 1)[1]
    if "." not in handler_spec:
        sys.stderr.write("usage: runner --handler=module.function\n")
        return 2
    logs.install(os.getenv("LOG_LEVEL"))

    from greengrass_common.env_vars import ENCODING_TYPE, MY_FUNCTION_ARN
    from greengrass_ipc_python_sdk.ipc_client import IPCClient, IPCException, WorkItem

    ipc = IPCClient()
    try:
        handler = _load(handler_spec)
    except Exception:
        reason = traceback.format_exc()
        ipc.put_initialized(MY_FUNCTION_ARN, False, reason)
        logs.emit("ERROR", "runner", "cannot load handler {}: {}".format(handler_spec, reason.strip()))
        return 1
    ipc.put_initialized(MY_FUNCTION_ARN, True, "")

    binary = ENCODING_TYPE == "binary"
    function = FunctionInfo(MY_FUNCTION_ARN, int(os.getenv("GGLIFT_TIMEOUT_MS", "3000")),
                            int(os.getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "16")))
    while True:
        try:
            item = ipc.get_work(MY_FUNCTION_ARN)
        except IPCException:
            return 0  # the core stopped
        try:
            context = LambdaContext(function, item.invocation_id, _client_context(item.client_context))
            event = item.payload if binary else json.loads(item.payload or b"{}")
            result = handler(event, context)
            payload = _encode_result(result, binary)
            if len(payload) > MAX_RESULT:
                raise ValueError("the result is {} bytes, over the core's limit of {}".format(len(payload), MAX_RESULT))
        except Exception as exc:
            frames = traceback.extract_tb(exc.__traceback__)[1:]  # the handler's frames, not this loop's
            error = {
                "errorMessage": str(exc),
                "errorType": type(exc).__name__,
                "stackTrace": traceback.format_list(frames),
            }
            logs.emit("ERROR", "runner", "handler raised {}: {}\n{}".format(
                type(exc).__name__, exc, "".join(error["stackTrace"]).rstrip()))
            ipc.post_handler_err(MY_FUNCTION_ARN, item.invocation_id, error)
            continue
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        ipc.post_work_result(MY_FUNCTION_ARN, WorkItem(item.invocation_id, payload, None))


def _load(spec):
    module_name, function_name = spec.rsplit(".", 1)
    module = importlib.import_module(module_name)
    handler = getattr(module, function_name)
    if not callable(handler):
        raise TypeError("{} is not callable".format(spec))
    return handler


def _client_context(encoded):
    if not encoded:
        return {}
    return json.loads(binascii.a2b_base64(encoded).decode("utf-8") or "{}")


def _encode_result(result, binary):
    """JSON functions answer with JSON; binary ones with bytes (or text) as they are."""
    from greengrass_ipc_python_sdk.ipc_client import _as_bytes

    if binary and (result is None or isinstance(result, (bytes, bytearray, str))):
        return _as_bytes(result)
    return json.dumps(result).encode("utf-8")
