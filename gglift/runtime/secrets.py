"""GGSecretManager: secrets from a local JSON file the user points to (``[local].secrets_file``).

The file maps secret names to a string, or to a table with ``SecretString`` or
``SecretBinary`` (base64) and optional ``VersionStages`` (default ``["AWSCURRENT"]``)::

    {"db-password": "s3cret", "api": {"SecretString": "{\\"key\\": 1}", "VersionStages": ["AWSCURRENT"]}}

Answers have the shape of Secrets Manager's GetSecretValue as the Greengrass SDK expects it
(``CreatedDate`` in epoch milliseconds); errors are JSON with ``Status`` and ``Message``.
Values are never logged or recorded. The file is read on every request, so edits apply at once.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

from gglift.runtime.work import Result

CURRENT = "AWSCURRENT"


class SecretStore:
    def __init__(self, path: Optional[Path], region: str, account: str):
        self.path, self.region, self.account = path, region, account

    def handle(self, payload: bytes) -> Result:
        try:
            request = json.loads(payload or b"{}")
            secret_id = request["SecretId"]
        except (ValueError, KeyError, TypeError):
            return secret_error(400, "the request must be JSON with a SecretId")
        stage = request.get("VersionStage") or CURRENT
        if self.path is None:
            return secret_error(404, f"Secret {secret_id!r} not found: no secrets file is set ([local] secrets_file in gglift.toml)")
        try:
            with open(self.path, encoding="utf-8") as fh:
                secrets = json.load(fh)
        except (OSError, ValueError) as exc:
            return secret_error(500, f"cannot read the secrets file {self.path}: {exc.__class__.__name__}")
        name = secret_name(secret_id)
        entry = secrets.get(name) if isinstance(secrets, dict) else None
        if entry is None:
            return secret_error(404, f"Secrets Manager can't find the specified secret: {secret_id}")
        if isinstance(entry, str):
            entry = {"SecretString": entry}
        stages = entry.get("VersionStages") or [CURRENT]
        if stage not in stages:
            return secret_error(404, f"Secret {name!r} has no version with stage {stage}")
        import uuid  # here: the device host imports this module but never serves secrets from a file

        answer = {
            "ARN": f"arn:aws:secretsmanager:{self.region}:{self.account}:secret:{name}",
            "Name": name,
            "VersionId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.path}#{name}")),
            "VersionStages": stages,
            "CreatedDate": int(self.path.stat().st_mtime * 1000),
        }
        for key in ("SecretString", "SecretBinary"):
            if key in entry:
                answer[key] = entry[key]
        return Result(json.dumps(answer).encode())


def secret_name(secret_id: str) -> str:
    """The name a ``SecretId`` gives, an ARN's included.

    >>> secret_name("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-password")
    'db-password'
    """
    return secret_id.split(":secret:", 1)[-1]


def secret_error(status: int, message: str) -> Result:
    """A GGSecretManager error answer, as Secrets Manager shapes it."""
    return Result(json.dumps({"Status": status, "Message": message}).encode())
