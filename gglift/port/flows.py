"""Where a client's value goes: every place a creation reaches, or the first one not followed.

A client created with boto3 may be ported only when every use of it is known: the port
rewrites the creation, so a use it cannot see (the client stored in a dict, set on another
object, passed to a callback) would keep cloud-only arguments or ``.read()`` on a
greengrasssdk client. :func:`client_uses` follows the value from its creation through
assignments to names and to ``self`` attributes, returns from functions and arguments of
functions called directly in the module, down to its method calls. The shadow results of
those calls are followed the same way to their ``['payload'].read()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Union

import libcst as cst

from gglift.port import analysis as an
from gglift.port.analysis import Analysis, CallSite, Scope
from gglift.port.modules import WHOLE_MODULE
from gglift.port.tree import NoTree

# a gglift.port.tree.SourceTree: who imports what from this module, and their uses of it
Tree = Any

# the keyword arguments each SDK method takes: a `**mapping` with only these keys is followed
_SDK_PARAMETERS = {
    "publish": {"topic", "payload", "queueFullPolicy"},
    "get_thing_shadow": {"thingName"},
    "update_thing_shadow": {"thingName", "payload"},
    "delete_thing_shadow": {"thingName"},
    "invoke": {"FunctionName", "InvocationType", "ClientContext", "Payload", "Qualifier"},
    "get_secret_value": {"SecretId", "VersionStage"},
}

# parents that only test a client (`if client is None`, `del client`): no use of its API
_HARMLESS = (cst.Comparison, cst.ComparisonTarget, cst.If, cst.While, cst.Del, cst.UnaryOperation)


@dataclass
class Uses:
    """What one client creation reaches."""

    calls: list[tuple[cst.Call, Scope]] = field(default_factory=list)  # its method calls
    exceptions: list[tuple[cst.Attribute, Scope]] = field(default_factory=list)  # client.exceptions
    untracked: list[Union[cst.CSTNode, str]] = field(default_factory=list)  # where the value is lost
    elsewhere: list[str] = field(default_factory=list)  # methods called on it by importing modules


class _Follower:
    def __init__(self, analysis: Analysis, origin: object, tree: Tree):
        self.analysis = analysis
        self.origin = origin
        self.tree = tree
        self.uses = Uses()
        self.service: Optional[str] = None  # the followed client's, for modules calling for it
        self._seen: set = set()

    def _from(self, kind: Optional[an.Kind]) -> bool:
        return kind is not None and self.origin in kind.origins

    # -- the client --------------------------------------------------------------------------

    def client(self, expr: cst.BaseExpression, up: tuple, scope: Scope) -> None:
        """Follow a client value ``expr``; ``up`` holds its ancestors, innermost first."""
        parent = up[0]
        grandparent = up[1] if len(up) > 1 else None
        if isinstance(parent, cst.Attribute) and parent.value is expr:
            attr = parent.attr.value
            if attr == "exceptions":
                self.uses.exceptions.append((parent, scope))
            elif isinstance(grandparent, cst.Call) and grandparent.func is parent:
                method = self.analysis.kind_of(parent, scope)
                if not self._from(method) or not self._arguments_known(grandparent, attr, scope):
                    self.uses.untracked.append(grandparent)
                    return
                self.uses.calls.append((grandparent, scope))
                if attr in an.SHADOW_OPS:
                    self._from_call(grandparent, self.result)
            else:
                self.uses.untracked.append(parent)
            return
        if not self._flow(expr, up, scope, self.client):
            # quote the whole call a value is passed to: `send(iot)` says more than `iot`
            lost = up[1] if isinstance(parent, cst.Arg) and len(up) > 1 else parent
            self.uses.untracked.append(lost)

    def _arguments_known(self, call: cst.Call, method: str, scope: Scope) -> bool:
        """No ``*args``, and a ``**mapping`` only if it is a literal the port needs no edit in."""
        for arg in call.args:
            if arg.star == "*":
                return False
            if arg.star == "**":
                entries = an.unpacked_keywords(arg, self.analysis, scope)
                if entries is None or not set(entries) <= _SDK_PARAMETERS.get(method, set()):
                    return False
                if an.literal_str(entries.get("InvocationType")) == "DryRun":
                    return False
        return True

    # -- a shadow result and its payload ------------------------------------------------------

    def result(self, expr, up: tuple, scope: Scope) -> None:
        """A shadow call's result: its ``['payload']`` matters, other uses do not."""
        parent = up[0]
        if isinstance(parent, cst.Subscript) and parent.value is expr:
            if an.subscript_key(parent) == "payload":
                if len(up) > 1:
                    self.payload(parent, up[1:], scope)
                else:
                    self.uses.untracked.append(parent)
            return
        self._flow(expr, up, scope, self.result)

    def payload(self, expr, up: tuple, scope: Scope) -> None:
        """A shadow payload: bytes on the core, so a method called on it must be ``.read()``."""
        parent = up[0]
        if isinstance(parent, cst.Attribute) and parent.value is expr:
            call = up[1] if len(up) > 1 else None
            is_read = parent.attr.value == "read" and isinstance(call, cst.Call) and not call.args
            if not (is_read and self._from(self.analysis.kind_of(expr, scope))):
                self.uses.untracked.append(call if is_read else parent)  # a .read() the port misses
            return
        self._flow(expr, up, scope, self.payload)

    def _from_call(self, call: cst.Call, follow) -> None:
        site = self.analysis.site_of(call)
        if site is None:
            self.uses.untracked.append(call)
        else:
            follow(call, site.path[::-1], site.scope)

    # -- the ways a value travels --------------------------------------------------------------

    def _flow(self, expr, up: tuple, scope: Scope, follow) -> bool:
        """Follow ``expr`` through an assignment, a return or an argument; False if it goes
        anywhere else that matters."""
        parent = up[0]
        if isinstance(parent, (cst.Assign, cst.AnnAssign)) and parent.value is expr:
            targets = [t.target for t in parent.targets] if isinstance(parent, cst.Assign) else [parent.target]
            return all(self._into_target(target, expr, scope, follow) for target in targets)
        if isinstance(parent, (cst.AssignTarget, cst.AnnAssign, cst.Expr)) or isinstance(parent, _HARMLESS):
            return True  # written to, tested, deleted, or a bare expression statement
        if isinstance(parent, cst.Return):
            return self._into_callers(scope, follow)
        grandparent = up[1] if len(up) > 1 else None
        if isinstance(parent, cst.Arg) and isinstance(grandparent, cst.Call) and not parent.star:
            return self._into_parameter(parent, grandparent, scope, follow)
        return False

    def _into_target(self, target, expr, scope: Scope, follow) -> bool:
        analysis = self.analysis
        if isinstance(target, cst.Name):
            key = ("name", id(expr), target.value)
            if key in self._seen:
                return True
            self._seen.add(key)
            owner = analysis.module_scope if target.value in scope.globals else scope
            if owner is analysis.module_scope:
                self._into_importers(target.value, analysis.kind_of(expr, scope))
            bindings = owner.bindings.get(target.value, [])
            for use in analysis.name_uses(target.value):
                if use.node is target or analysis.lookup(use.scope, target.value) is not bindings:
                    continue
                reaching = analysis.reaching(use.node, use.scope) or []
                if any(s[0] == "expr" and s[1] is expr for s in reaching):
                    follow(use.node, use.up, use.scope)
            return True
        if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
            cls = analysis.instance_class(target.value, scope)
            if cls is None:
                return False
            key = ("attr", id(cls), target.attr.value)
            if key in self._seen:
                return True
            self._seen.add(key)
            for use in analysis.attribute_uses(target.attr.value):
                if analysis.instance_class(use.node.value, use.scope) is not cls:
                    if analysis.kind_of(use.node.value, use.scope) is None:
                        self.uses.untracked.append(use.node)  # `other.<attr>`: may be this client
                elif use.node is not target:
                    follow(use.node, use.up, use.scope)
            return True
        return False

    def _into_callers(self, scope: Scope, follow) -> bool:
        info = scope.function
        if info is None or info.cls is not None:
            return False
        key = ("return", id(info))
        if key in self._seen:
            return True
        self._seen.add(key)
        sites = self.analysis.calls_of(info.name)
        if len(sites) != self.analysis.ref_count(info.name):
            return False  # also used other than by a direct call
        importers = self.tree.importers() if scope.parent is self.analysis.module_scope else {}
        if WHOLE_MODULE in importers or (info.name in importers and follow != self.client):
            self._imported_whole_or(info.name)  # noted as lost: only returned clients are followed
            return True
        for importer in importers.get(info.name, ()):
            maker = an.Kind(an.CLIENT_MAKER, service=self.service, sdk="boto3")
            self._methods_in(importer, info.name, maker)
        if not sites and info.name not in importers:
            return False  # never called
        for site in sites:
            follow(site.node, site.path[::-1], site.scope)
        return True

    def _imported_whole_or(self, name: str) -> bool:
        """True (and the use noted) when another module may use ``name`` in ways not followed."""
        importers = self.tree.importers()
        if WHOLE_MODULE in importers:
            self.uses.untracked.append(f"{name}, its module imported by {importers[WHOLE_MODULE][0].name}")
            return True
        if name in importers:
            self.uses.untracked.append(f"{name}, imported by {importers[name][0].name}")
            return True
        return False

    def _into_importers(self, name: str, kind: Optional[an.Kind]) -> None:
        """Follow a module-level client into the modules that import it by name."""
        importers = self.tree.importers()
        if WHOLE_MODULE in importers:
            self._imported_whole_or(name)
            return
        for importer in importers.get(name, ()):
            if kind is None:
                self.uses.untracked.append(f"{name}, imported by {importer.name}")
            else:
                self._methods_in(importer, name, kind)

    def _methods_in(self, importer: Path, name: str, kind: an.Kind) -> None:
        """Note the methods ``importer`` calls on the client it gets through ``name``."""
        methods = self.tree.uses_in(importer, name, kind)
        if methods is None:
            self.uses.untracked.append(f"{name}, imported by {importer.name}")
        else:
            self.uses.elsewhere.extend(methods)

    def _into_parameter(self, arg: cst.Arg, call: cst.Call, scope: Scope, follow) -> bool:
        analysis = self.analysis
        callee = analysis.kind_of(call.func, scope)
        if callee is None or callee.tag != an.FUNCTION or callee.func is None:
            return False
        info = callee.func
        if arg.keyword is not None:
            name = arg.keyword.value
        else:
            position = [a for a in call.args if a.keyword is None].index(arg)
            if position >= len(info.params):
                return False
            name = info.params[position]
        sources = info.scope.bindings.get(name)
        if not sources or sources[0][0] != "param" or analysis.passed_values(*sources[0][1:]) is None:
            return False
        key = ("param", id(info), name)
        if key in self._seen:
            return True
        self._seen.add(key)
        for use in analysis.name_uses(name):
            if analysis.lookup(use.scope, name) is sources:
                follow(use.node, use.up, use.scope)
        return True


def client_uses(analysis: Analysis, site: CallSite, tree: Tree = None) -> Uses:
    """Everything the client created at ``site`` reaches, and where it is lost."""
    follower = _Follower(analysis, id(site.node), tree or NoTree())
    created = analysis.kind_of(site.node, site.scope)
    follower.service = created.service if created is not None else None
    follower.client(site.node, site.path[::-1], site.scope)
    return follower.uses


def follow_imported(analysis: Analysis, origin: object, tree: Tree) -> Optional[list[str]]:
    """The methods a module calls on a client it imports (its kinds carry ``origin``); None
    when a use of it cannot be followed."""
    follower = _Follower(analysis, origin, tree)
    scope = analysis.module_scope
    for name, sources in scope.bindings.items():
        kinds = [s[1] for s in sources if s[0] == "kind" and origin in s[1].origins]
        if not kinds:
            continue
        if follower._imported_whole_or(name):
            return None
        maker = kinds[0].tag == an.CLIENT_MAKER
        for use in analysis.name_uses(name):
            if analysis.lookup(use.scope, name) is not sources:
                continue
            if not maker:
                follower.client(use.node, use.up, use.scope)
            elif type(use.up[0]) is cst.Call and use.up[0].func is use.node:
                follower.client(use.up[0], use.up[1:], use.scope)  # what the call returns
            else:
                follower.uses.untracked.append(use.node)  # the function itself is passed on
    uses = follower.uses
    if uses.untracked:
        return None
    names = [call.func.attr.value for call, _ in uses.calls]  # type: ignore[attr-defined]
    return names + uses.elsewhere
