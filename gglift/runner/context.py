"""The ``context`` argument handlers receive, shaped like AWS Lambda's."""

import os
import time


class ClientContext(object):
    """``context.client_context``: ``custom`` holds Greengrass's ``subject`` (the topic) and ``source``."""

    def __init__(self, document):
        self.custom = document.get("custom") or {}
        self.client = document.get("client")
        self.env = document.get("env")


class FunctionInfo(object):
    """What every invocation's context shares: read from the function's ARN once per worker."""

    def __init__(self, function_arn, timeout_ms, memory_limit_in_mb):
        parts = function_arn.split(":")
        self.function_name = parts[6] if len(parts) > 6 else function_arn
        self.function_version = parts[7] if len(parts) > 7 else "$LATEST"
        self.invoked_function_arn = function_arn
        self.memory_limit_in_mb = memory_limit_in_mb
        self.log_group_name = "/aws/greengrass/Lambda/{}".format(self.function_name)
        self.log_stream_name = os.getenv("AWS_IOT_THING_NAME", "")
        self.timeout_s = timeout_ms / 1000.0


class LambdaContext(object):
    """What a handler's ``context`` offers on a Greengrass core.

    ``get_remaining_time_in_millis()`` counts down from ``timeoutInSeconds``, after which the
    core kills the worker.
    """

    def __init__(self, function, invocation_id, client_context):
        self.function_name = function.function_name
        self.function_version = function.function_version
        self.invoked_function_arn = function.invoked_function_arn
        self.aws_request_id = invocation_id
        self.client_context = ClientContext(client_context)
        self.identity = None
        self.memory_limit_in_mb = function.memory_limit_in_mb
        self.log_group_name = function.log_group_name
        self.log_stream_name = function.log_stream_name
        self._deadline = time.monotonic() + function.timeout_s

    def get_remaining_time_in_millis(self):
        return max(0, int((self._deadline - time.monotonic()) * 1000))
