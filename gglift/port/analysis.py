"""Import and binding tracking: which expressions are provably boto3 or greengrasssdk clients.

One cheap walk over the libcst tree (plain attribute access, no metadata wrappers) records
scopes, bindings, calls, ``try`` blocks and name references. Kinds are then evaluated lazily
and flow-insensitively: a name has a kind only when *every* binding of it in its scope agrees,
which is what "provably a client" means here. Function parameters get a kind when every call
of that function in the file passes the same kind of value and the function is not used in
any other way.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import typing
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Union

import libcst as cst

from gglift.port.anchors import LINE_STARTS

# --- kinds -----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Kind:
    """What an expression provably is. ``tag`` is one of the constants below.

    Kinds are compared on every call the port looks at, mostly with ``None`` or with kinds
    of another tag, so equality tests identity and the tag before the other fields.
    """

    tag: str
    service: Optional[str] = None  # for CLIENT/METHOD: "iot-data", "sns", ...
    sdk: Optional[str] = None  # for CLIENT/METHOD: "boto3" or "gg"
    name: Optional[str] = None  # for METHOD: the method name
    func: Optional["FunctionInfo"] = None  # for FUNCTION
    # the client creations (ids of their Call nodes) a client, or what came from one, may
    # hold: not part of the kind's identity, so kinds from two creations still agree
    origins: frozenset = field(default=frozenset(), compare=False)

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if type(other) is not Kind:
            return NotImplemented
        return (
            self.tag == other.tag  # type: ignore[attr-defined]
            and self.service == other.service  # type: ignore[attr-defined]
            and self.sdk == other.sdk  # type: ignore[attr-defined]
            and self.name == other.name  # type: ignore[attr-defined]
            and self.func is other.func  # type: ignore[attr-defined]
        )

    def __hash__(self) -> int:
        return hash((self.tag, self.service, self.sdk, self.name, id(self.func)))

    def derived(self, tag: str, name: Optional[str] = None) -> "Kind":
        """A kind obtained from this one (a method, a result), keeping its origins."""
        return Kind(tag, service=self.service, sdk=self.sdk, name=name, origins=self.origins)

    def carrying(self, kind: "Kind") -> "Kind":
        """``kind`` (a call's result, a payload) with this kind's origins."""
        return Kind(kind.tag, kind.service, kind.sdk, kind.name, kind.func, self.origins)


BOTO3 = Kind("boto3")
SESSION_MODULE = Kind("session_module")
SESSION_CLASS = Kind("session_class")
SESSION = Kind("session")
CLIENT_FACTORY = Kind("client_factory")
BOTOCORE = Kind("botocore")
BOTOCORE_EXCEPTIONS = Kind("botocore_exceptions")
BOTOCORE_ERROR = "botocore_error"  # a botocore exception class; ``name`` is its name
GG = Kind("greengrasssdk")
GG_CLIENT_FACTORY = Kind("gg_client_factory")
SHADOW_RESULT = Kind("shadow_result")
SHADOW_PAYLOAD = Kind("shadow_payload")
INVOKE_RESULT = Kind("invoke_result")
RESOURCE_FACTORY = Kind("resource_factory")
RESOURCE = "resource"  # a boto3 resource object (always a cloud call); ``service`` says which
BASE64 = Kind("base64")
B64ENCODE = Kind("b64encode")
# X-Ray and Powertools: they wrap botocore and the handler with cloud-side telemetry
XRAY = Kind("aws_xray_sdk")
XRAY_CORE = Kind("aws_xray_sdk.core")
XRAY_PATCH_ALL = Kind("xray_patch_all")
XRAY_PATCH = Kind("xray_patch")
POWERTOOLS = Kind("aws_lambda_powertools")
TRACER_CLASS = Kind("tracer_class")
LOGGER_CLASS = Kind("logger_class")
METRICS_CLASS = Kind("metrics_class")
TRACER = Kind("tracer")
LOGGER = Kind("logger")
METRICS = Kind("metrics")
_INSTANCE_KINDS = {TRACER_CLASS: TRACER, LOGGER_CLASS: LOGGER, METRICS_CLASS: METRICS}
CLIENT = "client"
METHOD = "method"
CLIENT_EXCEPTIONS = "client_exceptions"
CLIENT_EXCEPTION = "client_exception"  # client.exceptions.X
FUNCTION = "function"
# a function another module of the tree exports, whose calls return a client: ``service``,
# ``sdk`` and ``origins`` are the client's
CLIENT_MAKER = "client_maker"

SHADOW_OPS = frozenset({"get_thing_shadow", "update_thing_shadow", "delete_thing_shadow"})
INVOKE_OPS = frozenset({"invoke", "invoke_async"})  # invoke_async is ported to invoke
# keys of a cloud invoke result that the Greengrass Core SDK's result does not have
CLOUD_ONLY_INVOKE_FIELDS = frozenset({"StatusCode", "ExecutedVersion", "LogResult"})

# (module, name) of an import -> kind of the bound name. "" as name: `import module`.
_IMPORT_KINDS = {
    ("boto3", ""): BOTO3,
    ("boto3", "client"): CLIENT_FACTORY,
    ("boto3", "Session"): SESSION_CLASS,
    ("boto3", "session"): SESSION_MODULE,
    ("boto3", "resource"): RESOURCE_FACTORY,
    ("boto3.session", ""): SESSION_MODULE,
    ("boto3.session", "Session"): SESSION_CLASS,
    ("botocore", ""): BOTOCORE,
    ("botocore", "exceptions"): BOTOCORE_EXCEPTIONS,
    ("botocore.exceptions", ""): BOTOCORE_EXCEPTIONS,
    ("greengrasssdk", ""): GG,
    ("greengrasssdk", "client"): GG_CLIENT_FACTORY,
    ("base64", ""): BASE64,
    ("base64", "b64encode"): B64ENCODE,
    ("aws_xray_sdk", ""): XRAY,
    ("aws_xray_sdk", "core"): XRAY_CORE,
    ("aws_xray_sdk.core", ""): XRAY_CORE,
    ("aws_xray_sdk.core", "patch_all"): XRAY_PATCH_ALL,
    ("aws_xray_sdk.core", "patch"): XRAY_PATCH,
    ("aws_lambda_powertools", ""): POWERTOOLS,
    ("aws_lambda_powertools", "Tracer"): TRACER_CLASS,
    ("aws_lambda_powertools", "Logger"): LOGGER_CLASS,
    ("aws_lambda_powertools", "Metrics"): METRICS_CLASS,
    ("aws_lambda_powertools.tracing", "Tracer"): TRACER_CLASS,
    ("aws_lambda_powertools.logging", "Logger"): LOGGER_CLASS,
    ("aws_lambda_powertools.metrics", "Metrics"): METRICS_CLASS,
}

# kind of `<value>.<attr>` for the simple kinds
_ATTRIBUTE_KINDS = {
    (BOTO3, "client"): CLIENT_FACTORY,
    (BOTO3, "Session"): SESSION_CLASS,
    (BOTO3, "session"): SESSION_MODULE,
    (SESSION_MODULE, "Session"): SESSION_CLASS,
    (BOTO3, "resource"): RESOURCE_FACTORY,
    (SESSION, "client"): CLIENT_FACTORY,
    (SESSION, "resource"): RESOURCE_FACTORY,
    (BOTOCORE, "exceptions"): BOTOCORE_EXCEPTIONS,
    (GG, "client"): GG_CLIENT_FACTORY,
    (BASE64, "b64encode"): B64ENCODE,
    (XRAY, "core"): XRAY_CORE,
    (XRAY_CORE, "patch_all"): XRAY_PATCH_ALL,
    (XRAY_CORE, "patch"): XRAY_PATCH,
    (POWERTOOLS, "Tracer"): TRACER_CLASS,
    (POWERTOOLS, "Logger"): LOGGER_CLASS,
    (POWERTOOLS, "Metrics"): METRICS_CLASS,
}


def client_kind(service: str, sdk: str, origins: frozenset = frozenset()) -> Kind:
    return Kind(CLIENT, service=service, sdk=sdk, origins=origins)


def botocore_error(name: str) -> Kind:
    """The kind of ``botocore.exceptions.<name>``."""
    return Kind(BOTOCORE_ERROR, name=name)


# --- what the walk records -------------------------------------------------------------------


class Scope:
    """A module, function or class body: names bound in it and where from."""

    __slots__ = ("kind", "parent", "bindings", "globals", "function")

    def __init__(self, kind: str, parent: Optional[Scope], function: Optional[FunctionInfo] = None):
        self.kind = kind
        self.parent = parent
        self.bindings: dict[str, list[tuple]] = {}
        self.globals: set[str] = set()
        self.function = function  # the def whose body this is

    def bind(self, name: str, source: tuple) -> None:
        self.bindings.setdefault(name, []).append(source)


class ClassInfo:
    __slots__ = ("scope", "attrs")

    def __init__(self, scope: Scope):
        self.scope = scope
        self.attrs: dict[str, list[tuple]] = {}  # self.<attr> = <expr> in any method


class FunctionInfo:
    __slots__ = ("name", "scope", "params", "cls", "returns", "is_plain_method")

    def __init__(self, name: str, scope: Scope, cls: Optional[ClassInfo], is_plain_method: bool):
        self.name = name
        self.scope = scope
        self.params: list[str] = []  # positional-or-keyword parameters, in order
        self.cls = cls
        self.returns: list[cst.BaseExpression] = []
        self.is_plain_method = is_plain_method  # first parameter is the instance


@dataclass
class CallSite:
    node: cst.Call
    scope: Scope
    path: tuple  # ancestors, outermost first
    trys: tuple  # enclosing Try nodes whose body holds the call


@dataclass
class FieldRead:
    """``<expr>["Key"]`` with a key the edge invoke result lacks (see CLOUD_ONLY_INVOKE_FIELDS)."""

    node: cst.Subscript
    key: cst.SimpleString
    scope: Scope


@dataclass
class Handler:
    try_node: Union[cst.Try, cst.TryStar]
    type_expr: cst.BaseExpression
    scope: Scope


@dataclass
class ImportSite:
    node: Union[cst.Import, cst.ImportFrom]
    path: tuple


@dataclass
class NameUse:
    """One occurrence of a name in the code (read or written), with its ancestors."""

    node: cst.Name
    up: list  # parent, grandparent, great-grandparent (fewer near the module)
    scope: Scope
    seq: int  # order in the walk: bindings and uses compare by it
    loops: tuple  # enclosing for/while statements


@dataclass
class AttributeUse:
    """``<value>.<attr>``, with its ancestors."""

    node: cst.Attribute
    up: list  # parent, grandparent (fewer near the module)
    scope: Scope


@dataclass
class AssignSite:
    """A one-statement line ``<name> = <call or subscript>``: what the port may leave dead."""

    line: cst.SimpleStatementLine
    node: cst.Assign
    path: tuple  # the line's ancestors
    scope: Scope


OTHER = ("other",)

# Fields that hold only whitespace, comments and punctuation: no name or call can hide in
# them, so the walk skips them (about half of all nodes).
_LAYOUT_FIELDS = frozenset(
    {
        "asynchronous", "colon", "comma", "comment", "dot", "empty_lines", "equal", "first_colon",
        "first_line", "footer", "header", "indent", "last_line", "lbrace", "lbracket",
        "leading_lines", "leading_whitespace", "lines_after_decorators", "lpar", "newline",
        "operator", "posonly_ind", "rbrace", "rbracket", "relative", "rpar", "second_colon",
        "semicolon", "separator", "trailing_comma", "trailing_whitespace",
    }
)  # fmt: skip

# How the generic walk reads a field: always a node, a sequence of nodes, or anything else
# (a node, None, a sentinel, a sequence whose item type is a forward reference), which is
# checked value by value. Fields that can hold no node (str, bool) are skipped.
_NODE, _NODES, _MAYBE = 0, 1, 2

# (field name, how to read it) per node type, in field order (the walk's order matters)
_FIELDS: dict[type, tuple[tuple[str, int], ...]] = {}


def _fields(node_type: type) -> tuple[tuple[str, int], ...]:
    spec = _FIELDS.get(node_type)
    if spec is None:
        spec = _FIELDS[node_type] = tuple(
            (f.name, how)
            for f in dataclasses.fields(node_type)
            if f.name not in _LAYOUT_FIELDS and not f.name.startswith("whitespace")
            for how in (_field_kind(f.type),)
            if how is not None
        )
    return spec


def _field_kind(annotation: Any) -> Optional[int]:
    if annotation in (str, bool) or typing.get_origin(annotation) is typing.Literal:
        return None
    if isinstance(annotation, type) and issubclass(annotation, cst.CSTNode):
        return _NODE
    if typing.get_origin(annotation) is collections.abc.Sequence and all(
        _node_types(arg) for arg in typing.get_args(annotation)
    ):
        return _NODES
    return _MAYBE


def _node_types(annotation: Any) -> bool:
    """True when every value of ``annotation`` is a CSTNode."""
    if typing.get_origin(annotation) is Union:
        return all(_node_types(arg) for arg in typing.get_args(annotation))
    return isinstance(annotation, type) and issubclass(annotation, cst.CSTNode)


_IS_NODE: dict[type, bool] = {}


def is_node(value: object) -> bool:
    """``isinstance(value, cst.CSTNode)`` by a per-type cache: CSTNode is an ABC, whose
    isinstance check is several times slower and runs for every field of every node."""
    kind = type(value)
    known = _IS_NODE.get(kind)
    if known is None:
        known = _IS_NODE[kind] = issubclass(kind, cst.CSTNode)
    return known


def string_value(node: cst.SimpleString) -> object:
    """A string literal's value: plain quoted text read directly, the rest by libcst
    (which runs ``ast.literal_eval``)."""
    text = node.value
    quote = text[:1]
    if quote in ("'", '"') and "\\" not in text and text[1:2] != quote and len(text) >= 2:
        return text[1:-1]
    return node.evaluated_value


def child_nodes(node: cst.CSTNode) -> list[cst.CSTNode]:
    """Direct children, read from the dataclass fields (cheaper than ``node.children``)."""
    children: list[cst.CSTNode] = []
    for name, how in _fields(type(node)):
        value = getattr(node, name)
        if how == _NODES:
            children.extend(value)
        elif how == _NODE or is_node(value):
            children.append(value)
        elif isinstance(value, (list, tuple)):
            children.extend(item for item in value if is_node(item))
    return children


def dotted_name(node: cst.BaseExpression) -> str:
    """``a.b.c`` for an Attribute/Name chain (import module names)."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{dotted_name(node.value)}.{node.attr.value}"
    return ""


class Analysis:
    """Everything one walk learns about a module; kinds are evaluated on demand.

    >>> a = Analysis(cst.parse_module("import boto3\\niot = boto3.client('iot-data')\\n"))
    >>> a.kind_of(a.calls[0].node, a.module_scope).service
    'iot-data'
    """

    def __init__(self, module: cst.Module):
        self.module = module
        self.module_scope = Scope("module", None)
        self.calls: list[CallSite] = []
        self.handlers: list[Handler] = []
        self.field_reads: list[FieldRead] = []
        self.decorators: list[tuple[cst.Decorator, Scope]] = []  # of functions, with their scope
        self.imports: list[ImportSite] = []
        # `except A, B:` handlers: Python 2's `except A, name:`, a syntax error before 3.14
        self.unparenthesized_excepts: list[cst.ExceptHandler] = []
        # every occurrence of each name, and <value>.<attr> by attr: plain tuples in the walk
        # (it meets thousands), made NameUse/AttributeUse objects for the few names asked about
        self._name_uses: dict[str, list] = {}
        self._attribute_uses: dict[str, list] = {}
        self.assigns: list[AssignSite] = []
        self._seq = 0
        self._loops: tuple = ()
        self._use_seq: dict[int, NameUse] = {}
        self._sites: Optional[dict[int, CallSite]] = None
        self._calls_by_name: dict[str, list[CallSite]] = {}
        self._memo: dict[int, Optional[Kind]] = {}
        self._busy: set = set()
        self._scope = self.module_scope
        self._function: Optional[FunctionInfo] = None
        self._stack: list[cst.CSTNode] = []
        self._trys: tuple = ()
        self._class_of: dict[int, ClassInfo] = {}  # id(class scope) -> its ClassInfo
        # what other modules pass for a parameter of a module-level function called only from
        # there: (function name, index, parameter name) -> their kinds, or None if unknown
        self.passed_elsewhere: Optional[Callable[[str, Optional[int], str], Optional[list[Kind]]]] = None
        # id(node) -> the statement or except clause holding it, where its code's line starts
        self.statement_of: dict[int, cst.CSTNode] = {}
        self._statement: cst.CSTNode = module
        self._stack.append(module)
        for statement in module.body:
            self._walk(statement)

    # -- the walk ----------------------------------------------------------------------------

    def _walk(self, node: cst.CSTNode) -> None:
        kind = type(node)
        outer = None
        if kind in LINE_STARTS:
            outer, self._statement = self._statement, node
        self.statement_of[id(node)] = self._statement
        handler = _HANDLERS.get(kind)
        if handler is not None:
            handler(self, node)
        else:
            self._walk_children(node)
        if outer is not None:
            self._statement = outer

    def _walk_children(self, node: cst.CSTNode) -> None:
        stack = self._stack
        stack.append(node)
        walk = self._walk
        for name, how in _fields(type(node)):
            value = getattr(node, name)
            if how == _NODES:
                for item in value:
                    walk(item)
            elif how == _NODE or is_node(value):
                walk(value)
            elif isinstance(value, (list, tuple)):
                for item in value:
                    if is_node(item):
                        walk(item)
        stack.pop()

    def site_of(self, call: cst.Call) -> Optional[CallSite]:
        """The walk's record of a call."""
        if self._sites is None:
            self._sites = {id(site.node): site for site in self.calls}
        return self._sites.get(id(call))

    def calls_of(self, name: str) -> list[CallSite]:
        """The calls of a plain name, ``name(...)``."""
        return self._calls_by_name.get(name, [])

    def ref_count(self, name: str) -> int:
        """How often ``name`` occurs in the code."""
        return len(self._name_uses.get(name, ()))

    def name_uses(self, name: str) -> list[NameUse]:
        """Every occurrence of ``name`` in the code, in order."""
        return _records(self._name_uses, name, NameUse)

    def attribute_uses(self, attr: str) -> list[AttributeUse]:
        """Every ``<value>.<attr>`` in the code."""
        return _records(self._attribute_uses, attr, AttributeUse)

    def _walk_name(self, node: cst.Name) -> None:
        stack = self._stack
        self._seq += 1
        use = (node, stack[-1:-4:-1], self._scope, self._seq, self._loops)
        uses = self._name_uses.get(node.value)
        if uses is None:
            self._name_uses[node.value] = [use]
        else:
            uses.append(use)

    def _walk_attribute(self, node: cst.Attribute) -> None:
        stack = self._stack
        use = (node, stack[-1:-3:-1], self._scope)
        uses = self._attribute_uses.get(node.attr.value)
        if uses is None:
            self._attribute_uses[node.attr.value] = [use]
        else:
            uses.append(use)
        self.statement_of[id(node.attr)] = self._statement  # findings point at method names
        stack.append(node)
        self._walk(node.value)
        stack.pop()

    def _walk_arg(self, node: cst.Arg) -> None:
        self._stack.append(node)
        self._walk(node.value)
        self._stack.pop()

    def _walk_call(self, node: cst.Call) -> None:
        site = CallSite(node, self._scope, tuple(self._stack), self._trys)
        self.calls.append(site)
        if isinstance(node.func, cst.Name):
            self._calls_by_name.setdefault(node.func.value, []).append(site)
        self._walk_children(node)

    def _walk_subscript(self, node: cst.Subscript) -> None:
        key = subscript_key(node)
        if key in CLOUD_ONLY_INVOKE_FIELDS:
            self.field_reads.append(FieldRead(node, node.slice[0].slice.value, self._scope))  # type: ignore[attr-defined]
        self._walk_children(node)

    def _walk_import(self, node: cst.Import) -> None:
        self.imports.append(ImportSite(node, tuple(self._stack)))
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            module = dotted_name(alias.name)
            if alias.asname is not None:
                bound = alias.asname.name.value  # type: ignore[union-attr]
                kind = _IMPORT_KINDS.get((module, ""))
            else:
                # `import a.b` binds `a`, which is the top-level package
                bound = module.split(".")[0]
                kind = _IMPORT_KINDS.get((bound, ""))
            self._scope.bind(bound, ("kind", kind) if kind else OTHER)

    def _walk_import_from(self, node: cst.ImportFrom) -> None:
        self.imports.append(ImportSite(node, tuple(self._stack)))
        module = "" if node.relative else dotted_name(node.module) if node.module else ""
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            name = dotted_name(alias.name)
            bound = alias.asname.name.value if alias.asname else name  # type: ignore[union-attr]
            kind = _IMPORT_KINDS.get((module, name))
            if module == "botocore.exceptions":
                kind = botocore_error(name)
            self._scope.bind(bound, ("kind", kind) if kind else OTHER)

    def _bind_target(self, target: cst.BaseExpression, source: tuple) -> None:
        if isinstance(target, cst.Name):
            scope = self.module_scope if target.value in self._scope.globals else self._scope
            scope.bind(target.value, source)
        elif isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
            func = self._function
            if (
                func is not None
                and func.is_plain_method
                and func.params
                and target.value.value == func.params[0]
                and func.cls is not None
            ):
                func.cls.attrs.setdefault(target.attr.value, []).append(source)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind_target(element.value, OTHER)
        elif isinstance(target, cst.StarredElement):
            self._bind_target(target.value, OTHER)

    def _expr_source(self, value: cst.BaseExpression) -> tuple:
        """A binding to an expression, placed after the uses the walk has seen so far."""
        self._seq += 1
        return ("expr", value, self._scope, self._seq, self._loops)

    def _walk_assign(self, node: cst.Assign) -> None:
        self._walk_children(node)  # the value's names are read before the targets bind
        source = self._expr_source(node.value)
        for target in node.targets:
            self._bind_target(target.target, source)
        line = self._stack[-1]
        if (
            isinstance(node.value, (cst.Call, cst.Subscript))
            and len(node.targets) == 1
            and isinstance(node.targets[0].target, cst.Name)
            and isinstance(line, cst.SimpleStatementLine)
            and len(line.body) == 1
        ):
            self.assigns.append(AssignSite(line, node, tuple(self._stack[:-1]), self._scope))

    def _walk_ann_assign(self, node: cst.AnnAssign) -> None:
        self._walk_children(node)
        self._bind_target(node.target, self._expr_source(node.value) if node.value else OTHER)

    def _walk_loop(self, node: Union[cst.For, cst.While]) -> None:
        outer = self._loops
        self._loops = outer + (node,)
        if isinstance(node, cst.For):
            self._bind_target(node.target, OTHER)
        self._walk_children(node)
        self._loops = outer

    def _walk_other_target(self, node: Any) -> None:
        # for-loops, with-as, augmented assignment, comprehensions: the value is not provable
        target = getattr(node, "target", None)
        if target is not None:
            self._bind_target(target, OTHER)
        asname = getattr(node, "asname", None)
        if isinstance(asname, cst.AsName):
            self._bind_target(asname.name, OTHER)  # type: ignore[arg-type]
        self._walk_children(node)

    def _walk_named_expr(self, node: cst.NamedExpr) -> None:
        self._walk_children(node)
        self._bind_target(node.target, self._expr_source(node.value))

    def _walk_except(self, node: Union[cst.ExceptHandler, cst.ExceptStarHandler]) -> None:
        if isinstance(node.type, cst.Tuple) and not node.type.lpar:
            self.unparenthesized_excepts.append(node)
        if node.name is not None:
            self._bind_target(node.name.name, OTHER)  # type: ignore[arg-type]
        self._walk_children(node)

    def _walk_global(self, node: Union[cst.Global, cst.Nonlocal]) -> None:
        if isinstance(node, cst.Global):
            self._scope.globals.update(item.name.value for item in node.names)

    def _walk_return(self, node: cst.Return) -> None:
        if self._function is not None and node.value is not None:
            self._function.returns.append(node.value)
        self._walk_children(node)

    def _walk_try(self, node: Union[cst.Try, cst.TryStar]) -> None:
        self._stack.append(node)
        outer = self._trys
        self._trys = outer + (node,)
        self._walk(node.body)
        self._trys = outer
        for handler in node.handlers:
            if handler.type is not None:
                self.handlers.append(Handler(node, handler.type, self._scope))
            self._walk(handler)
        for extra in (node.orelse, node.finalbody):
            if extra is not None:
                self._walk(extra)
        self._stack.pop()

    def _walk_function(self, node: cst.FunctionDef) -> None:
        outer_scope, outer_function = self._scope, self._function
        in_class = outer_scope.kind == "class"
        cls = self._class_of.get(id(outer_scope)) if in_class else None
        decorators = {dotted_name(d.decorator) for d in node.decorators}
        plain = in_class and not ({"staticmethod", "classmethod"} & decorators)
        scope = Scope("function", outer_scope)
        info = FunctionInfo(node.name.value, scope, cls, plain)
        scope.function = info
        outer_scope.bind(node.name.value, ("def", info))
        self._stack.append(node)
        for decorator in node.decorators:
            self.decorators.append((decorator, outer_scope))
            self._walk(decorator)
        params = node.params
        for group in (params.posonly_params, params.params, params.kwonly_params):
            for param in group:
                if param.default is not None:
                    self._walk(param.default)
                if param.annotation is not None:
                    self._walk(param.annotation)
        for param in (*params.posonly_params, *params.params):
            info.params.append(param.name.value)
        for index, param in enumerate((*params.posonly_params, *params.params)):
            scope.bind(param.name.value, ("param", info, index, param.name.value))
        for param in params.kwonly_params:
            scope.bind(param.name.value, ("param", info, None, param.name.value))
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                scope.bind(star.name.value, OTHER)
        if node.returns is not None:
            self._walk(node.returns)
        self._scope, self._function = scope, info
        outer_trys, self._trys = self._trys, ()
        self._walk(node.body)
        self._scope, self._function, self._trys = outer_scope, outer_function, outer_trys
        self._stack.pop()

    def _walk_lambda(self, node: cst.Lambda) -> None:
        outer = self._scope
        scope = Scope("function", outer)
        params = node.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            scope.bind(param.name.value, OTHER)
            if param.default is not None:
                self._walk(param.default)
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                scope.bind(star.name.value, OTHER)
        self._scope = scope
        self._stack.append(node)
        self._walk(node.body)
        self._stack.pop()
        self._scope = outer

    def _walk_class(self, node: cst.ClassDef) -> None:
        outer = self._scope
        outer.bind(node.name.value, OTHER)
        self._stack.append(node)
        for part in (*node.decorators, *node.bases, *node.keywords):
            self._walk(part)
        scope = Scope("class", outer)
        self._class_of[id(scope)] = ClassInfo(scope)
        self._scope = scope
        outer_function, self._function = self._function, None
        self._walk(node.body)
        self._scope, self._function = outer, outer_function
        self._stack.pop()

    # -- evaluation --------------------------------------------------------------------------

    def lookup(self, scope: Scope, name: str) -> Optional[list[tuple]]:
        """The bindings a name resolves to from ``scope`` (Python's LEGB rule)."""
        current: Optional[Scope] = scope
        if name in scope.globals:
            current = self.module_scope
        first = True
        while current is not None:
            if current.kind != "class" or first:
                found = current.bindings.get(name)
                if found is not None:
                    return found
            first = False
            current = current.parent
        return None

    def kind_of(self, node: cst.BaseExpression, scope: Scope) -> Optional[Kind]:
        """The provable kind of an expression, or None."""
        key = id(node)
        if key in self._memo:
            return self._memo[key]
        if key in self._busy:
            return None
        self._busy.add(key)
        try:
            result = self._evaluate(node, scope)
        finally:
            self._busy.discard(key)
        self._memo[key] = result
        return result

    def agree(self, sources: Optional[list[tuple]]) -> Optional[Kind]:
        """The one kind all of a name's bindings give, or None."""
        # `client = None` placeholders (lazy initialisation) do not make a name ambiguous:
        # a method called on it can only be called on the client
        sources = [s for s in sources or () if not _is_none(s)]
        if not sources:
            return None
        return agreed([self._source_kind(source) for source in sources])

    def use_of(self, node: cst.Name) -> Optional[NameUse]:
        """The walk's record of one occurrence of a name."""
        found = self._use_seq.get(id(node))
        if found is None:
            for use in self.name_uses(node.value):
                self._use_seq[id(use.node)] = use
            found = self._use_seq.get(id(node))
        return found

    def reaching(self, node: cst.Name, scope: Scope) -> Optional[list[tuple]]:
        """The bindings of a name that can reach this use of it.

        In the scope that binds it, a binding made later in the code reaches a use only
        through a loop around both; bindings from elsewhere (an enclosing scope, ``global``)
        are all taken, since the order of calls is not known.
        """
        sources = self.lookup(scope, node.value)
        if not sources or scope.bindings.get(node.value) is not sources:
            return sources
        use = self.use_of(node)
        if use is None:
            return sources
        return [
            s
            for s in sources
            if s[0] != "expr" or s[2] is not scope or s[3] < use.seq or (set(s[4]) & set(use.loops))
        ]

    def _source_kind(self, source: tuple) -> Optional[Kind]:
        tag = source[0]
        if tag == "kind":
            return source[1]
        if tag == "expr":
            return self.kind_of(source[1], source[2])
        if tag == "def":
            return Kind(FUNCTION, func=source[1])
        if tag == "param":
            return self._param_kind(source[1], source[2], source[3])
        return None

    def _evaluate(self, node: cst.BaseExpression, scope: Scope) -> Optional[Kind]:
        # exact types: libcst's classes are ABCs, whose isinstance is slow on this hot path
        node_type = type(node)
        if node_type is cst.Name:
            return self.agree(self.reaching(node, scope))  # type: ignore[arg-type]
        if node_type is cst.Attribute:
            return self._attribute_kind(node, scope)  # type: ignore[arg-type]
        if node_type is cst.Call:
            return self._call_kind(node, scope)  # type: ignore[arg-type]
        if node_type is cst.Subscript:
            base = self.kind_of(node.value, scope)
            if base == SHADOW_RESULT and subscript_key(node) == "payload":
                return base.carrying(SHADOW_PAYLOAD)
        if isinstance(node, cst.BooleanOperation) and isinstance(node.operator, cst.Or):
            # `session or boto3.Session()`: a parameter defaulting to a fresh session
            right = self.kind_of(node.right, scope)
            if right == SESSION and isinstance(node.left, cst.Name):
                left = self.lookup(scope, node.left.value)
                if left and all(source[0] == "param" for source in left):
                    return SESSION
        return None

    def _attribute_kind(self, node: cst.Attribute, scope: Scope) -> Optional[Kind]:
        attr = node.attr.value
        instance_class = self.instance_class(node.value, scope)
        if instance_class is not None:
            sources = list(instance_class.attrs.get(attr, ()))
            sources += instance_class.scope.bindings.get(attr, [])
            return self.agree(sources)
        base = self.kind_of(node.value, scope)
        if base is None:
            return None
        if base.tag == CLIENT:
            if attr == "exceptions":
                return base.derived(CLIENT_EXCEPTIONS)
            return base.derived(METHOD, attr)
        if base.tag == CLIENT_EXCEPTIONS:
            return base.derived(CLIENT_EXCEPTION, attr)
        if base.tag == RESOURCE:
            return base  # sub-resources and actions of a resource are cloud calls too
        if base == BOTOCORE_EXCEPTIONS:
            return botocore_error(attr)
        return _ATTRIBUTE_KINDS.get((base, attr))

    def instance_class(self, node: cst.BaseExpression, scope: Scope) -> Optional[ClassInfo]:
        """The class whose instance ``node`` is, when it is a method's ``self``."""
        if type(node) is not cst.Name:
            return None
        sources = self.lookup(scope, node.value)
        if not sources or len(sources) != 1 or sources[0][0] != "param":
            return None
        _, info, index, _ = sources[0]
        if index == 0 and info.is_plain_method:
            return info.cls
        return None

    def _call_kind(self, node: cst.Call, scope: Scope) -> Optional[Kind]:
        func = self.kind_of(node.func, scope)
        if func is None:
            return None
        if func in (CLIENT_FACTORY, GG_CLIENT_FACTORY):
            service = service_name(node)
            if service is None:
                return None
            sdk = "boto3" if func == CLIENT_FACTORY else "gg"
            return client_kind(service, sdk, frozenset({id(node)}) if sdk == "boto3" else frozenset())
        if func == RESOURCE_FACTORY:
            service = service_name(node)
            return Kind(RESOURCE, service=service) if service is not None else None
        if func == SESSION_CLASS:
            return SESSION
        if func in _INSTANCE_KINDS:
            return _INSTANCE_KINDS[func]
        if func.tag == METHOD and func.service == "iot-data" and func.name in SHADOW_OPS:
            return func.carrying(SHADOW_RESULT)
        if func.tag == METHOD and func.service == "lambda" and func.name in INVOKE_OPS:
            return func.carrying(INVOKE_RESULT)
        if func.tag == CLIENT_MAKER:
            return client_kind(func.service or "", func.sdk or "boto3", func.origins)
        if func.tag == FUNCTION and func.func is not None:
            info = func.func
            made = self._factory_with_service_parameter(info, node)
            if made is not None:
                return made
            return self.agree([("expr", value, info.scope) for value in info.returns])
        return None

    def factory_parameter(self, info: FunctionInfo) -> Optional[tuple[cst.Call, int, str]]:
        """``def make(service): return boto3.client(service)``: (the creation, the
        parameter's index, its name) when the function's only return is such a call."""
        if len(info.returns) != 1 or not isinstance(info.returns[0], cst.Call):
            return None
        call = info.returns[0]
        if self.kind_of(call.func, info.scope) != CLIENT_FACTORY:
            return None
        arg = next((a for a in call.args if a.keyword is None or a.keyword.value == "service_name"), None)
        if arg is None or arg.star or not isinstance(arg.value, cst.Name):
            return None
        sources = info.scope.bindings.get(arg.value.value)
        if not sources or len(sources) != 1 or sources[0][0] != "param" or sources[0][2] is None:
            return None
        return call, sources[0][2], sources[0][3]

    def _factory_with_service_parameter(self, info: FunctionInfo, call: cst.Call) -> Optional[Kind]:
        """The client a call of a service-name factory makes, when it passes a literal."""
        factory = self.factory_parameter(info)
        if factory is None:
            return None
        creation, index, name = factory
        passed = argument(call, index, name)
        service = string_value(passed) if isinstance(passed, cst.SimpleString) else None
        if not isinstance(service, str):
            return None
        return client_kind(service, "boto3", frozenset({id(creation)}))

    def passed_values(
        self, info: FunctionInfo, index: Optional[int], name: str
    ) -> Optional[list[tuple[Optional[cst.BaseExpression], Scope]]]:
        """What every call of the function in this file passes for one parameter.

        (expression or None when the default is used, caller's scope) per call; None when the
        calls cannot all be seen: methods, functions also used other than by a direct call
        (as a callback, exported), or calls with ``*args``/``**kwargs``.
        """
        if info.cls is not None:
            return None  # methods are called through objects we do not follow
        sites = self._calls_by_name.get(info.name, [])
        if not sites or self.ref_count(info.name) != len(sites):
            return None
        passed = []
        for site in sites:
            if self.agree(self.lookup(site.scope, info.name)) != Kind(FUNCTION, func=info):
                return None
            if any(arg.star for arg in site.node.args):
                return None
            passed.append((argument(site.node, index, name), site.scope))
        return passed

    def _param_kind(self, info: FunctionInfo, index: Optional[int], name: str) -> Optional[Kind]:
        """A parameter's kind: the kind every call of the function in this file passes."""
        passed = self.passed_values(info, index, name)
        if passed is None:
            exported = info.cls is None and info.scope.parent is self.module_scope and not self.ref_count(info.name)
            kinds = self.passed_elsewhere(info.name, index, name) if exported and self.passed_elsewhere else None
            return agreed(kinds) if kinds else None
        return agreed([None if value is None else self.kind_of(value, scope) for value, scope in passed])


def _records(store: dict[str, list], key: str, record: type) -> list:
    """The walk's tuples under ``key``, turned into ``record`` objects on first request."""
    found = store.get(key)
    if not found:
        return []
    if not isinstance(found[0], record):
        found[:] = [record(*item) for item in found]
    return found


def agreed(kinds: list[Optional[Kind]]) -> Optional[Kind]:
    """The one kind all of ``kinds`` are, with their origins merged; None if they differ."""
    first = kinds[0] if kinds else None
    if first is None or any(kind is not first and kind != first for kind in kinds):
        return None
    origins = frozenset().union(*(kind.origins for kind in kinds))  # type: ignore[union-attr]
    return first if origins == first.origins else Kind(first.tag, first.service, first.sdk, first.name, first.func, origins)


def unpacked_keywords(arg: cst.Arg, analysis: Analysis, scope: Scope) -> Optional[dict[str, cst.DictElement]]:
    """The entries of a ``**mapping`` argument that is a dict literal with string keys, written
    in the call or bound once to a name; None when it is anything else."""
    value = arg.value
    if isinstance(value, cst.Name):
        sources = analysis.reaching(value, scope)
        value = sources[0][1] if sources and len(sources) == 1 and sources[0][0] == "expr" else None
    if arg.star != "**" or not isinstance(value, cst.Dict):
        return None
    entries = {}
    for element in value.elements:
        key = element.key if isinstance(element, cst.DictElement) else None
        name = string_value(key) if isinstance(key, cst.SimpleString) else None
        if not isinstance(name, str):
            return None
        entries[name] = element
    return entries


def literal_str(element: Optional[cst.DictElement]) -> Optional[str]:
    """The value of a dict entry when it is a string literal."""
    value = element.value if element is not None else None
    if isinstance(value, cst.SimpleString) and isinstance(string_value(value), str):
        return string_value(value)  # type: ignore[return-value]
    return None


def _is_none(source: tuple) -> bool:
    return source[0] == "expr" and isinstance(source[1], cst.Name) and source[1].value == "None"


def subscript_key(node: cst.Subscript) -> Optional[str]:
    """The key of ``value["key"]``, a string literal; None for anything else."""
    if len(node.slice) != 1:
        return None
    index = node.slice[0].slice
    if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
        value = string_value(index.value)
        return value if isinstance(value, str) else None
    return None


def argument(call: cst.Call, index: Optional[int], name: str) -> Optional[cst.BaseExpression]:
    """The expression passed for a parameter at ``index``/``name``, None if unknown."""
    position = 0
    for arg in call.args:
        if arg.star:
            return None
        if arg.keyword is None:
            if index is not None and position == index:
                return arg.value
            position += 1
        elif arg.keyword.value == name:
            return arg.value
    return None


def service_name(call: cst.Call) -> Optional[str]:
    """The literal service name of a ``client(...)`` call, if there is one."""
    for arg in call.args:
        if (arg.keyword is None and not arg.star) or (
            arg.keyword is not None and arg.keyword.value == "service_name"
        ):
            if isinstance(arg.value, cst.SimpleString):
                value = string_value(arg.value)
                return value if isinstance(value, str) else None
            return None
    return None


_HANDLERS = {
    cst.Name: Analysis._walk_name,
    cst.Attribute: Analysis._walk_attribute,
    cst.Arg: Analysis._walk_arg,
    cst.Call: Analysis._walk_call,
    cst.Subscript: Analysis._walk_subscript,
    cst.Import: Analysis._walk_import,
    cst.ImportFrom: Analysis._walk_import_from,
    cst.Assign: Analysis._walk_assign,
    cst.AnnAssign: Analysis._walk_ann_assign,
    cst.AugAssign: Analysis._walk_other_target,
    cst.For: Analysis._walk_loop,
    cst.While: Analysis._walk_loop,
    cst.CompFor: Analysis._walk_other_target,
    cst.WithItem: Analysis._walk_other_target,
    cst.NamedExpr: Analysis._walk_named_expr,
    cst.ExceptHandler: Analysis._walk_except,
    cst.ExceptStarHandler: Analysis._walk_except,
    cst.Global: Analysis._walk_global,
    cst.Nonlocal: Analysis._walk_global,
    cst.Return: Analysis._walk_return,
    cst.Try: Analysis._walk_try,
    cst.TryStar: Analysis._walk_try,
    cst.FunctionDef: Analysis._walk_function,
    cst.Lambda: Analysis._walk_lambda,
    cst.ClassDef: Analysis._walk_class,
}
