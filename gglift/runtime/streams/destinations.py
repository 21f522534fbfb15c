"""What each export sends for a batch of messages, and sending it to AWS (or an HTTP endpoint).

:func:`requests_for` is pure: the requests the stream manager component makes for a batch, as
botocore parameters (Kinesis ``PutRecords``, IoT Analytics ``BatchPutMessage``, IoT SiteWise
``BatchPutAssetPropertyValue`` from the ``PutAssetPropertyValueEntry`` JSON messages, an S3
upload per ``S3ExportTaskDefinition`` message, HTTP POSTs). :class:`Sender` sends them through
boto3's standard credential, region and endpoint chain (so ``AWS_ENDPOINT_URL_KINESIS`` and the
like work), and says which messages failed so that only those are sent again.
"""

from __future__ import annotations

import base64
import json
import time
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from gglift.runtime.streams.messages import ExportConfig
from gglift.runtime.streams.store import StoredMessage

# Partition keys are UUIDs derived from the stream and sequence number: unique per record as the
# component's random ones are, and the same when a batch is sent again.
_PARTITION_NAMESPACE = uuid.UUID("6f1d7a52-4c0e-4d8c-9a57-1c1f0e2b7a10")
DEFAULT_MULTIPART_THRESHOLD = 5 * 1024 * 1024


class ExportError(Exception):
    """A batch could not be sent; retried later. ``retry``: False when sending it again cannot help."""

    def __init__(self, message: str, retry: bool = True):
        super().__init__(message)
        self.retry = retry


@dataclass
class Request:
    """One call an export makes: ``service`` (boto3's name, or ``http``), its ``operation``,
    the ``target`` it names, botocore ``params``, and the messages it carries."""
    service: str
    operation: str
    target: str
    params: dict
    sequence_numbers: list
    source: Optional[Path] = None  # S3: the local file to upload
    extra: dict = field(default_factory=dict)


@dataclass
class Skipped:
    """A message no request can carry (not the JSON its export needs): exported as failed."""
    sequence_number: int
    reason: str


def requests_for(config: ExportConfig, stream: str, messages: list[StoredMessage]) -> tuple[list[Request], list[Skipped]]:
    """The requests that export ``messages`` of ``stream`` through ``config``."""
    seqs = [m.sequence_number for m in messages]
    settings = config.settings
    if config.kind == "kinesis":
        name = settings["kinesisStreamName"]
        records = [{"Data": m.payload, "PartitionKey": partition_key(stream, m.sequence_number)} for m in messages]
        return [Request("kinesis", "PutRecords", name, {"StreamName": name, "Records": records}, seqs)], []
    if config.kind == "iotAnalytics":
        channel, prefix = settings["iotChannel"], settings.get("iotMsgIdPrefix") or ""
        batch = [{"messageId": f"{prefix}{m.sequence_number}", "payload": m.payload} for m in messages]
        return [Request("iotanalytics", "BatchPutMessage", channel, {"channelName": channel, "messages": batch}, seqs)], []
    if config.kind == "iotSitewise":
        return _sitewise(messages)
    if config.kind == "s3TaskExecutor":
        return _s3_tasks(settings, messages)
    return _http(settings, stream, messages)


def partition_key(stream: str, sequence_number: int) -> str:
    return str(uuid.uuid5(_PARTITION_NAMESPACE, f"{stream}/{sequence_number}"))


def _json_map(message: StoredMessage, shape: str) -> dict:
    try:
        data = json.loads(message.payload)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise ValueError(f"message {message.sequence_number} is not a {shape} in JSON")
    return data


def _drop_nulls(value):
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


def _sitewise(messages: list[StoredMessage]) -> tuple[list[Request], list[Skipped]]:
    entries, seqs, skipped = [], [], []
    for message in messages:
        try:
            entry = _drop_nulls(_json_map(message, "PutAssetPropertyValueEntry"))
            if not entry.get("entryId") or not entry.get("propertyValues"):
                raise ValueError(f"message {message.sequence_number} has no entryId or propertyValues")
        except ValueError as exc:
            skipped.append(Skipped(message.sequence_number, str(exc)))
            continue
        entries.append(entry)
        seqs.append(message.sequence_number)
    requests = [Request("iotsitewise", "BatchPutAssetPropertyValue", "entries", {"entries": entries}, seqs)] if entries else []
    return requests, skipped


def _s3_tasks(settings: dict, messages: list[StoredMessage]) -> tuple[list[Request], list[Skipped]]:
    requests, skipped = [], []
    threshold = settings.get("sizeThresholdForMultipartUploadBytes") or DEFAULT_MULTIPART_THRESHOLD
    for message in messages:
        try:
            task = _json_map(message, "S3ExportTaskDefinition")
            url, bucket, key = task.get("inputUrl"), task.get("bucket"), task.get("key")
            if not (isinstance(url, str) and isinstance(bucket, str) and isinstance(key, str)):
                raise ValueError(f"message {message.sequence_number} needs inputUrl, bucket and key")
        except ValueError as exc:
            skipped.append(Skipped(message.sequence_number, str(exc)))
            continue
        source = Path(urllib.parse.unquote(urllib.parse.urlparse(url).path) if url.startswith("file:") else url)
        params = {"Bucket": bucket, "Key": expand_key(key, time.gmtime())}
        if task.get("userMetadata"):
            params["Metadata"] = {str(k).lower(): str(v) for k, v in task["userMetadata"].items()}
        requests.append(Request("s3", "PutObject", f"{bucket}/{params['Key']}", params, [message.sequence_number],
                                source=source, extra={"task": task, "multipart_threshold": threshold}))
    return requests, skipped


# The Java DateTimeFormatter letters S3 keys use in !{timestamp:...}, as strftime directives.
_DATE_LETTERS = (("yyyy", "%Y"), ("MM", "%m"), ("dd", "%d"), ("HH", "%H"), ("mm", "%M"), ("ss", "%S"))


def expand_key(key: str, now: time.struct_time) -> str:
    """``key`` with each ``!{timestamp:pattern}`` replaced by the UTC time in that pattern."""
    out, rest = [], key
    while "!{timestamp:" in rest:
        before, _, tail = rest.partition("!{timestamp:")
        pattern, _, rest = tail.partition("}")
        for letters, directive in _DATE_LETTERS:
            pattern = pattern.replace(letters, directive)
        out.append(before + time.strftime(pattern, now))
    return "".join(out) + rest


def _http(settings: dict, stream: str, messages: list[StoredMessage]) -> tuple[list[Request], list[Skipped]]:
    uri = settings["uri"]
    if settings.get("exportFormat", 0) == 1:  # JSON_BATCHED: one POST with the list of Messages
        body = [{"streamName": stream, "sequenceNumber": m.sequence_number, "ingestTime": m.ingest_time,
                 "payload": base64.b64encode(m.payload).decode()} for m in messages]
        return [Request("http", "POST", uri, {"body": json.dumps(body).encode(), "contentType": "application/json"},
                        [m.sequence_number for m in messages])], []
    return [Request("http", "POST", uri, {"body": m.payload, "contentType": "application/octet-stream"},
                    [m.sequence_number]) for m in messages], []  # RAW_NOT_BATCHED: a POST per message


class Sender:
    """Sends requests for real: boto3 clients (one per service), urllib for HTTP.

    ``region``: used when the standard chain names none. Blocking: run it in a thread.
    """

    def __init__(self, region: str):
        self.region = region
        self._clients: dict = {}

    def client(self, service: str):
        if service not in self._clients:
            import boto3

            session = boto3.session.Session()
            self._clients[service] = session.client(service, region_name=session.region_name or self.region)
        return self._clients[service]

    def send(self, request: Request) -> list[int]:
        """Send ``request``; returns the sequence numbers the service refused (to send again)."""
        if request.service == "http":
            return self._post(request)
        if request.service == "s3":
            return self._upload(request)
        from botocore.exceptions import BotoCoreError, ClientError, UnknownServiceError

        try:
            client = self.client(request.service)
        except UnknownServiceError:  # AWS IoT Analytics reached its end of support: botocore dropped it
            raise ExportError(f"AWS no longer offers {request.service} (botocore has no model for it); "
                              f"{request.operation} cannot be sent", retry=False) from None

        try:
            answer = getattr(client, _method(request.operation))(**request.params)
        except (BotoCoreError, ClientError) as exc:
            raise ExportError(f"{request.operation} failed: {exc}") from None
        if request.operation == "PutRecords":
            return [seq for seq, rec in zip(request.sequence_numbers, answer.get("Records", [])) if rec.get("ErrorCode")]
        if request.operation == "BatchPutMessage":
            failed = {e.get("messageId") for e in answer.get("batchPutMessageErrorEntries", [])}
            return [seq for seq, m in zip(request.sequence_numbers, request.params["messages"]) if m["messageId"] in failed]
        failed = {e.get("entryId") for e in answer.get("errorEntries", [])}
        return [seq for seq, e in zip(request.sequence_numbers, request.params["entries"]) if e["entryId"] in failed]

    def _upload(self, request: Request) -> list[int]:
        """Upload ``request.source`` (the exporter has checked that it exists)."""
        from boto3.s3.transfer import TransferConfig
        from botocore.exceptions import BotoCoreError, ClientError

        extra = {"Metadata": request.params["Metadata"]} if "Metadata" in request.params else None
        try:
            self.client("s3").upload_file(str(request.source), request.params["Bucket"], request.params["Key"],
                                          ExtraArgs=extra,
                                          Config=TransferConfig(multipart_threshold=request.extra["multipart_threshold"]))
        except (BotoCoreError, ClientError) as exc:
            raise ExportError(f"upload of {request.source} failed: {exc}") from None
        return []

    @staticmethod
    def _post(request: Request) -> list[int]:
        post = urllib.request.Request(request.target, data=request.params["body"], method="POST",
                                      headers={"Content-Type": request.params["contentType"]})
        try:
            with urllib.request.urlopen(post, timeout=30) as answer:
                answer.read()
        except (OSError, ValueError) as exc:  # urllib's HTTPError and URLError are OSErrors
            raise ExportError(f"POST {request.target} failed: {exc}") from None
        return []


def _method(operation: str) -> str:
    """boto3's method name for an API operation name: PutRecords -> put_records."""
    return "".join("_" + c.lower() if c.isupper() else c for c in operation).lstrip("_")
