"""Deploy failures: which step failed, AWS's own message, a hint, and what exists already."""

from __future__ import annotations

from typing import Optional

# AWS error code -> what the user can do about it.
HINTS = {
    "AccessDenied": "the credentials in use lack permission for this call; check the IAM policy of your user or role",
    "AccessDeniedException": "the credentials in use lack permission for this call (for an alias or $LATEST Lambda ARN, "
    "Greengrass also answers AccessDenied: use a published version)",
    "NoSuchBucket": "create the bucket first (aws s3 mb s3://BUCKET) or pass --bucket with an existing one",
    "InvalidParameterValueException": "check --role: Lambda must be able to assume it (trust policy for lambda.amazonaws.com)",
    "ResourceConflictException": "the function is being updated; run the same command again in a moment",
    "ThrottlingException": "AWS is throttling requests; run the same command again to continue",
    "TooManyRequestsException": "AWS is throttling requests; run the same command again to continue",
    "ValidationException": "AWS refused the request body; run `gglift package --check` and compare with build/*/requests",
    "ResourceNotFoundException": "the thing or thing group must exist in AWS IoT in this region (--region)",
    "ExpiredToken": "your session credentials expired; refresh them and run again",
    "ExpiredTokenException": "your session credentials expired; refresh them and run again",
}
NO_CREDENTIALS = "configure AWS credentials (aws configure, AWS_PROFILE or environment variables)"


class DeployError(Exception):
    """A deploy step failed. ``created`` lists what earlier steps made (kept for the rerun)."""

    def __init__(self, step: str, message: str, hint: Optional[str], created: list[str]):
        self.step = step
        self.message = message
        self.hint = hint
        self.created = created
        super().__init__(self.text())

    def text(self) -> str:
        lines = [f"step failed: {self.step}", f"  {self.message}"]
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        if self.created:
            lines.append("created before the failure (kept; a rerun continues after them):")
            lines.extend(f"  {item}" for item in self.created)
        lines.append("run the same command again to continue from the failed step")
        return "\n".join(lines)


def describe(exc: Exception) -> tuple[str, Optional[str]]:
    """(message, hint) for an exception raised by boto3."""
    from botocore.exceptions import ClientError, NoCredentialsError

    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = error.get("Code", "Unknown")
        return f"{code}: {error.get('Message', '')}".rstrip(": "), HINTS.get(code)
    if isinstance(exc, NoCredentialsError):
        return str(exc), NO_CREDENTIALS
    return f"{type(exc).__name__}: {exc}", None
