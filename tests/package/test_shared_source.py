"""Two functions in one source folder (the usual SAM layout): each gets what its own code uses."""

from __future__ import annotations

import json
import textwrap

from click.testing import CliRunner

from gglift.cli import main
from gglift.config import load_project
from gglift.config.model import Subscription
from gglift.routes import derive, function_files

CONFIG = """
[[function]]
name = "reader"
handler = "reader.handler"
source = "src"

[[function]]
name = "writer"
handler = "writer.handler"
source = "src"
eventSources = [{topic = "readings/+"}]
"""
FILES = {
    # reader: its own secret, and a publish made in the helper module it imports
    "src/reader.py": """\
        import greengrasssdk

        from helpers.common import send

        sm = greengrasssdk.client("secretsmanager")


        def handler(event, context):
            send(sm.get_secret_value(SecretId="reader-key")["SecretString"])
        """,
    "src/helpers/__init__.py": "",
    "src/helpers/common.py": """\
        import greengrasssdk

        iot = greengrasssdk.client("iot-data")


        def send(value):
            iot.publish(topic="readings/kitchen", payload=value)
        """,
    # writer: a shadow and a publish on clients of another module (a file that never
    # mentions greengrasssdk), and a bare-name invoke reported against it alone
    "src/clients.py": """\
        import greengrasssdk

        iot = greengrasssdk.client("iot-data")
        lam = greengrasssdk.client("lambda")
        """,
    "src/writer.py": """\
        from clients import iot, lam


        def handler(event, context):
            iot.update_thing_shadow(thingName="archive", payload=b"{}")
            iot.publish(topic="archive/done", payload=b"1")
            lam.invoke(FunctionName=event["next"], Payload=b"{}")
        """,
    # imported by neither handler: nothing of it may reach either function
    "src/stray.py": """\
        import greengrasssdk

        iot = greengrasssdk.client("iot-data")
        iot.publish(topic="stray/topic", payload=b"x")
        sm = greengrasssdk.client("secretsmanager")
        sm.get_secret_value(SecretId="stray-secret")
        """,
}


def write(tmp_path):
    (tmp_path / "gglift.toml").write_text(textwrap.dedent(CONFIG))
    for name, text in FILES.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return tmp_path.resolve()


def test_each_function_is_its_handler_and_what_it_imports(tmp_path):
    root = write(tmp_path)
    project = load_project(root)
    src = root / "src"
    assert function_files(project.function("reader")) == [
        src / "helpers" / "__init__.py", src / "helpers" / "common.py", src / "reader.py"
    ]
    assert function_files(project.function("writer")) == [src / "clients.py", src / "writer.py"]


def test_routes_secrets_and_findings_follow_each_handler(tmp_path):
    root = write(tmp_path)
    derived = derive(load_project(root))
    assert derived.subscriptions == (
        Subscription("reader", "readings/kitchen", "writer"),
        Subscription("writer", "archive/done", "cloud"),
    )
    assert derived.secrets == ("reader-key",)
    assert derived.shadows == ("archive",)
    assert [str(u) for u in derived.unresolved] == [
        f"{root}/src/writer.py:7: invoke event[\"next\"] (function writer) is not known until run time"
    ]


def test_package_deploys_and_reports_each_function_alone(tmp_path, vendor_cache):
    root = write(tmp_path)
    result = CliRunner().invoke(main, ["package", str(root)], env={"GGLIFT_CACHE_DIR": str(vendor_cache)})
    assert result.exit_code == 0, result.output
    report = result.output.split("derived from the code:\n")[1].split("deployment:")[0]
    assert report.splitlines() == [
        f"  subscription reader -> readings/kitchen -> writer  ({root}/src/helpers/common.py:7, function reader)",
        f"  secret       reader-key  ({root}/src/reader.py:9, function reader)",
        f"  subscription writer -> archive/done -> cloud  ({root}/src/writer.py:6, function writer)",
        f"  shadow       archive  ({root}/src/writer.py:5, function writer)",
        f"  unresolved: {root}/src/writer.py:7: invoke event[\"next\"] (function writer) is not known until run time",
        '    fix: add components = {"<component it invokes>" = "<version>"} to [[function]] "writer", or name the function literally',
    ]
    components = json.loads((root / "build" / "deployment.json").read_text())["components"]
    router = json.loads(components["aws.greengrass.LegacySubscriptionRouter"]["configurationUpdate"]["merge"])
    arn = "arn:aws:lambda:us-east-1:000000000000:function:{}:1"
    assert router == {
        "subscriptions": {
            "gglift-1": {"id": "gglift-1", "source": arn.format("reader"), "subject": "readings/kitchen",
                         "target": arn.format("writer")},
            "gglift-2": {"id": "gglift-2", "source": arn.format("writer"), "subject": "archive/done", "target": "cloud"},
        }
    }
    secrets = json.loads(components["aws.greengrass.SecretManager"]["configurationUpdate"]["merge"])
    assert secrets == {"cloudSecrets": [{"arn": "arn:aws:secretsmanager:us-east-1:000000000000:secret:reader-key"}]}
    assert "aws.greengrass.ShadowManager" in components
