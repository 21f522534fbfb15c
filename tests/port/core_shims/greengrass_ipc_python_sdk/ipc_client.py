"""An IPC client that records the SDK's calls and answers like a core would."""

import json
import os
from collections import namedtuple

GetWorkResultOutput = namedtuple("GetWorkResultOutput", ["payload", "func_err"])
CALLS = []  # every post_work, in order, for the test to read
SHADOWS = {}  # thing name -> the last document written


class IPCException(Exception):
    pass


class IPCClient:
    def __init__(self, endpoint="localhost", port=None):
        self.endpoint = endpoint

    def post_work(self, function_arn, payload, client_context, invocation_type="RequestResponse"):
        if isinstance(client_context, bytes):
            client_context = client_context.decode()
        CALLS.append(
            {
                "target": function_arn,
                "type": invocation_type,
                "client_context": client_context,
                "payload": payload.decode() if isinstance(payload, bytes) else payload,
            }
        )
        return str(len(CALLS))

    def get_work_result(self, function_arn, invocation_id):
        call = CALLS[int(invocation_id) - 1]
        if function_arn == os.environ["SECRETS_MANAGER_FUNCTION_ARN"]:
            request = json.loads(call["payload"])
            body = {"ARN": "arn:secret", "Name": request["SecretId"], "SecretString": "k3y-" + request["SecretId"],
                    "CreatedDate": 1700000000000, "VersionId": "v1", "VersionStages": ["AWSCURRENT"]}
            return GetWorkResultOutput(json.dumps(body).encode(), "")
        if function_arn == os.environ["SHADOW_FUNCTION_ARN"]:
            import base64

            subject = json.loads(base64.b64decode(call["client_context"]))["custom"]["subject"]
            thing, operation = subject.split("/")[2], subject.split("/")[-1]
            if operation == "update":
                SHADOWS[thing] = json.loads(call["payload"])
            document = {"state": {"desired": {"interval": 30}, "reported": SHADOWS.get(thing, {})}}
            return GetWorkResultOutput(json.dumps(document).encode(), "")
        return GetWorkResultOutput(b"null", "")
