"""Properties of the port over generated Lambdas: client creations, aliases, flows, call shapes.

Each example is a whole module with one boto3 client of a portable service, reached through a
name, an alias, a parameter, ``self`` or a factory, optionally lost somewhere the port cannot
follow, and called in the shapes cloud code uses, with comments around the arguments. Whatever
is generated, the port must keep every comment, give code that parses, be idempotent, leave
no cloud-only argument or ``.read()`` on a ported client, and never rewrite a creation while a
use of it is not followed.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gglift.port import analyze_source

ARN = "arn:aws:lambda:eu-west-1:123456789012:function:w"

# (call, what it makes of the client); the arguments one per line so comments can sit
# between them. PORTABLE calls port, a CLOUD call keeps the client whole (GGL142), a LOST
# call cannot be followed (GGL141).
PORTABLE, CLOUD, LOST = "portable", "cloud", "lost"
CALLS = {
    "iot-data": [
        ('publish(\n        topic="t/1",{c}\n        qos=1,\n        payload=b"x",{c}\n    )', PORTABLE),
        ('publish(topic="t/2", payload=b"y", qos=0)', PORTABLE),
        ('publish(\n        topic="t/3",{c}\n        retain=False,\n    )', PORTABLE),
        ('publish(qos=1,{c}\n        topic="t/4", payload=b"z")', PORTABLE),
        ('publish(**{"topic": "t/5", "payload": b"w"})', PORTABLE),
        ('publish(**{"topic": "t/6", "qos": 1})', LOST),
        ('get_thing_shadow(thingName="pump")["payload"].read()', PORTABLE),
        ("list_named_shadows_for_thing(thingName='pump')", CLOUD),
    ],
    "lambda": [
        (f'invoke(\n        FunctionName="{ARN}",{{c}}\n        LogType="Tail",\n        Payload=b"{{{{}}}}",\n    )', PORTABLE),
        (f'invoke(FunctionName="{ARN}", InvocationType="DryRun")', PORTABLE),
        (f'invoke_async(FunctionName="{ARN}", InvokeArgs=b"1")', PORTABLE),
        (f'invoke(*ARGS, FunctionName="{ARN}")', LOST),
        ('update_function_configuration(FunctionName="w", Timeout=3)', CLOUD),
    ],
    "secretsmanager": [
        ('get_secret_value(\n        SecretId="db",{c}\n    )["SecretString"]', PORTABLE),
        ('describe_secret(SecretId="db")', CLOUD),
    ],
}
CREATIONS = [
    'boto3.client("{s}")',
    'boto3.client("{s}", region_name="eu-west-1")',
    'boto3.Session().client("{s}")',
    'boto3.session.Session(region_name=REGION).client(service_name="{s}")',
]
ESCAPES = [
    "REGISTRY = {{'c': {r}}}",
    "register({r})",
    "holder.client = {r}",
    "CALLBACK = {r}.{m}",
]
CLOUD_ONLY = re.compile(r"qos\W+1|LogType=|retain=False|\.read\(\)|InvocationType=\"DryRun\"|InvokeArgs=|invoke_async")


@dataclass
class Program:
    text: str
    escapes: bool  # the client is lost somewhere the port cannot follow
    cloud_calls: bool  # a call has no edge equivalent
    comments: list[str]


@st.composite
def programs(draw) -> Program:
    service = draw(st.sampled_from(sorted(CALLS)))
    creation = draw(st.sampled_from(CREATIONS)).format(s=service)
    flow = draw(st.sampled_from(["name", "alias", "param", "self", "factory"]))
    calls = draw(st.lists(st.sampled_from(CALLS[service]), min_size=1, max_size=4))
    escape = draw(st.none() | st.sampled_from(ESCAPES))
    counter = iter(range(1000))
    comments: list[str] = []

    def comment() -> str:
        text = f"# keep-{next(counter)}"
        comments.append(text)
        return text

    def body(receiver: str, indent: str) -> str:
        lines = []
        for call, _ in calls:
            if "{c}" in call and draw(st.booleans()):
                call = call.replace("{c}", "  " + comment(), 1)
            filled = call.replace("{c}", "")
            lines.append(f"{indent}{comment()}\n{indent}value = {receiver}.{filled}")
        return "\n".join(lines) + "\n"

    head = f"import boto3  {comment()}\n\nREGION = 'eu-west-1'\n"
    method = next(call.split("(")[0] for call, _ in calls)
    if flow == "self":
        code = (
            head
            + f"\n\nclass Store:\n    def __init__(self):\n        self.client = {creation}\n\n"
            + "    def handle(self, event):\n"
            + body("self.client", "        ")
            + "        return value\n\n\ndef handler(event, context):\n    store = Store()\n"
            + "    return store.handle(event)\n"
        )
        # a `self` client escapes through the instance, seen as `<other>.client`
        escape_line = "holder.client = Store().client" if escape else ""
    else:
        if flow == "factory":
            code = head + f"\n\ndef make():\n    return {creation}\n\n\nclient = make()\n"
        else:
            code = head + f"\nclient = {creation}\n"
        receiver = "client"
        if flow == "alias":
            code += "other = client\n"
            receiver = "other"
        if flow == "param":
            code += "\n\ndef work(c):\n" + body("c", "    ") + "    return value\n"
            code += "\n\ndef handler(event, context):\n    return work(client)\n"
        else:
            code += "\n\ndef handler(event, context):\n" + body(receiver, "    ") + "    return value\n"
        escape_line = escape.format(r=receiver, m=method) if escape else ""
    if escape_line:
        code += "\n" + escape_line + "\n"
    shapes = {shape for _, shape in calls}
    return Program(code, escape is not None or LOST in shapes, CLOUD in shapes, comments)


@settings(max_examples=60, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_port_invariants(program: Program) -> None:
    result = analyze_source(program.text.encode(), Path("app.py"))
    ported = result.new_source.decode() if result.new_source is not None else program.text
    codes = [f.code for f in result.findings]

    for comment in program.comments:  # every comment survives
        assert comment in ported, (comment, ported)
    ast.parse(ported)  # the ported code parses
    assert analyze_source(ported.encode(), Path("app.py")).new_source is None  # idempotent

    created_on_sdk = "greengrasssdk.client(" in ported
    if program.escapes or program.cloud_calls:  # never a half port
        assert not created_on_sdk, ported
        assert {"GGL141", "GGL142"} & set(codes), codes
    else:
        assert created_on_sdk, (ported, codes)
    if created_on_sdk:  # no cloud-only argument or .read() left on the ported client
        assert not CLOUD_ONLY.search(ported), ported
