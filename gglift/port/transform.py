"""Turn a :class:`~gglift.port.porting.Plan` into replacement subtrees, and fix the imports.

Only the outermost edited nodes are transformed, each on its own; the transformer descends
only into nodes on the path to a nested edit. Imports: ``import greengrasssdk`` is added when
a client is ported, and a boto3/botocore import is removed only when the edits deleted its
last use. :mod:`gglift.port.render` puts the replacements into the text.
"""

from __future__ import annotations

from typing import Optional, Sequence

import libcst as cst

from gglift.port import analysis as an
from gglift.port.analysis import Analysis, ImportSite
from gglift.port.porting import Plan, closing_comma


def sdk_module_name(analysis: Analysis) -> Optional[str]:
    """The name greengrasssdk is imported as at module level, if it is."""
    for name, sources in analysis.module_scope.bindings.items():
        if ("kind", an.GG) in sources:
            return name
    return None


def plan_imports(analysis: Analysis, plan: Plan, sdk_name: str, add_import: bool) -> None:
    """Add the import edits to ``plan``: drop unused cloud aliases, add the SDK import."""
    anchor_placed = not add_import
    for site in analysis.imports:
        unused = _unused_aliases(site, analysis, plan)
        anchor = not anchor_placed and len(site.path) == 2 and bool(_cloud_aliases(site))
        if anchor or unused:
            line = site.path[-1]
            only_child = isinstance(site.path[-2], cst.IndentedBlock) and len(site.path[-2].body) == 1
            edit = _edit_import_line(site.node, unused, sdk_name if anchor else None, only_child)
            plan.edit(line, site.path[:-1], edit)
            anchor_placed = anchor_placed or anchor
    if not anchor_placed:
        _insert_at_top(analysis.module, plan, sdk_name)


def replacements(plan: Plan) -> list[tuple[cst.CSTNode, tuple, list[cst.CSTNode]]]:
    """(original node, its ancestors, nodes to generate instead) for every outermost edit."""
    transformer = _Apply(plan)
    result = []
    for key, (node, edit) in plan.edits.items():
        path = plan.path_of[key]
        if any(id(ancestor) in plan.edits for ancestor in path):
            continue  # transformed as part of an enclosing edit
        # most edits hold no other: the edit applies to the node as it is, which is what the
        # transformer would hand it (a copy with the same children), without its visit
        new = node.visit(transformer) if key in transformer.above_edits else edit(node)
        if isinstance(new, cst.FlattenSentinel):
            result.append((node, path, list(new.nodes)))
        elif isinstance(new, cst.RemovalSentinel):
            result.append((node, path, _comments_of_removed(node)))
        else:
            result.append((node, path, [new]))
    return result


def _comments_of_removed(node: cst.CSTNode) -> list[cst.CSTNode]:
    """What stays of a removed line: the comments above it and its end-of-line comment."""
    kept = list(getattr(node, "leading_lines", ()))
    trailing = getattr(node, "trailing_whitespace", None)
    if isinstance(trailing, cst.TrailingWhitespace) and trailing.comment is not None:
        kept.append(cst.EmptyLine(comment=trailing.comment))
    return kept


def _bound_name(alias: cst.ImportAlias, from_import: bool) -> str:
    if alias.asname is not None:
        return alias.asname.name.value  # type: ignore[union-attr]
    name = an.dotted_name(alias.name)
    return name if from_import else name.split(".")[0]


def _cloud_aliases(site: ImportSite) -> list[cst.ImportAlias]:
    """The aliases of an import that bring in boto3 or botocore names."""
    node = site.node
    if isinstance(node.names, cst.ImportStar):
        return []
    if isinstance(node, cst.ImportFrom):
        module = an.dotted_name(node.module) if node.module and not node.relative else ""
        return list(node.names) if _is_cloud_module(module) else []
    return [alias for alias in node.names if _is_cloud_module(an.dotted_name(alias.name))]


def _is_cloud_module(module: str) -> bool:
    return module.split(".")[0] in ("boto3", "botocore")


def _unused_aliases(site: ImportSite, analysis: Analysis, plan: Plan) -> set[str]:
    """Names this import binds from boto3/botocore whose last use the edits removed."""
    unused = set()
    for alias in _cloud_aliases(site):
        bound = _bound_name(alias, isinstance(site.node, cst.ImportFrom))
        removed = plan.removed_refs.get(bound, 0)
        if removed and analysis.ref_count(bound) - removed <= 0:
            unused.add(bound)
    return unused


def _sdk_import_line(sdk_name: str) -> cst.SimpleStatementLine:
    alias = cst.ImportAlias(
        name=cst.Name("greengrasssdk"),
        asname=None if sdk_name == "greengrasssdk" else cst.AsName(name=cst.Name(sdk_name)),
    )
    return cst.SimpleStatementLine(body=[cst.Import(names=[alias])])


def _edit_import_line(
    import_node: cst.CSTNode, unused: set[str], sdk_name: Optional[str], only_child: bool
):
    """Edit for a line holding a cloud import: drop unused aliases, maybe add the SDK import.

    The SDK import takes the place of a removed import (keeping its comments) or follows it.
    """

    def apply(updated: cst.CSTNode):
        assert isinstance(updated, cst.SimpleStatementLine)
        body = []
        for small in updated.body:
            if unused and isinstance(small, (cst.Import, cst.ImportFrom)) and small is import_node:
                small = _without(small, unused)
                if small is None:
                    continue
            body.append(small)
        if sdk_name is not None:
            sdk_line = _sdk_import_line(sdk_name)
            if not body:
                return sdk_line.with_changes(
                    leading_lines=updated.leading_lines, trailing_whitespace=updated.trailing_whitespace
                )
            kept = updated if body == list(updated.body) else updated.with_changes(body=body)
            return cst.FlattenSentinel([kept, sdk_line])
        if body:
            return updated.with_changes(body=body)
        if only_child:  # an emptied block still needs a statement
            return updated.with_changes(body=[cst.Pass()])
        return cst.RemovalSentinel.REMOVE

    return apply


def _without(node, unused: set[str]):
    """The import without the ``unused`` aliases, or None when none is left."""
    from_import = isinstance(node, cst.ImportFrom)
    names = [a for a in node.names if _bound_name(a, from_import) not in unused]
    if not names:
        return None
    if names[-1] is not node.names[-1]:
        # the list now ends at the last kept name: it takes the old last comma (or none)
        names[-1] = names[-1].with_changes(comma=closing_comma(names[-1].comma, node.names[-1].comma))
    return node.with_changes(names=names)


def _insert_at_top(module: cst.Module, plan: Plan, sdk_name: str) -> None:
    """No cloud import at module level: add the SDK import after the docstring and
    ``__future__`` imports (or before the first statement)."""
    body: Sequence[cst.BaseStatement] = module.body
    index = 0
    while index < len(body) and _is_docstring_or_future(body[index], first=index == 0):
        index += 1
    sdk_line = _sdk_import_line(sdk_name)
    if index:
        plan.edit(body[index - 1], (module,), lambda updated: cst.FlattenSentinel([updated, sdk_line]))
    elif body:
        plan.edit(body[0], (module,), lambda updated: cst.FlattenSentinel([sdk_line, updated]))


def _is_docstring_or_future(stmt: cst.BaseStatement, first: bool) -> bool:
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return False
    small = stmt.body[0]
    if first and isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString)):
        return True
    if not isinstance(small, cst.ImportFrom) or small.module is None:
        return False
    return an.dotted_name(small.module) == "__future__"


class _Apply(cst.CSTTransformer):
    """Applies the plan's edits inside one subtree, visiting only paths to edits."""

    def __init__(self, plan: Plan):
        super().__init__()
        self.edits = plan.edits
        self.above_edits = {id(node) for path in plan.path_of.values() for node in path}
        self.on_path = self.above_edits | self.edits.keys()

    def on_visit(self, node: cst.CSTNode) -> bool:
        return id(node) in self.on_path

    def on_leave(self, original_node, updated_node):  # type: ignore[override]
        edit = self.edits.get(id(original_node))
        return edit[1](updated_node) if edit is not None else updated_node
