"""A client shared between the modules of one source tree: followed there, or never half ported."""

from __future__ import annotations

from pathlib import Path

from gglift.port import analyze_path

AWS = 'import boto3\n\niot = boto3.client("iot-data")\n\n\ndef send(value):\n    iot.publish(topic="t", payload=value, qos=1)\n'


def port(tmp_path: Path, files: dict[str, str]) -> dict[str, tuple]:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    results = {}
    for name in files:
        result = analyze_path(tmp_path / name)
        text = result.new_source.decode() if result.new_source is not None else None
        results[name] = (text, [(f.code, f.line, f.col, f.message) for f in result.findings])
    return results


PORTED_AWS = 'import greengrasssdk\n\niot = greengrasssdk.client("iot-data")\n\n\ndef send(value):\n    iot.publish(topic="t", payload=value)\n'
QOS = "`qos=1` dropped: messages published on the core are QoS 0 only"


def test_a_client_imported_by_another_module_is_followed_there(tmp_path):
    # app.py never mentions boto3: the pre-filter still lets it through, since it imports aws
    app = 'from aws import iot\n\n\ndef handler(event, context):\n    iot.publish(topic="t", payload=b"x", qos=1)\n'
    assert port(tmp_path, {"aws.py": AWS, "app.py": app}) == {
        "aws.py": (PORTED_AWS, [("GGL100", 7, 43, QOS)]),
        "app.py": (app.replace(", qos=1", ""), [("GGL100", 5, 42, QOS)]),
    }


def test_a_use_not_followed_in_the_importer_keeps_the_client_on_both_sides(tmp_path):
    app = 'from aws import iot\n\nCLIENTS = [iot]\n\n\ndef handler(event, context):\n    iot.publish(topic="t", payload=b"x", qos=1)\n'
    assert port(tmp_path, {"aws.py": AWS, "app.py": app}) == {
        "aws.py": (None, [("GGL141", 3, 7, "the `iot-data` client stays on boto3: its use `iot, imported by app.py` cannot be followed")]),
        "app.py": (None, []),
    }


def test_a_control_plane_call_in_the_importer_keeps_the_client_whole(tmp_path):
    app = 'from aws import iot\n\n\ndef handler(event, context):\n    iot.list_named_shadows_for_thing(thingName="t")\n'
    assert port(tmp_path, {"aws.py": AWS, "app.py": app})["aws.py"] == (
        None,
        [("GGL142", 3, 7, "the `iot-data` client stays on boto3: `list_named_shadows_for_thing` has no Greengrass Core SDK equivalent")],
    )


def test_a_module_imported_whole_keeps_its_clients(tmp_path):
    app = "import aws\n\n\ndef handler(event, context):\n    aws.iot.get_thing_shadow(thingName='t')['payload'].read()\n"
    assert port(tmp_path / "pkg", {"aws.py": AWS, "app.py": app})["aws.py"] == (
        None, [("GGL141", 3, 7, "the `iot-data` client stays on boto3: its use `iot, its module imported by app.py` cannot be followed")]
    )


def test_a_package_relative_import_is_seen_from_the_package_root(tmp_path):
    files = {
        "src/app.py": "from lib.aws import iot\n\nCLIENTS = {'iot': iot}\n",
        "src/lib/__init__.py": "",
        "src/lib/aws.py": AWS,
    }
    assert port(tmp_path, files)["src/lib/aws.py"][1] == [
        ("GGL141", 3, 7, "the `iot-data` client stays on boto3: its use `iot, imported by app.py` cannot be followed")
    ]


def test_a_client_used_only_inside_its_module_is_ported(tmp_path):
    app = "from aws import send\n\n\ndef handler(event, context):\n    send(b'x')\n"
    assert port(tmp_path, {"aws.py": AWS, "app.py": app})["aws.py"] == (
        PORTED_AWS,
        [("GGL100", 7, 43, QOS)],
    )


def test_a_result_that_depends_on_other_modules_is_never_cached(tmp_path):
    from click.testing import CliRunner

    from gglift.cli import main

    app = 'from aws import iot\n\n\ndef handler(event, context):\n    iot.publish(topic="t", payload=b"x", qos=1)\n'
    (tmp_path / "app.py").write_text(app)
    (tmp_path / "aws.py").write_text("iot = make_client()\n")  # not a client yet: app.py is clean
    first = CliRunner().invoke(main, ["port", str(tmp_path)])
    assert first.exit_code == 0, first.output
    assert (tmp_path / "app.py").read_text() == app
    # aws.py alone changes, and app.py's calls now need porting: a cache keyed by
    # app.py's bytes would answer "clean" and leave a half port
    (tmp_path / "aws.py").write_text('import boto3\n\niot = boto3.client("iot-data")\n')
    second = CliRunner().invoke(main, ["port", str(tmp_path)])
    assert second.exit_code == 0, second.output
    assert (tmp_path / "app.py").read_text() == app.replace(", qos=1", "")
    assert (tmp_path / "aws.py").read_text() == 'import greengrasssdk\n\niot = greengrasssdk.client("iot-data")\n'


CLIENTS = 'import boto3\n\n\ndef iot_client():\n    return boto3.client("iot-data")\n'
PORTED_CLIENTS = 'import greengrasssdk\n\n\ndef iot_client():\n    return greengrasssdk.client("iot-data")\n'


def test_a_client_returned_by_a_function_of_another_module_is_followed_there(tmp_path):
    app = (
        "from clients import iot_client\n\niot = iot_client()\n\n\ndef handler(event, context):\n"
        '    iot.publish(topic="t", payload=b"x", qos=1)\n'
        '    iot_client().get_thing_shadow(thingName="t")["payload"].read()\n'
    )
    ported = app.replace(", qos=1", "").replace(".read()", "")
    assert port(tmp_path, {"clients.py": CLIENTS, "app.py": app}) == {
        "clients.py": (PORTED_CLIENTS, []),
        "app.py": (
            ported,
            [
                ("GGL100", 7, 42, QOS),
                ("GGL111", 8, 61, "`.read()` removed: the shadow payload is bytes on the core, not a stream"),
            ],
        ),
    }


def test_a_returned_client_lost_in_the_importer_stays_on_boto3_in_both(tmp_path):
    app = "from clients import iot_client\n\nFACTORIES = [iot_client]\n\n\ndef handler(event, context):\n    iot_client().publish(topic='t', payload=b'x')\n"
    assert port(tmp_path, {"clients.py": CLIENTS, "app.py": app}) == {
        "clients.py": (None, [("GGL141", 5, 12, "the `iot-data` client stays on boto3: its use `iot_client, imported by app.py` cannot be followed")]),
        "app.py": (None, []),
    }


def test_a_control_plane_call_on_a_returned_client_keeps_it_whole(tmp_path):
    app = "from clients import iot_client\n\n\ndef handler(event, context):\n    iot_client().list_named_shadows_for_thing(thingName='t')\n"
    assert port(tmp_path, {"clients.py": CLIENTS, "app.py": app})["clients.py"] == (
        None,
        [("GGL142", 5, 12, "the `iot-data` client stays on boto3: `list_named_shadows_for_thing` has no Greengrass Core SDK equivalent")],
    )


def test_a_returned_greengrasssdk_client_gives_the_importer_its_resources(tmp_path):
    helper = 'import greengrasssdk\n\n\ndef iot_client():\n    return greengrasssdk.client("iot-data")\n'
    app = "from clients import iot_client\n\n\ndef handler(event, context):\n    iot_client().publish(topic='plant/status', payload=b'x')\n"
    for name, text in {"clients.py": helper, "app.py": app}.items():
        (tmp_path / name).write_text(text)
    result = analyze_path(tmp_path / "app.py")
    assert (result.changed, [(r.value, r.line) for r in result.publishes]) == (False, [("plant/status", 5)])


HELPERS = 'def publish_status(session, status):\n    session.client("iot-data").publish(topic="status", payload=status, qos=1)\n'


def handler_passing(session: str) -> str:
    return f"import boto3\nfrom helpers import publish_status\n\nsession = {session}\n\n\ndef handler(event, context):\n    publish_status(session, b'ok')\n"


def test_a_client_made_from_a_session_another_module_passes_in_is_followed(tmp_path):
    # helpers.py never mentions boto3: the service name lets it through the pre-filter
    assert port(tmp_path, {"handler.py": handler_passing("boto3.Session()"), "helpers.py": HELPERS}) == {
        "handler.py": (None, []),
        "helpers.py": (
            'import greengrasssdk\ndef publish_status(session, status):\n    greengrasssdk.client("iot-data").publish(topic="status", payload=status)\n',
            [("GGL100", 2, 72, QOS)],
        ),
    }


def test_a_session_with_its_own_credentials_passed_in_is_reported_not_ported(tmp_path):
    handler = handler_passing("boto3.Session(profile_name='plant')")
    assert port(tmp_path, {"handler.py": handler, "helpers.py": HELPERS})["helpers.py"] == (
        None,
        [
            (
                "GGL145",
                2,
                5,
                'the `iot-data` client `session.client("iot-data")` creates stays on boto3: `session` is a parameter of `publish_status`, whose callers cannot all be seen',
            )
        ],
    )
