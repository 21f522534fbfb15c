"""Each semantic rule, with the exact message a user sees."""

from __future__ import annotations

import pytest

from gglift.config.validate import topic_filter_problems

BASE = """
[[function]]
name = "fn"
handler = "app.handler"
{extra}
"""


def one(problems_of, extra: str) -> list[str]:
    return problems_of(BASE.format(extra=extra))


def test_a_sound_config_has_no_problems(problems_of):
    assert one(problems_of, 'lambda_arn = "arn:aws:lambda:eu-west-1:123456789012:function:fn:7"\ncomponent = {name = "com.example.Fn", version = "7.0.0-rc.1+b5"}') == []


@pytest.mark.parametrize(
    "arn, message",
    [
        ("arn:aws:lambda:eu-west-1:123456789012:function:fn", "the ARN has no version: Greengrass imports only a published Lambda version"),
        ("arn:aws:lambda:eu-west-1:123456789012:function:fn:$LATEST", "$LATEST cannot be imported as a component: Greengrass needs a published version"),
        ("arn:aws:lambda:eu-west-1:123456789012:function:fn:Dev", "'Dev' is an alias: Greengrass refuses aliases (with an AccessDenied error)"),
    ],
)
def test_lambda_arn_must_name_a_published_version(problems_of, arn, message):
    assert one(problems_of, f'lambda_arn = "{arn}"') == [
        f"gglift.toml: function[0].lambda_arn (function 'fn'): {message}\n"
        "  hint: append the published version number, e.g. arn:aws:lambda:eu-west-1:123456789012:function:fn:1"
    ]


def test_lambda_arn_must_be_an_arn(problems_of):
    assert one(problems_of, 'lambda_arn = "fn:1"') == [
        "gglift.toml: function[0].lambda_arn (function 'fn'): 'fn:1' is not a Lambda function ARN\n"
        "  hint: use arn:aws:lambda:<region>:<account>:function:<name>:<version>"
    ]


@pytest.mark.parametrize("version", ["1.0", "v1.0.0", "01.0.0", "1.0.0.0"])
def test_component_version_must_be_semver(problems_of, version):
    assert one(problems_of, f'component = {{version = "{version}"}}') == [
        f"gglift.toml: function[0].component.version (function 'fn'): {version!r} is not a semantic version\n"
        '  hint: write MAJOR.MINOR.PATCH, e.g. "1.0.0" (Lambda version N is usually "N.0.0")'
    ]


@pytest.mark.parametrize(
    "key, toml, minimum",
    [
        ("maxInstancesCount", "maxInstancesCount = 0", 1),
        ("maxIdleTimeInSeconds", "maxIdleTimeInSeconds = 5", 30),
        ("timeoutInSeconds", "timeoutInSeconds = 0", 1),
        ("statusTimeoutInSeconds", "statusTimeoutInSeconds = 29", 30),
        ("maxQueueSize", "maxQueueSize = 0", 1),
        ("linuxProcessParams.containerParams.memorySizeInKB", "linuxProcessParams = {containerParams = {memorySizeInKB = 1024}}", 2048),
    ],
)
def test_numbers_below_minimums(problems_of, key, toml, minimum):
    value = toml.rsplit("= ", 1)[1].strip("}")
    assert one(problems_of, toml) == [
        f"gglift.toml: function[0].{key} (function 'fn'): {value} is below the minimum of {minimum}\n"
        f"  hint: set it to {minimum} or more, or remove it for the default"
    ]


@pytest.mark.parametrize(
    "topic, message",
    [
        ("a/#/b", "`#` must be the last level of the filter"),
        ("a/b#", '`#` must be a whole level, not part of "b#"'),
        ("a/+b/c", '`+` must be a whole level, not part of "+b"'),
        ("", "the topic filter is empty"),
    ],
)
def test_event_source_topic_must_be_a_valid_filter(problems_of, topic, message):
    assert one(problems_of, f'eventSources = [{{topic = "{topic}"}}]') == [
        f"gglift.toml: function[0].eventSources[0].topic (function 'fn'): {message}\n"
        "  hint: `+` and `#` must fill a whole level; `#` only as the last level"
    ]


@pytest.mark.parametrize("topic", ["a/b", "a/+/c", "#", "+", "a/#", "$aws/things/x/shadow/#", "/leading"])
def test_valid_topic_filters_pass(topic):
    assert topic_filter_problems(topic) == []


def test_executables_need_binary_input(problems_of):
    assert problems_of(
        """
        [[function]]
        name = "fn"
        handler = "fn"
        runtime = "executable"
        inputPayloadEncodingType = "json"
        """
    ) == [
        "gglift.toml: function[0].inputPayloadEncodingType (function 'fn'): C Lambda executables take binary input only\n"
        '  hint: set inputPayloadEncodingType = "binary" or remove the key'
    ]


def test_executables_default_to_binary_input(problems_of, tmp_path):
    assert problems_of('[[function]]\nname = "fn"\nhandler = "fn"\nruntime = "executable"\n') == []
    from gglift.config import load_project

    assert load_project(tmp_path).functions[0].inputPayloadEncodingType == "binary"


@pytest.mark.parametrize(
    "table, key, message, hint",
    [
        ('volumes = [{sourcePath = "/proc/sys", destinationPath = "/x"}]', "volumes[0].sourcePath",
         "'/proc/sys' is inside /proc, which the container does not let you mount", "mount a folder outside /proc; set mountROSysfs = true for /sys"),
        ('volumes = [{sourcePath = "/data", destinationPath = "/proc"}]', "volumes[0].destinationPath",
         "'/proc' is inside /proc, which the container does not let you mount", "mount a folder outside /proc; set mountROSysfs = true for /sys"),
        ('volumes = [{sourcePath = "data", destinationPath = "/data"}]', "volumes[0].sourcePath",
         "'data' is not an absolute path", "write the full path, starting with /"),
        ('volumes = [{sourcePath = "/dev/ttyS0", destinationPath = "/dev/ttyS0"}]', "volumes[0].sourcePath",
         "'/dev/ttyS0' is a device path", "list it under containerParams.devices instead"),
        ('devices = [{path = "/home/pi/x"}]', "devices[0].path",
         "'/home/pi/x' is not a device under /dev", 'give the device file, e.g. "/dev/ttyUSB0"; mount folders as volumes'),
        ('devices = [{path = "/dev/../etc/passwd"}]', "devices[0].path",
         "'/dev/../etc/passwd' is not a device under /dev", 'give the device file, e.g. "/dev/ttyUSB0"; mount folders as volumes'),
    ],
)
def test_volumes_and_devices(problems_of, table, key, message, hint):
    problems = one(problems_of, f"linuxProcessParams = {{containerParams = {{{table}}}}}")
    assert problems[0] == f"gglift.toml: function[0].linuxProcessParams.containerParams.{key} (function 'fn'): {message}\n  hint: {hint}"


def test_enums_come_from_the_service_model(problems_of):
    problems = one(
        problems_of,
        'inputPayloadEncodingType = "text"\nlinuxProcessParams = {isolationMode = "Docker", containerParams = {devices = [{path = "/dev/i2c-1", permission = "rwx"}]}}',
    )
    hint = "  hint: see the CreateComponentVersion API reference for the allowed values"
    assert problems == [
        f"gglift.toml: function[0].inputPayloadEncodingType (function 'fn'): 'text' is not one of json, binary\n{hint}",
        f"gglift.toml: function[0].linuxProcessParams.isolationMode (function 'fn'): 'Docker' is not one of GreengrassContainer, NoContainer\n{hint}",
        f"gglift.toml: function[0].linuxProcessParams.containerParams.devices[0].permission (function 'fn'): 'rwx' is not one of ro, rw\n{hint}",
    ]


def test_lengths_come_from_the_service_model(problems_of):
    name = "c" * 129
    assert one(problems_of, f'component = {{name = "{name}"}}') == [
        "gglift.toml: function[0].component.name (function 'fn'): allows at most 128 characters\n"
        "  hint: see the CreateComponentVersion API reference for the allowed values"
    ]


def test_runtime_and_architecture(problems_of):
    assert one(problems_of, 'runtime = "nodejs18.x"\ncomponent = {platforms = [{architecture = "sparc"}]}') == [
        "gglift.toml: function[0].runtime (function 'fn'): unsupported runtime 'nodejs18.x'\n"
        '  hint: use "python3.x" (e.g. "python3.11") or "executable" for a C Lambda executable',
        "gglift.toml: function[0].component.platforms[0].architecture (function 'fn'): unknown architecture 'sparc'\n"
        "  hint: use one of: aarch64, amd64, x86_64, armv7l, arm, x86",
    ]


def test_subscriptions_name_known_endpoints_and_valid_subjects(problems_of):
    problems = problems_of(
        BASE.format(extra="")
        + """
[[subscription]]
source = "fn"
subject = "a/#/b"
target = "nobody"

[[subscription]]
source = "cloud"
subject = "cmd/+"
target = "component:com.example.Logger"
"""
    )
    assert problems == [
        "gglift.toml: subscription[0].target: 'nobody' is not a function of this project, `cloud` or `component:<name>`\n"
        "  hint: use one of: fn, cloud, component:<name>",
        "gglift.toml: subscription[0].subject: `#` must be the last level of the filter\n"
        "  hint: `+` and `#` must fill a whole level; `#` only as the last level",
    ]


def test_component_names_must_differ(problems_of):
    problems = problems_of(
        """
        [[function]]
        name = "a"
        handler = "app.h"
        component = {name = "com.example.X"}
        [[function]]
        name = "b"
        handler = "app.h"
        component = {name = "com.example.X"}
        """
    )
    assert problems == [
        "gglift.toml: function[1].component.name (function 'b'): component name 'com.example.X' is already used by function 'a'\n"
        "  hint: give each function its own component name"
    ]


def test_every_problem_is_reported_at_once(problems_of):
    problems = one(problems_of, 'timeoutInSeconds = 0\nmaxQueueSize = 0\ncomponent = {version = "x"}')
    assert len(problems) == 3


def test_names_follow_lambdas_rules(problems_of):
    assert problems_of('[[function]]\nname = "my fn!"\nhandler = "app.h"\nenvironmentVariables = {"1BAD" = "x", GOOD = "y"}\n') == [
        "gglift.toml: function[0].name (function 'my fn!'): 'my fn!' is not a valid Lambda function name\n"
        "  hint: use 1 to 64 letters, digits, - and _",
        "gglift.toml: function[0].environmentVariables.1BAD (function 'my fn!'): '1BAD' is not a valid environment variable name\n"
        "  hint: start with a letter; use letters, digits and _",
    ]


@pytest.mark.parametrize("name", ["../../../x", "/abs/path", "a/b", "..", ".", "com example"])
def test_component_name_follows_greengrass_rules_so_no_output_leaves_build(problems_of, tmp_path, name):
    problems = one(problems_of, f'component = {{name = "{name}"}}')
    assert (f"gglift.toml: function[0].component.name (function 'fn'): {name!r} is not a valid component name\n"
            "  hint: use 1 to 128 letters, digits, '.', '-' and '_', e.g. \"com.example.SensorGateway\"") in problems
    assert sorted(p.name for p in tmp_path.parent.iterdir() if p.name in ("x", "abs")) == []


@pytest.mark.parametrize("handler, why", [
    ("../../../../etc/hostname", "'..' in the path"),
    ("/etc/hostname", "an absolute path"),
    ("bin/../../x", "'..' in the path"),
    ("link/hostname", "it leads through a symlink"),
])
def test_an_executable_handler_must_be_inside_source(problems_of, tmp_path, handler, why):
    (tmp_path / "link").symlink_to("/etc")
    problems = problems_of(f'[[function]]\nname = "fn"\nruntime = "executable"\nhandler = "{handler}"\n')
    assert problems == [
        f"gglift.toml: function[0].handler (function 'fn'): the executable {handler!r} is not a plain path inside the source folder: {why}\n"
        "  hint: name the executable's file relative to source, e.g. \"build/my_lambda\", without '..' or symlinks"
    ]


@pytest.mark.parametrize("source", ["../elsewhere", "/etc", "etc-link"])
def test_source_must_be_inside_the_project(problems_of, tmp_path, source):
    (tmp_path / "etc-link").symlink_to("/etc")
    resolved = (tmp_path / source).resolve()
    assert one(problems_of, f'source = "{source}"') == [
        f"gglift.toml: function[0].source (function 'fn'): the source folder {resolved} is outside the project folder "
        f"{tmp_path.resolve()} (symlinks count where they point)\n"
        "  hint: keep the function's code inside the project folder and point source at it"
    ]


def test_a_source_folder_inside_the_project_and_a_nested_executable_are_fine(problems_of, tmp_path):
    (tmp_path / "src" / "bin").mkdir(parents=True)
    assert one(problems_of, 'source = "src"\nruntime = "executable"\ninputPayloadEncodingType = "binary"') == []
    assert problems_of('[[function]]\nname = "fn"\nhandler = "bin/app"\nruntime = "executable"\nsource = "src"\n') == []
