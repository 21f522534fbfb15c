"""The porting table: what to change in each provable boto3 call, and what to report.

``plan_port`` turns an :class:`~gglift.port.analysis.Analysis` into a :class:`Plan`: edits
(functions from the already-transformed node to its replacement, keyed by the original node),
findings anchored at nodes, and the resources the code uses. Nothing here touches the tree;
:mod:`gglift.port.transform` applies the edits.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterator, Optional, Union

import libcst as cst

from gglift.port import analysis as an
from gglift.port.analysis import Analysis, CallSite, Kind, child_nodes
from gglift.port.flows import Tree, Uses, client_uses
from gglift.port.rules import STREAM_EXPORTS, STREAM_MANAGER_HINT
from gglift.port.values import literal_value, source_text, static_values

PORTABLE = frozenset({"iot-data", "lambda", "secretsmanager"})
SDK_METHODS = {
    "iot-data": {"publish", "get_thing_shadow", "update_thing_shadow", "delete_thing_shadow"},
    "lambda": {"invoke"},
    "secretsmanager": {"get_secret_value"},
}
MQTT5_PROPERTIES = (
    "userProperties",
    "payloadFormatIndicator",
    "contentType",
    "responseTopic",
    "correlationData",
    "messageExpiry",
)
# what the ported calls raise instead of ClientError, by service
SDK_EXCEPTIONS = {
    "shadow": "greengrasssdk.IoTDataPlane.ShadowError",
    "invocation": "greengrasssdk.Lambda.InvocationException",  # invoke, and publish's transport
    "secretsmanager": "greengrasssdk.SecretsManager.SecretsManagerError",
}
# arguments of a client or session creation that name whose identity makes the calls
CREDENTIAL_ARGS = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token", "profile_name", "botocore_session")
# the longest use quoted in a GGL141 message
_QUOTE_LIMIT = 60
# what a ported client's calls raise, by service (for client.exceptions.X)
_RAISED_BY_SERVICE = {
    "iot-data": f"{SDK_EXCEPTIONS['shadow']} (shadow calls) or {SDK_EXCEPTIONS['invocation']} (publish)",
    "lambda": SDK_EXCEPTIONS["invocation"],
    "secretsmanager": SDK_EXCEPTIONS["secretsmanager"],
}
# arn:aws:lambda:<region>:<12 digits>:function:<name>[:<qualifier>], '*' for unknown parts
_ARN = re.compile(r"^arn:aws[a-z-]*:lambda:[a-z0-9*-]+:(\d{12}|\*):function:[A-Za-z0-9_*-]+(:[A-Za-z0-9_$*-]+)?$")

# where a Lambda's log is on the core, instead of the cloud's LogType/LogResult
_DEVICE_LOG_HINT = "read the function's log on the device (/greengrass/v2/logs/<component>.log)"

# codecs that decode base64 output unchanged: `.decode(<codec>)` of it is the same text
_ASCII_CODECS = frozenset({"ascii", "utf-8", "utf8", "latin-1", "iso-8859-1"})

# Powertools object kind -> (its handler decorator, code, what it sends, hint)
_HANDLER_DECORATORS = {
    an.TRACER: (
        "capture_lambda_handler",
        "GGL161",
        "X-Ray trace segments",
        "remove it, or set POWERTOOLS_TRACE_DISABLED=true in the component's environment",
    ),
    an.METRICS: (
        "log_metrics",
        "GGL161",
        "CloudWatch embedded-metric (EMF) log lines",
        "publish the figures another way (e.g. a local topic or stream manager), or drop the decorator",
    ),
    an.LOGGER: ("inject_lambda_context", "GGL162", "", ""),
}

Edit = Callable[[cst.CSTNode], cst.CSTNode]


@dataclass
class FindingAt:
    code: str
    node: cst.CSTNode  # where it is reported
    fields: dict = field(default_factory=dict)


@dataclass
class ResourceAt:
    category: str  # "publishes" | "secrets" | "invokes" | "shadows"
    value: str
    literal: bool
    resolved: bool
    node: cst.CSTNode


@dataclass
class Plan:
    edits: dict[int, tuple[cst.CSTNode, Edit]] = field(default_factory=dict)
    path_of: dict[int, tuple] = field(default_factory=dict)  # id(edited node) -> its ancestors
    findings: list[FindingAt] = field(default_factory=list)
    resources: list[ResourceAt] = field(default_factory=list)
    removed_refs: Counter = field(default_factory=Counter)  # names that edits delete
    ported: frozenset = frozenset()  # origins of the clients the port makes greengrasssdk ones
    creates_sdk_client: bool = False

    def edit(self, node: cst.CSTNode, path: tuple, fn: Edit) -> None:
        self.edits[id(node)] = (node, fn)
        self.path_of[id(node)] = path


class _Planner:
    def __init__(self, analysis: Analysis, sdk_name: str, tree: Tree, ported_elsewhere: frozenset):
        self.analysis = analysis
        self.sdk_name = sdk_name
        self.tree = tree
        self.ported_elsewhere = ported_elsewhere
        if tree is not None:
            analysis.passed_elsewhere = tree.passed_kinds
        self.plan = Plan()
        self.ported_trys: dict[int, set[str]] = {}  # id(Try) -> what its ported calls raise
        self.ported: frozenset = frozenset()  # ids of the creations that are ported

    def run(self) -> Plan:
        self._decide_clients()
        for site in self.analysis.calls:
            self._call(site)
        for read in self.analysis.field_reads:
            kind = self.analysis.kind_of(read.node.value, read.scope)
            if kind == an.INVOKE_RESULT and self._is_ported(kind):
                self._invoke_result_read(read.key)
        for decorator, scope in self.analysis.decorators:
            self._telemetry_decorator(decorator, scope)
        self._handlers()
        self._dead_assignments()
        return self.plan

    def _makes_cloud_call(self, value: cst.CSTNode, scope) -> bool:
        """True if a call in ``value`` is made on something boto3 gave."""
        for call in _calls_in([value]):
            func = self.analysis.kind_of(call.func, scope)
            if func is not None and func.tag == an.METHOD and func.sdk == "boto3":
                return True
        return False

    def _dead_assignments(self) -> None:
        """Remove ``name = <session or client creation>`` lines whose only uses the port
        removed; report such lines that make a call (GGL144), which may have an effect."""
        pending = list(self.analysis.assigns)
        changed = True
        while changed:
            changed = False
            for site in list(pending):
                name = site.node.targets[0].target.value  # type: ignore[attr-defined]
                removed = self.plan.removed_refs.get(name, 0)
                if not removed or self.analysis.ref_count(name) - removed != 1:
                    continue  # still used (the assignment itself is one occurrence)
                pending.remove(site)
                value = site.node.value
                kind = self.analysis.kind_of(value, site.scope)
                pure = kind is not None and (kind == an.SESSION or kind.tag == an.CLIENT)
                if pure and isinstance(value, cst.Call) and not _has_call(value.args):
                    block = site.path[-1]
                    only = isinstance(block, cst.IndentedBlock) and len(block.body) == 1
                    self.plan.edit(site.line, site.path, _to_pass if only else _remove)
                    self.plan.removed_refs.update(_names_in(site.node))
                    changed = True
                elif self._makes_cloud_call(value, site.scope):
                    self.plan.findings.append(FindingAt("GGL144", value, {"name": name, "call": _quoted(value)}))

    # -- which clients are ported ------------------------------------------------------------

    def _is_ported(self, kind: Optional[Kind]) -> bool:
        """True for what comes from ported creations only (or from a greengrasssdk client)."""
        return kind is not None and kind.origins <= self.ported

    def _creation_services(self, site: CallSite) -> Optional[set]:
        """The services a boto3 client creation makes: one, or a factory's callers' choice."""
        created = self.analysis.kind_of(site.node, site.scope)
        if created is not None:
            return {created.service}
        info = site.scope.function
        factory = self.analysis.factory_parameter(info) if info is not None else None
        if factory is None or factory[0] is not site.node:
            return None
        passed = self.analysis.passed_values(info, factory[1], factory[2])
        if passed is None:
            return None
        services = {literal_value(value) for value, _ in passed}
        return services if all(isinstance(s, str) for s in services) else None

    def _decide_clients(self) -> None:
        """Port a creation only if every use of it is known and has an edge equivalent."""
        candidates: dict[int, tuple[CallSite, str, Uses]] = {}
        for site in self.analysis.calls:
            func = self.analysis.kind_of(site.node.func, site.scope)
            if func is None or func != an.CLIENT_FACTORY:
                continue
            services = self._creation_services(site)
            if not services or not services <= PORTABLE:
                continue
            service = ", ".join(sorted(services))
            candidates[id(site.node)] = (site, service, client_uses(self.analysis, site, self.tree))
        ported = set(self.ported_elsewhere)  # clients other modules create and port
        for key, (site, service, uses) in candidates.items():
            if uses.untracked:
                self._keep(site, "GGL141", service=service, use=_quoted(uses.untracked[0]))
                continue
            cloud = [name for name in self._method_names(uses) if name not in _PORTED_NAMES]
            if cloud:
                self._keep(site, "GGL142", service=service, method=cloud[0])
                continue
            ported.add(key)
        changed = True
        while changed:  # a call that may use a kept client keeps every client it may use
            changed = False
            for key in list(ported - self.ported_elsewhere):
                uses = candidates[key][2]
                kinds = [self.analysis.kind_of(call.func, scope) for call, scope in uses.calls]
                if any(kind is None or not kind.origins <= ported for kind in kinds):
                    ported.discard(key)
                    site, service, _ = candidates[key]
                    self._keep(site, "GGL141", service=service, use="a call that may use another, kept client")
                    changed = True
        self.ported = self.plan.ported = frozenset(ported)
        for key in ported - self.ported_elsewhere:
            site, service, uses = candidates[key]
            self._port_client_creation(site)
            raised = " or ".join(_RAISED_BY_SERVICE[s] for s in service.split(", "))
            for attribute, _ in uses.exceptions:
                fields = {"name": source_text(attribute), "replacement": raised}
                self.plan.findings.append(FindingAt("GGL113", attribute, fields))

    def _method_names(self, uses: Uses) -> list[str]:
        names = list(uses.elsewhere)
        for call, _ in uses.calls:
            assert isinstance(call.func, cst.Attribute)
            names.append(call.func.attr.value)
        return names

    def _keep(self, site: CallSite, code: str, **fields: str) -> None:
        self.plan.findings.append(FindingAt(code, site.node, fields))

    def _call(self, site: CallSite) -> None:
        node, scope = site.node, site.scope
        func = self.analysis.kind_of(node.func, scope)
        if func is not None:  # most calls have no kind: they skip these comparisons
            if func.tag == an.METHOD:
                self._method(site, func)
                return
            if func == an.RESOURCE_FACTORY:
                created = self.analysis.kind_of(node, scope)
                if created is not None:
                    self._cloud_only(site, created.service or "", "resource")
                return
            if func == an.XRAY_PATCH_ALL or (func == an.XRAY_PATCH and _patches_botocore(node)):
                self.plan.findings.append(FindingAt("GGL160", node, {"call": source_text(node)}))
                return
        if type(node.func) is not cst.Attribute:  # exact type: libcst's ABCs are slow to test
            return
        if func is None and node.func.attr.value == "client":
            self._client_from_parameter(site)
        elif (
            node.func.attr.value == "read"
            and not node.args
            and self.analysis.kind_of(node.func.value, scope) == an.SHADOW_PAYLOAD
            and self._is_ported(self.analysis.kind_of(node.func.value, scope))
        ):
            self.plan.edit(node, site.path, _unwrap_call)
            self.plan.findings.append(FindingAt("GGL111", node.func.attr))
        elif (
            node.func.attr.value == "get"
            and node.args
            and literal_value(node.args[0].value) in an.CLOUD_ONLY_INVOKE_FIELDS
            and self.analysis.kind_of(node.func.value, scope) == an.INVOKE_RESULT
            and self._is_ported(self.analysis.kind_of(node.func.value, scope))
        ):
            self._invoke_result_read(node.args[0].value)

    def _client_from_parameter(self, site: CallSite) -> None:
        """GGL145 for ``param.client('iot-data')`` when what ``param`` holds is not known."""
        node = site.node
        service = an.service_name(node)
        base = node.func.value  # type: ignore[attr-defined]
        if service not in PORTABLE or type(base) is not cst.Name:
            return
        sources = self.analysis.reaching(base, site.scope)
        if not sources or any(source[0] != "param" for source in sources):
            return
        fields = {"call": _quoted(node), "service": service, "name": base.value, "function": sources[0][1].name}
        self.plan.findings.append(FindingAt("GGL145", node, fields))

    # -- client creation ---------------------------------------------------------------------

    def _port_client_creation(self, site: CallSite) -> None:
        node = site.node
        service_arg = next(
            arg for arg in node.args if arg.keyword is None or arg.keyword.value == "service_name"
        )
        kept = _names_in(service_arg.value)
        self.plan.removed_refs.update(_names_in(node) - kept)
        self.plan.creates_sdk_client = True
        credentials = self._credentials(node, site.scope)
        if credentials is not None:
            assert isinstance(credentials, cst.Arg)
            named = credentials.keyword.value if credentials.keyword else "**" + source_text(credentials.value)
            self.plan.findings.append(FindingAt("GGL143", credentials, {"arg": named}))
        sdk_name = self.sdk_name

        def to_sdk_client(updated: cst.CSTNode) -> cst.CSTNode:
            assert isinstance(updated, cst.Call)
            return updated.with_changes(
                func=cst.Attribute(cst.Name(sdk_name), cst.Name("client")),
                args=[cst.Arg(value=service_arg.value)],
                whitespace_before_args=cst.SimpleWhitespace(""),
            )

        self.plan.edit(node, site.path, to_sdk_client)

    def _credentials(self, node: cst.Call, scope) -> Optional[cst.Arg]:
        """The first argument giving the creation (or its session) its own identity."""
        calls = [node]
        base = node.func.value if isinstance(node.func, cst.Attribute) else None
        if isinstance(base, cst.Name):
            sources = self.analysis.lookup(scope, base.value) or []
            base = sources[0][1] if len(sources) == 1 and sources[0][0] == "expr" else None
        if isinstance(base, cst.Call):
            calls.append(base)
        for call in calls:
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value in CREDENTIAL_ARGS:
                    return arg
                if arg.star == "**":
                    return arg  # credentials may hide in the mapping
        return None

    # -- method calls ------------------------------------------------------------------------

    def _method(self, site: CallSite, method: Kind) -> None:
        service, sdk, name = method.service, method.sdk, method.name
        assert service is not None and name is not None
        if service not in PORTABLE:
            if sdk == "boto3":
                self._cloud_only(site, service, name)
            return
        if not self._is_ported(method):
            if name not in _PORTED_NAMES:
                self._cloud_only(site, service, name)
            return
        node = site.node
        kwargs = {arg.keyword.value: arg for arg in node.args if arg.keyword is not None}
        for arg in node.args:
            if arg.star == "**":  # a dict literal (see flows): checked and recorded like keywords
                kwargs.update(an.unpacked_keywords(arg, self.analysis, site.scope) or {})
        ported_name = "invoke" if (service, name) == ("lambda", "invoke_async") and sdk == "boto3" else name
        if ported_name not in SDK_METHODS[service]:
            hint = "keep a boto3 client for it (cloud only) or remove the call"
            self.plan.findings.append(FindingAt("GGL150", node, {"service": service, "method": name, "hint": hint}))
            return
        if sdk == "boto3":
            if name in an.SHADOW_OPS:
                raised = "shadow"
            else:
                raised = "secretsmanager" if service == "secretsmanager" else "invocation"
            for try_node in site.trys:
                self.ported_trys.setdefault(id(try_node), set()).add(raised)
        drop: set[str] = set()
        rename: dict[str, str] = {}
        add: list[tuple[str, str]] = []
        if service == "iot-data" and name == "publish":
            self._publish(site, kwargs, sdk, drop)
        elif service == "iot-data":
            self._resource("shadows", kwargs.get("thingName"), site)
            if "shadowName" in kwargs:
                self.plan.findings.append(FindingAt("GGL110", kwargs["shadowName"]))
        elif service == "lambda":
            self._resource("invokes", kwargs.get("FunctionName"), site, check_arn=True)
            if name == "invoke_async":
                rename["InvokeArgs"] = "Payload"
                add.append(("InvocationType", '"Event"'))
            if sdk == "boto3":
                self._invoke_drops(kwargs, drop)
                if "ClientContext" in kwargs:
                    self._client_context(site, kwargs["ClientContext"])
            self._dry_run_kept(site, kwargs, sdk)
        else:
            self._resource("secrets", kwargs.get("SecretId"), site)
            if "VersionId" in kwargs:
                self.plan.findings.append(FindingAt("GGL130", kwargs["VersionId"]))
        for kw in drop:
            self.plan.removed_refs.update(_names_in(kwargs[kw]))
        if rename or add or drop or ported_name != name:
            self.plan.edit(node, site.path, _rewrite_call(drop, rename, add, ported_name))

    def _publish(self, site: CallSite, kwargs: dict, sdk: Optional[str], drop: set) -> None:
        self._resource("publishes", kwargs.get("topic"), site, topic=True)
        if sdk == "boto3" and "qos" in kwargs:
            drop.add("qos")
            qos = kwargs["qos"].value
            if literal_value(qos) != 0:
                self.plan.findings.append(FindingAt("GGL100", kwargs["qos"], {"qos": source_text(qos)}))
        if "retain" in kwargs:
            if sdk == "boto3" and literal_value(kwargs["retain"].value) is False:
                drop.add("retain")
            else:
                self.plan.findings.append(FindingAt("GGL101", kwargs["retain"], {"arg": "retain"}))
        for prop in MQTT5_PROPERTIES:
            if prop in kwargs:
                self.plan.findings.append(FindingAt("GGL101", kwargs[prop], {"arg": prop}))

    def _invoke_drops(self, kwargs: dict, drop: set) -> None:
        if "LogType" in kwargs:
            drop.add("LogType")
            if literal_value(kwargs["LogType"].value) != "None":  # 'None' asks for no log: nothing lost
                hint = _DEVICE_LOG_HINT
                self.plan.findings.append(FindingAt("GGL121", kwargs["LogType"], {"arg": "LogType", "hint": hint}))
        invocation_type = kwargs.get("InvocationType")
        if invocation_type is not None and literal_value(invocation_type.value) == "DryRun":
            drop.add("InvocationType")
            hint = "the call now really invokes the function: guard it if it was only a permission check"
            self.plan.findings.append(
                FindingAt("GGL121", invocation_type, {"arg": "InvocationType='DryRun'", "hint": hint})
            )

    def _dry_run_kept(self, site: CallSite, kwargs: dict, sdk: Optional[str]) -> None:
        """A DryRun that :meth:`_invoke_drops` cannot drop: a non-literal, or an SDK call."""
        arg = kwargs.get("InvocationType")
        if arg is None or (sdk == "boto3" and literal_value(arg.value) == "DryRun"):
            return
        values = static_values(arg.value, self.analysis, site.scope, topic=False)
        if any(value == "DryRun" and literal for value, literal, _ in values):
            self.plan.findings.append(FindingAt("GGL125", arg, {"value": source_text(arg.value)}))

    def _client_context(self, site: CallSite, arg: cst.Arg) -> None:
        """boto3 takes ClientContext as a base64 str, the SDK as bytes: fix the usual
        ``base64.b64encode(...).decode()``, accept what is provably bytes, report the rest."""
        value = arg.value
        if self._is_decoded_base64(value, site.scope):
            assert isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute)
            self.plan.edit(value, (*site.path, site.node, arg), _unwrap_call)
            self.plan.findings.append(FindingAt("GGL122", value.func.attr))
        elif not self._is_bytes(value, site.scope):
            self.plan.findings.append(FindingAt("GGL123", arg, {"value": source_text(value)}))

    def _is_bytes(self, value: cst.BaseExpression, scope) -> bool:
        if isinstance(value, cst.SimpleString):
            return "b" in value.prefix.lower()
        return isinstance(value, cst.Call) and self.analysis.kind_of(value.func, scope) == an.B64ENCODE

    def _is_decoded_base64(self, value: cst.BaseExpression, scope) -> bool:
        """``base64.b64encode(...).decode()`` with no argument or an ASCII-compatible codec."""
        if not (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute)):
            return False
        if value.func.attr.value != "decode" or len(value.args) > 1:
            return False
        if value.args:
            arg = value.args[0]
            if arg.keyword is not None and arg.keyword.value != "encoding":
                return False
            codec = literal_value(arg.value)
            if not isinstance(codec, str) or codec.lower().replace("_", "-") not in _ASCII_CODECS:
                return False
        encoded = value.func.value
        return isinstance(encoded, cst.Call) and self.analysis.kind_of(encoded.func, scope) == an.B64ENCODE

    def _invoke_result_read(self, key: cst.BaseExpression) -> None:
        name = literal_value(key)
        if name == "LogResult":
            hint = _DEVICE_LOG_HINT
        else:
            hint = "check `FunctionError` instead: empty on success, 'Handled' or 'Unhandled' on failure"
        self.plan.findings.append(FindingAt("GGL124", key, {"key": name, "hint": hint}))

    def _telemetry_decorator(self, decorator: cst.Decorator, scope) -> None:
        """Powertools' handler decorators: Tracer and Metrics need the cloud, Logger does not."""
        expr = decorator.decorator
        target = expr.func if isinstance(expr, cst.Call) else expr
        if not isinstance(target, cst.Attribute):
            return
        owner = self.analysis.kind_of(target.value, scope)
        expected = _HANDLER_DECORATORS.get(owner)  # type: ignore[arg-type]
        if expected is None or target.attr.value != expected[0]:
            return
        code, what, hint = expected[1:]
        fields = {"decorator": source_text(target), "what": what, "hint": hint}
        self.plan.findings.append(FindingAt(code, decorator.decorator, fields))

    def _cloud_only(self, site: CallSite, service: str, method: str) -> None:
        export = STREAM_EXPORTS.get(service)
        if export is not None:
            hint = STREAM_MANAGER_HINT.format(config=export)
        else:
            hint = "keep it if the device is online; give the component's role the permission"
        self.plan.findings.append(
            FindingAt("GGL140", site.node, {"service": service, "method": method, "hint": hint})
        )

    def _resource(
        self,
        category: str,
        arg: Optional[cst.Arg],
        site: CallSite,
        *,
        topic: bool = False,
        check_arn: bool = False,
    ) -> None:
        if arg is None:
            return
        not_arn = False
        for value, literal, resolved in static_values(arg.value, self.analysis, site.scope, topic=topic):
            self.plan.resources.append(ResourceAt(category, value, literal, resolved, site.node))
            if resolved and not _ARN.match(value) and not (not literal and value.startswith("arn:")):
                not_arn = True
        if check_arn and isinstance(arg.value, cst.Attribute) and arg.value.attr.value == "function_name":
            not_arn = True  # `context.function_name` is the bare name
        if check_arn and not_arn:
            self.plan.findings.append(FindingAt("GGL120", arg, {"value": source_text(arg.value)}))

    # -- exception handlers ------------------------------------------------------------------

    def _handlers(self) -> None:
        for handler in self.analysis.handlers:
            services = self.ported_trys.get(id(handler.try_node))
            if not services:
                continue
            expr = handler.type_expr
            elements = [e.value for e in expr.elements] if isinstance(expr, cst.Tuple) else [expr]
            for element in elements:
                kind = self.analysis.kind_of(element, handler.scope)
                if kind is not None and kind.tag == an.BOTOCORE_ERROR:
                    replacement = " or ".join(SDK_EXCEPTIONS[s] for s in sorted(services))
                    self.plan.findings.append(
                        FindingAt("GGL112", element, {"name": source_text(element), "replacement": replacement})
                    )


_PORTED_NAMES = frozenset().union(*SDK_METHODS.values(), {"invoke_async"})


def _calls_in(nodes) -> Iterator[cst.Call]:
    """Every call anywhere in ``nodes`` (subtrees)."""
    pending = list(nodes)
    while pending:
        current = pending.pop()
        if isinstance(current, cst.Call):
            yield current
        pending.extend(child_nodes(current))


def _has_call(nodes) -> bool:
    """True if a call is anywhere in ``nodes`` (subtrees)."""
    return next(_calls_in(nodes), None) is not None


def _to_pass(updated: cst.CSTNode) -> cst.CSTNode:
    """A removed line that was its block's only statement: an emptied block needs one."""
    assert isinstance(updated, cst.SimpleStatementLine)
    return updated.with_changes(body=[cst.Pass()])


def _quoted(node: Union[cst.CSTNode, str]) -> str:
    """A use as written, on one line and cut short."""
    text = node if isinstance(node, str) else " ".join(source_text(node).split())
    return text if len(text) <= _QUOTE_LIMIT else text[: _QUOTE_LIMIT - 3] + "..."


def _patches_botocore(call: cst.Call) -> bool:
    """``patch([...])`` whose literal list names boto3 or botocore."""
    if not call.args or not isinstance(call.args[0].value, (cst.List, cst.Tuple, cst.Set)):
        return False
    names = {literal_value(element.value) for element in call.args[0].value.elements}
    return bool(names & {"boto3", "botocore"})


def plan_port(
    analysis: Analysis, sdk_name: str = "greengrasssdk", tree: Tree = None, ported_elsewhere: frozenset = frozenset()
) -> Plan:
    """Decide every edit, finding and resource for one analysed module.

    ``tree`` (a :class:`gglift.port.tree.SourceTree`) tells which names other modules import
    from it and follows the client there; ``ported_elsewhere`` holds the origins of imported
    clients their own module ports. Without them the module is taken alone."""
    return _Planner(analysis, sdk_name, tree, ported_elsewhere).run()


def _names_in(node: cst.CSTNode) -> Counter:
    """Identifiers referenced in a subtree (attribute names and keywords excluded)."""
    found: Counter = Counter()
    pending = [node]
    while pending:
        current = pending.pop()
        kind = type(current)  # exact types: libcst's ABCs are slow to test
        if kind is cst.Name:
            found[current.value] += 1  # type: ignore[attr-defined]
        elif kind is cst.Attribute or kind is cst.Arg:
            pending.append(current.value)  # type: ignore[attr-defined]
        else:
            pending.extend(child_nodes(current))
    return found


def _has_comment(ws: object) -> bool:
    if not isinstance(ws, cst.ParenthesizedWhitespace):
        return False
    return ws.first_line.comment is not None or any(line.comment is not None for line in ws.empty_lines)


def joined_gap(before: object, after: object) -> object:
    """The whitespace that replaces ``before <removed item> after`` in a list.

    Comments survive unless they sit on the removed item's own line: ``after`` keeps its
    comment when the item shared its line with the previous one, and the comment lines
    below the item are kept in any case.
    """
    if not isinstance(after, cst.ParenthesizedWhitespace):
        return before
    if not isinstance(before, cst.ParenthesizedWhitespace):
        return after
    return before.with_changes(
        empty_lines=[*before.empty_lines, *after.empty_lines], indent=after.indent, last_line=after.last_line
    )


def closing_comma(kept: object, last: object) -> object:
    """The comma for a list's new last element when the old last one is removed.

    It takes the old last comma's layout (trailing comma or none, the line break before the
    closing bracket) but keeps its own end-of-line comment and the comment lines between.
    """
    if not isinstance(last, cst.Comma) or not isinstance(kept, cst.Comma):
        return last
    return last.with_changes(whitespace_after=joined_gap(kept.whitespace_after, last.whitespace_after))


def without_arguments(call: cst.Call, drop: set) -> cst.Call:
    """``call`` without the keyword arguments named in ``drop``, keeping every comment
    that is not on a removed argument's own line."""
    args = list(call.args)
    kept: list[cst.Arg] = []
    gap = call.whitespace_before_args  # the whitespace before the next kept argument
    before_args = gap
    for arg in args:
        after = arg.comma.whitespace_after if isinstance(arg.comma, cst.Comma) else None
        if arg.keyword is not None and arg.keyword.value in drop:
            if after is not None and arg is not args[-1]:
                gap = joined_gap(gap, after)
            continue
        if kept:
            kept[-1] = kept[-1].with_changes(comma=kept[-1].comma.with_changes(whitespace_after=gap))
        else:
            before_args = gap
        kept.append(arg)
        gap = after
    last = args[-1] if args else None
    if last is None or not (last.keyword is not None and last.keyword.value in drop):
        return call.with_changes(args=kept, whitespace_before_args=before_args)
    if not kept:
        ws = joined_gap(gap, last.comma.whitespace_after) if isinstance(last.comma, cst.Comma) else gap
        return call.with_changes(args=[], whitespace_before_args=ws if _has_comment(ws) else cst.SimpleWhitespace(""))
    final = kept[-1]
    comma = final.comma.with_changes(whitespace_after=gap) if isinstance(final.comma, cst.Comma) else final.comma
    if isinstance(last.comma, cst.Comma):
        final = final.with_changes(comma=closing_comma(comma, last.comma))
    elif _has_comment(gap):
        final = final.with_changes(comma=comma)  # the comma carries the comment's line break
    else:
        final = final.with_changes(comma=cst.MaybeSentinel.DEFAULT, whitespace_after_arg=last.whitespace_after_arg)
    kept[-1] = final
    return call.with_changes(args=kept, whitespace_before_args=before_args)


def _remove(_: cst.CSTNode) -> cst.RemovalSentinel:
    return cst.RemovalSentinel.REMOVE


def _unwrap_call(updated: cst.CSTNode) -> cst.CSTNode:
    """``<value>.read()`` -> ``<value>`` (any method call), keeping parentheses around it."""
    assert isinstance(updated, cst.Call) and isinstance(updated.func, cst.Attribute)
    inner = updated.func.value
    if updated.lpar:
        inner = inner.with_changes(lpar=[*updated.lpar, *inner.lpar], rpar=[*inner.rpar, *updated.rpar])
    return inner


def _rewrite_call(drop: set, rename: dict, add: list, method: str) -> Edit:
    """An edit that drops/renames keyword arguments, adds some and renames the method."""

    def apply(updated: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(updated, cst.Call) and isinstance(updated.func, cst.Attribute)
        if drop:
            updated = without_arguments(updated, drop)
        args = [
            arg.with_changes(keyword=cst.Name(rename[arg.keyword.value]))
            if arg.keyword is not None and arg.keyword.value in rename
            else arg
            for arg in updated.args
        ]
        for keyword, code in add:
            args = _insert_after_first(args, keyword, code)
        func = updated.func
        if func.attr.value != method:
            func = func.with_changes(attr=cst.Name(method))
        return updated.with_changes(func=func, args=args)

    return apply


def _insert_after_first(args: list, keyword: str, code: str) -> list:
    """Insert ``keyword=code`` after the first argument, in the list's own comma style."""
    new = cst.Arg(
        keyword=cst.Name(keyword),
        value=cst.parse_expression(code),
        equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
    )
    if not args:
        return [new]
    first = args[0]
    if len(args) == 1:
        comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        return [first.with_changes(comma=comma), new.with_changes(comma=first.comma)]
    return [first, new.with_changes(comma=first.comma), *args[1:]]
