"""A module's clients across its source tree: ``from .aws import iot`` followed both ways.

A client created in one module and used in another is ported only if the port of each side
agrees: the creating module follows the client into every module that imports it (its uses
there must all be followed and portable), and an importing module asks the creating one
whether it ports the client, and then ports its own calls on it. Both sides run the same
decision over the same files, so they cannot disagree. Only ``from <module> import <name>``
of a module-level client, or of a module-level function returning a client, is followed;
``import module`` keeps the client on boto3 (GGL141).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

import libcst as cst

from gglift.port import analysis as an
from gglift.port.analysis import Analysis, Kind
from gglift.port.modules import WHOLE_MODULE, importers_of, read_cached, resolve_from, source_root

# (path, hash of the file's bytes) -> the module's exported clients, by name
_DECISIONS: dict[tuple, dict[str, Kind]] = {}


def external_origin(path: Path, name: str) -> tuple:
    """The origin standing for a client another module creates, in kinds of this one."""
    return ("module", str(path), name)


def _analysed(path: Path) -> Optional[Analysis]:
    """The analysis of another module of the tree; None when it cannot be read or parsed."""
    data = read_cached(path)
    if data is None:
        return None
    try:
        module = cst.parse_module(data)
    except Exception:  # the port of that file reports it; here it only cannot be followed
        return None
    return Analysis(module)


def bind_imported(
    analysis: Analysis, path: Path, kind_of: Callable[[Path, str], Optional[Kind]]
) -> tuple[frozenset, bool]:
    """Give names a module imports from its tree (``from aws import iot``) the kind
    ``kind_of`` finds for them. Returns the origins of those kinds, and whether the module
    takes names from its tree at all."""
    origins: set = set()
    from_tree = False
    root = None
    for site in analysis.imports:
        node = site.node
        if len(site.path) != 2 or not isinstance(node, cst.ImportFrom) or isinstance(node.names, cst.ImportStar):
            continue
        dotted = an.dotted_name(node.module) if node.module is not None else ""
        root = root or source_root(path)  # one walk up the package folders per module
        target = resolve_from(path, len(node.relative), dotted, root)
        if target is None:
            continue
        from_tree = True
        for alias in node.names:
            bound = alias.asname.name.value if alias.asname else an.dotted_name(alias.name)  # type: ignore[union-attr]
            bindings = analysis.module_scope.bindings.get(bound)
            if bindings != [an.OTHER]:
                continue  # also bound otherwise: not provably the imported client
            kind = kind_of(target, an.dotted_name(alias.name))
            if kind is not None:
                bindings[0] = ("kind", kind)
                origins |= kind.origins
    return frozenset(origins), from_tree


def exported_clients(path: Path) -> dict[str, Kind]:
    """The module-level clients of ``path`` that are greengrasssdk ones after its port, as
    kinds for the modules importing them."""
    data = read_cached(path)
    if data is None:
        return {}
    key = (path, hash(data))
    found = _DECISIONS.get(key)
    if found is None:
        found = _DECISIONS[key] = _decide(path)
    return found


def _decide(path: Path) -> dict[str, Kind]:
    from gglift.port.porting import plan_port  # porting uses this module's SourceTree

    analysis = _analysed(path)
    if analysis is None:
        return {}
    plan = plan_port(analysis, tree=SourceTree(path))
    found = {}
    for name, sources in analysis.module_scope.bindings.items():
        kind = analysis.agree(sources)
        tag = an.CLIENT
        if kind is not None and kind.tag == an.FUNCTION and kind.func is not None:
            # a function returning a client: its callers in other modules get that client
            kind = analysis.agree([("expr", value, kind.func.scope) for value in kind.func.returns])
            tag = an.CLIENT_MAKER
        if kind is None or kind.tag != an.CLIENT:
            continue
        if kind.sdk == "gg":  # already a greengrasssdk client: its calls are recorded there
            found[name] = an.Kind(tag, service=kind.service, sdk="gg")
        elif kind.origins <= plan.ported:
            found[name] = an.Kind(tag, service=kind.service, sdk="boto3", origins=frozenset({external_origin(path, name)}))
    return found


class SourceTree:
    """What the port of one module needs to know about the other modules of its tree."""

    def __init__(self, path: Path):
        self.path = path
        self._importers: Optional[dict[str, list[Path]]] = None
        self._passed: dict[tuple, Optional[list[Kind]]] = {}  # passed_kinds() by its arguments

    @property
    def imported(self) -> bool:
        """True once the port of this module found that other modules import it."""
        return bool(self._importers)

    def importers(self) -> dict[str, list[Path]]:
        """The names other modules import from this one (asked only when it matters)."""
        if self._importers is None:
            self._importers = importers_of(self.path)
        return self._importers

    def passed_kinds(self, name: str, index: Optional[int], param: str) -> Optional[list[Kind]]:
        """What the modules importing the function ``name`` by name pass for one of its
        parameters, as kinds that mean the same here: a boto3 session made in the call or
        bound once to a name, with no credentials of its own. None when one of them uses the
        function other than by a plain call, or passes anything else.

        The analysis asks once per use of the parameter; the importers are parsed for the
        first of them only."""
        key = (name, index, param)
        if key not in self._passed:
            self._passed[key] = self._kinds_passed(name, index, param)
        return self._passed[key]

    def _kinds_passed(self, name: str, index: Optional[int], param: str) -> Optional[list[Kind]]:
        importers = self.importers()
        if WHOLE_MODULE in importers or name not in importers:
            return None
        kinds: list[Kind] = []
        for importer in importers[name]:
            passed = _sessions_passed(importer, self.path, name, index, param)
            if passed is None:
                return None
            kinds.extend(passed)
        return kinds

    def uses_in(self, importer: Path, name: str, kind: Kind) -> Optional[list[str]]:
        """The methods ``importer`` calls on the client ``name`` it imports from this module
        (or on what it gets by calling ``name``, for a CLIENT_MAKER ``kind``); None when a
        use of it there cannot be followed."""
        from gglift.port.flows import follow_imported  # flows uses SourceTree objects

        analysis = _analysed(importer)
        if analysis is None:
            return None
        origin = external_origin(self.path, name)
        marked = Kind(kind.tag, service=kind.service, sdk=kind.sdk, origins=frozenset({origin}))
        bound, _ = bind_imported(analysis, importer, lambda path, taken: marked if (path, taken) == (self.path, name) else None)
        if not bound:
            return None
        return follow_imported(analysis, origin, SourceTree(importer))


def _sessions_passed(importer: Path, path: Path, name: str, index: Optional[int], param: str) -> Optional[list[Kind]]:
    """:meth:`SourceTree.passed_kinds` for one importing module."""
    from gglift.port.porting import CREDENTIAL_ARGS  # porting uses this module's SourceTree

    analysis = _analysed(importer)
    if analysis is None:
        return None
    imported = Kind("imported_function")
    bind_imported(analysis, importer, lambda target, taken: imported if (target, taken) == (path, name) else None)
    kinds: list[Kind] = []
    for bound, sources in analysis.module_scope.bindings.items():
        if sources != [("kind", imported)]:
            continue
        for use in analysis.name_uses(bound):
            if analysis.lookup(use.scope, bound) is not sources:
                continue
            call = use.up[0]
            if type(call) is not cst.Call or call.func is not use.node:  # type: ignore[attr-defined]
                return None  # the function itself is passed on
            value = an.argument(call, index, param)  # type: ignore[arg-type]
            if value is None or analysis.kind_of(value, use.scope) != an.SESSION:
                return None
            made = value
            if type(value) is cst.Name:
                reaching = analysis.reaching(value, use.scope) or []
                made = reaching[0][1] if len(reaching) == 1 and reaching[0][0] == "expr" else None
            if type(made) is not cst.Call or any(
                arg.star or (arg.keyword is not None and arg.keyword.value in CREDENTIAL_ARGS) for arg in made.args  # type: ignore[attr-defined]
            ):
                return None  # credentials the ported client would silently drop (GGL143)
            kinds.append(an.SESSION)
    return kinds


class NoTree:
    """No other module: what :func:`gglift.port.engine.analyze_source` assumes by default."""

    def importers(self) -> dict[str, list[Path]]:
        return {}

    def passed_kinds(self, name: str, index: Optional[int], param: str) -> Optional[list[Kind]]:
        return None

    def uses_in(self, importer: Path, name: str, kind: Kind) -> Optional[list[str]]:
        return None
