"""Apply a :class:`~gglift.port.porting.Plan` to the tree, and fix the imports.

The transformer only descends into nodes on the path to an edit, so untouched code is neither
visited nor rebuilt: it keeps its exact formatting and costs nothing. Imports: ``import
greengrasssdk`` is added when a client is ported, and a boto3/botocore import is removed only
when the edits deleted its last use.
"""

from __future__ import annotations

from typing import Optional, Union

import libcst as cst

from gglift.port import analysis as an
from gglift.port.analysis import Analysis, ImportSite
from gglift.port.porting import Plan

_CLOUD_KINDS = {
    an.BOTO3,
    an.SESSION_MODULE,
    an.SESSION_CLASS,
    an.CLIENT_FACTORY,
    an.BOTOCORE,
    an.BOTOCORE_EXCEPTIONS,
    an.CLIENT_ERROR,
}


def sdk_module_name(analysis: Analysis) -> Optional[str]:
    """The name greengrasssdk is imported as at module level, if it is."""
    for name, sources in analysis.module_scope.bindings.items():
        if ("kind", an.GG) in sources:
            return name
    return None


def apply_plan(analysis: Analysis, plan: Plan, sdk_name: str, add_import: bool) -> cst.Module:
    """The ported module; ``add_import`` adds ``import <sdk_name>``."""
    anchor_done = not add_import
    for site in analysis.imports:
        unused = _unused_aliases(site, analysis, plan)
        anchor = not anchor_done and len(site.path) == 2 and _is_cloud_import(site, analysis)
        if anchor:
            anchor_done = True
            plan.edit(site.path[1], site.path[:1], _add_sdk_import_after(sdk_name))
        if unused:
            plan.edit(site.node, site.path, _drop_aliases(unused))
    transformer = _Apply(plan, None if anchor_done else sdk_name)
    return analysis.module.visit(transformer)


def _bound_name(alias: cst.ImportAlias, from_import: bool) -> str:
    if alias.asname is not None:
        return alias.asname.name.value  # type: ignore[union-attr]
    name = an.dotted_name(alias.name)
    return name if from_import else name.split(".")[0]


def _is_cloud_import(site: ImportSite, analysis: Analysis) -> bool:
    node = site.node
    if isinstance(node.names, cst.ImportStar):
        return False
    if isinstance(node, cst.ImportFrom):
        module = an.dotted_name(node.module) if node.module and not node.relative else ""
    else:
        module = an.dotted_name(node.names[0].name)
    return module.split(".")[0] in ("boto3", "botocore")


def _unused_aliases(site: ImportSite, analysis: Analysis, plan: Plan) -> set[str]:
    """Bound names of this import that were cloud names and lost their last use."""
    node = site.node
    if isinstance(node.names, cst.ImportStar) or not _is_cloud_import(site, analysis):
        return set()
    unused = set()
    for alias in node.names:
        bound = _bound_name(alias, isinstance(node, cst.ImportFrom))
        removed = plan.removed_refs.get(bound, 0)
        if removed and analysis.refs.get(bound, 0) - removed <= 0:
            unused.add(bound)
    return unused


def _drop_aliases(unused: set[str]):
    def apply(updated: cst.CSTNode) -> Union[cst.CSTNode, cst.RemovalSentinel]:
        assert isinstance(updated, (cst.Import, cst.ImportFrom))
        from_import = isinstance(updated, cst.ImportFrom)
        names = [a for a in updated.names if _bound_name(a, from_import) not in unused]  # type: ignore[union-attr]
        if not names:
            return cst.RemoveFromParent()
        names[-1] = names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(names=names)

    return apply


def _sdk_import(sdk_name: str) -> cst.Import:
    alias = cst.ImportAlias(
        name=cst.Name("greengrasssdk"),
        asname=None if sdk_name == "greengrasssdk" else cst.AsName(name=cst.Name(sdk_name)),
    )
    return cst.Import(names=[alias])


def _add_sdk_import_after(sdk_name: str):
    """Edit for the first boto3 import line: the SDK import replaces it or follows it."""

    def apply(updated: cst.CSTNode) -> Union[cst.CSTNode, cst.FlattenSentinel]:
        assert isinstance(updated, cst.SimpleStatementLine)
        if not updated.body:
            return updated.with_changes(body=[_sdk_import(sdk_name)])
        return cst.FlattenSentinel([updated, cst.SimpleStatementLine(body=[_sdk_import(sdk_name)])])

    return apply


class _Apply(cst.CSTTransformer):
    def __init__(self, plan: Plan, insert_sdk_import: Optional[str]):
        super().__init__()
        self.edits = plan.edits
        self.on_path = {id(node) for path in plan.paths for node in path}
        self.on_path.update(self.edits)
        self.insert_sdk_import = insert_sdk_import

    def on_visit(self, node: cst.CSTNode) -> bool:
        return id(node) in self.on_path

    def on_leave(self, original_node, updated_node):  # type: ignore[override]
        edit = self.edits.get(id(original_node))
        if edit is not None:
            return edit[1](updated_node)
        if isinstance(updated_node, cst.Module) and self.insert_sdk_import:
            return _insert_at_top(updated_node, self.insert_sdk_import)
        return updated_node


def _insert_at_top(module: cst.Module, sdk_name: str) -> cst.Module:
    """Add the SDK import after the docstring and ``__future__`` imports."""
    body = list(module.body)
    index = 0
    for index, stmt in enumerate(body):  # noqa: B007 - index is used after the loop
        if not _is_docstring_or_future(stmt, first=index == 0):
            break
    else:
        index = len(body)
    body.insert(index, cst.SimpleStatementLine(body=[_sdk_import(sdk_name)]))
    return module.with_changes(body=body)


def _is_docstring_or_future(stmt: cst.BaseStatement, first: bool) -> bool:
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return False
    small = stmt.body[0]
    if first and isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString)):
        return True
    return isinstance(small, cst.ImportFrom) and small.module is not None and an.dotted_name(small.module) == "__future__"
