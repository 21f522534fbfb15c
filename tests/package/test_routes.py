"""Subscriptions, secrets and shadows derived from port analysis results."""

from __future__ import annotations

from pathlib import Path

import pytest

from gglift.config.model import Subscription
from gglift.port.model import FileResult, Resource
from gglift.routes import derive, effective_subscriptions, python_files, topic_matches

TWO_FUNCTIONS = """
[[function]]
name = "sensor"
handler = "app.handler"
source = "sensor"

[[function]]
name = "alarm"
handler = "app.handler"
source = "alarm"
eventSources = [{topic = "alerts/+/high", type = "PUB_SUB"}, {topic = "all/#"}]

[[function]]
name = "logger"
handler = "app.handler"
source = "logger"
eventSources = [{topic = "alerts/#"}]
"""
# Each function's source folder, with the handler the loader checks for.
SOURCES = {f"{name}/app.py": "def handler(event, context):\n    return event\n" for name in ("sensor", "alarm", "logger")}


@pytest.mark.parametrize(
    "topic_filter, topic, expected",
    [
        ("a/b", "a/b", True),
        ("a/b", "a/c", False),
        ("a/+", "a/b", True),
        ("a/+", "a/b/c", False),
        ("a/#", "a", True),
        ("a/#", "a/b/c", True),
        ("#", "x/y", True),
        ("a/+/c", "a/+/c", True),  # a run-time level can take any value
        ("a/b/c", "a/+/c", True),
        ("a/b/c", "a/+/d", False),
        ("a/b", "a/b/c", False),
    ],
)
def test_topic_matches_follows_mqtt_wildcards(topic_filter, topic, expected):
    assert topic_matches(topic_filter, topic) is expected


def _result(path, **resources):
    return FileResult(path=Path(path), **{k: [Resource(*r) for r in v] for k, v in resources.items()})


def test_published_topics_route_to_subscribers_else_cloud(write_project):
    project = write_project(TWO_FUNCTIONS, SOURCES)
    results = {
        "sensor": [
            _result(
                "sensor/app.py",
                publishes=[
                    ("alerts/kitchen/high", True, 10),
                    ("readings/+/temp", False, 12),
                    ("readings/+/temp", False, 14),  # same topic twice: one subscription
                    ("f'{prefix}/x'", False, 20, False),
                ],
                secrets=[("db-password", True, 30), ("name_var", False, 31, False)],
                shadows=[("pump-1", True, 40)],
                invokes=[("alarm", True, 50)],
            )
        ],
        "alarm": [_result("alarm/app.py", publishes=[("all/done", True, 5)])],
    }
    derived = derive(project, results)
    assert derived.subscriptions == (
        Subscription("sensor", "alerts/kitchen/high", "alarm"),
        Subscription("sensor", "alerts/kitchen/high", "logger"),
        Subscription("sensor", "readings/+/temp", "cloud"),
        # alarm listens on all/# itself but never routes to itself
        Subscription("alarm", "all/done", "cloud"),
    )
    assert derived.secrets == ("db-password",)
    assert derived.shadows == ("pump-1",)
    assert derived.invokes == ("alarm",)
    assert [str(u) for u in derived.unresolved] == [
        "sensor/app.py:20: topic f'{prefix}/x' (function sensor) is not known until run time",
        "sensor/app.py:31: secret name_var (function sensor) is not known until run time",
    ]
    assert [(i.kind, i.value, i.line) for i in derived.items] == [
        ("subscription", "sensor -> alerts/kitchen/high -> alarm", 10),
        ("subscription", "sensor -> alerts/kitchen/high -> logger", 10),
        ("subscription", "sensor -> readings/+/temp -> cloud", 12),
        ("secret", "db-password", 30),
        ("shadow", "pump-1", 40),
        ("invoke", "alarm", 50),
        ("subscription", "alarm -> all/done -> cloud", 5),
    ]


def test_explicit_subscriptions_replace_derived_ones(write_project):
    project = write_project(
        TWO_FUNCTIONS
        + """
[[subscription]]
source = "sensor"
subject = "x/y"
target = "component:com.example.Logger"
""",
        SOURCES,
    )
    assert effective_subscriptions(project) == (Subscription("sensor", "x/y", "component:com.example.Logger"),)


def test_effective_subscriptions_derive_when_none_given(write_project):
    project = write_project(TWO_FUNCTIONS, SOURCES)

    def fake_derive(p):
        return derive(p, {"sensor": [_result("s.py", publishes=[("all/x", True, 1)])]})

    assert effective_subscriptions(project, fake_derive) == (Subscription("sensor", "all/x", "alarm"),)


def test_python_files_skip_tests_caches_and_vendored_metadata(tmp_path):
    for name in ["app.py", "lib/util.py", "tests/test_app.py", "__pycache__/x.py", "pkg-1.0.dist-info/x.py", "b.txt"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    assert [p.relative_to(tmp_path).as_posix() for p in python_files(tmp_path)] == ["app.py", "lib/util.py"]


CLOUD_CODE = '''
import json
import boto3

iot = boto3.client("iot-data")
secrets = boto3.client("secretsmanager")
lam = boto3.client("lambda")


def handler(event, context):
    device = event["device"]
    iot.publish(topic=f"sensors/{device}/telemetry", payload=json.dumps(event))
    iot.publish(topic="alerts/" + event["level"], payload=b"x")
    iot.publish(topic=event["reply_to"], payload=b"x")
    iot.update_thing_shadow(thingName="gateway", payload=b"{}")
    key = secrets.get_secret_value(SecretId="api-key")["SecretString"]
    lam.invoke(FunctionName="archiver", Payload=b"{}")
'''


def test_derivation_runs_the_port_analysis_over_each_function(write_project):
    project = write_project(
        """
        [[function]]
        name = "gateway"
        handler = "app.handler"
        source = "gateway"

        [[function]]
        name = "archiver"
        handler = "app.handler"
        source = "archiver"
        eventSources = [{topic = "sensors/+/telemetry"}]
        """,
        {"gateway/app.py": CLOUD_CODE, "gateway/tests/test_app.py": "import boto3\nboto3.client('iot-data').publish(topic='t/x')\n",
         "archiver/app.py": "def handler(event, context):\n    return event\n"},
    )
    derived = derive(project)
    assert derived.subscriptions == (
        Subscription("gateway", "sensors/+/telemetry", "archiver"),
        Subscription("gateway", "alerts/+", "cloud"),  # a level known only at run time becomes +
    )
    assert derived.secrets == ("api-key",)
    assert derived.shadows == ("gateway",)
    assert derived.invokes == ("archiver",)
    app = project.root / "gateway" / "app.py"
    assert [str(u) for u in derived.unresolved] == [
        f"{app}:14: topic event[\"reply_to\"] (function gateway) is not known until run time"
    ]
