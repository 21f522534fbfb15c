"""A function that uses stream manager gets aws.greengrass.StreamManager in its deployment, and
the package report lists where, and the permissions its exports need."""

from __future__ import annotations

import json

from gglift.package import package_project
from gglift.package.report import report_lines
from gglift.routes import derive

CONFIG = """
[[function]]
name = "writer"
handler = "writer.handler"
source = "writer"

[[function]]
name = "plain"
handler = "plain.handler"
source = "plain"
"""

WRITER = '''\
from greengrasssdk.stream_manager import (
    ExportDefinition, KinesisConfig, S3ExportTaskExecutorConfig, StreamManagerClient,
)

client = StreamManagerClient()
exports = ExportDefinition(
    kinesis=[KinesisConfig(identifier="k", kinesis_stream_name="MyKinesisStream")],
    s3_task_executor=[S3ExportTaskExecutorConfig(identifier="s")],
)


def handler(event, context):
    pass
'''


def test_stream_manager_component_configuration_and_permissions(write_project, vendor_cache, tmp_path):
    project = write_project(CONFIG, {"writer/writer.py": WRITER, "plain/plain.py": "def handler(e, c):\n    pass\n"})
    result = package_project(project, cache_dir=vendor_cache, derive_with=lambda p: derive(p, {}))
    components = json.loads((tmp_path / "build" / "deployment.json").read_text())["components"]
    assert components["aws.greengrass.StreamManager"] == {
        "componentVersion": "2.2.0",
        "configurationUpdate": {"merge": json.dumps(
            {"STREAM_MANAGER_AUTHENTICATE_CLIENT": "true", "STREAM_MANAGER_SERVER_PORT": "8088"})}}
    lines = report_lines(result, cwd=tmp_path)
    start = lines.index("stream manager: aws.greengrass.StreamManager 2.2.0 added to the deployment "
                        "(STREAM_MANAGER_AUTHENTICATE_CLIENT=true, STREAM_MANAGER_SERVER_PORT=8088)")
    assert lines[start + 1:start + 6] == [
        "  client                             (writer/writer.py:1, function writer)",
        "  export KinesisConfig               (writer/writer.py:7, function writer)",
        "  export S3ExportTaskExecutorConfig  (writer/writer.py:8, function writer)",
        "  token exchange role needs: kinesis:PutRecords, s3:AbortMultipartUpload, s3:ListMultipartUploadParts, "
        "s3:PutObject (on the export targets)",
        "  note: stream manager on nucleus lite is not supported by gglift: nucleus lite runs no Lambda components, "
        "and AWS's StreamManager component (Java) on nucleus lite 2.0.1 or later is untested here",
    ]


def test_a_project_without_stream_manager_gets_no_component(write_project, vendor_cache, tmp_path):
    project = write_project(CONFIG, {"writer/writer.py": "def handler(e, c):\n    pass\n",
                                     "plain/plain.py": "stream_manager = None\ndef handler(e, c):\n    pass\n"})
    result = package_project(project, cache_dir=vendor_cache, derive_with=lambda p: derive(p, {}))
    components = json.loads((tmp_path / "build" / "deployment.json").read_text())["components"]
    assert "aws.greengrass.StreamManager" not in components
    assert not [line for line in report_lines(result, cwd=tmp_path) if "stream manager" in line]
