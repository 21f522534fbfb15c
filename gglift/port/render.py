"""Node positions and the ported text, generating as little of the original tree as it can.

libcst's ``PositionProvider`` records a position for every node (about two parses of work),
and generating a whole transformed module is a second full codegen. Instead the *original*
code is generated with libcst's ``before_codegen``/``after_codegen`` hooks noting where the
few nodes that matter start and end. With :class:`~gglift.port.anchors.Anchors`, only the
statements that hold such a node are generated, each from the line CPython's parser gave it,
and each must reproduce the source text there; otherwise the whole module is. Each edited
subtree is then transformed on its own, generated with the indentation of the place it sits
in, and its text takes the place of the original node's. The result is exactly what
generating the whole transformed module would give.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Iterable, Mapping, Optional, Sequence

import libcst as cst
from libcst._nodes.internal import CodegenState

from gglift.port.anchors import Anchors


_NO_POSITION = nullcontext()

Replacement = tuple[cst.CSTNode, Sequence[cst.CSTNode], Sequence[cst.CSTNode]]


class _HookedState(CodegenState):
    """A codegen state that accepts per-instance hooks (the base class uses slots).

    Positions are noted by the hooks, so the base class's ``record_syntactic_position``, a
    generator-based context manager entered for most expressions (a third of plain codegen),
    is replaced by one reusable no-op context.
    """

    def record_syntactic_position(self, node, *, start_node=None, end_node=None):  # type: ignore[override]
        return _NO_POSITION


def indentation(path: Sequence[cst.CSTNode], default_indent: str) -> list[str]:
    """The indent tokens in force inside the innermost block of ``path``."""
    return [
        default_indent if block.indent is None else block.indent
        for block in path
        if isinstance(block, cst.IndentedBlock)
    ]


class _Located:
    """Where the wanted nodes start and the edited ones end: 1-based (line, col) and offsets
    into ``text``."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.positions: dict[tuple[str, int], tuple[int, int]] = {}
        self.offsets: dict[tuple[str, int], int] = {}


def render(
    module: cst.Module,
    marked: Iterable[cst.CSTNode],
    replacements: Sequence[Replacement],
    anchors: Optional[Anchors] = None,
    statement_of: Mapping[int, cst.CSTNode] = {},
    source: Optional[str] = None,
) -> tuple[dict[int, tuple[int, int]], Optional[str]]:
    """Positions of ``marked`` nodes and the text with ``replacements`` applied.

    ``replacements`` holds (original node, its ancestors, nodes to generate instead; none to
    delete it); the originals must not nest. ``statement_of`` maps a node's id to the
    statement or except clause holding it (:attr:`Analysis.statement_of`). Returns
    ``({id(node): (line, col)}, text)``, 1-based, with text None when there are no
    replacements.
    """
    marked = list(marked)
    if not marked and not replacements:
        return {}, None
    edited = {id(node) for node, _, _ in replacements}
    wanted = {id(node) for node in marked} | edited
    located = None
    if anchors is not None:
        located = _locate_statements(module, wanted, edited, anchors, statement_of)
    if located is None:
        located = _locate_module(module, wanted, edited, source)
    result = {id(node): located.positions[("start", id(node))] for node in marked}
    if not replacements:
        return result, None
    text, offsets = located.text, located.offsets
    pieces: list[str] = []
    done = 0
    for node, path, new_nodes in sorted(replacements, key=lambda r: offsets[("start", id(r[0]))]):
        start, end = offsets[("start", id(node))], offsets[("end", id(node))]
        pieces.append(text[done:start])
        pieces.append(_generate(module, indentation(path, module.default_indent), new_nodes, node, text[start:end]))
        done = end
    pieces.append(text[done:])
    ported = "".join(pieces)
    if not module.has_trailing_newline and done > len(text) and ported.endswith(module.default_newline):
        # the edited node ended the file, whose missing final newline libcst dropped
        ported = ported[: -len(module.default_newline)]
    return result, ported


def _locate_module(module: cst.Module, wanted: set[int], edited: set[int], source: Optional[str]) -> _Located:
    """Generate the whole module: its text is the one the positions refer to, or ``source``
    when that text begins it (libcst drops the last newline of a file ending in a lone CR)."""
    tokens, marks = _generate_marking(module, module, [], wanted, edited)
    located = _Located("")
    text = _locate(tokens, marks, 1, 0, located)
    located.text = source if source is not None and source.startswith(text) else text
    return located


def _locate_statements(
    module: cst.Module,
    wanted: set[int],
    edited: set[int],
    anchors: Anchors,
    statement_of: Mapping[int, cst.CSTNode],
) -> Optional[_Located]:
    """Place the wanted nodes CPython's positions can place, and generate the statements
    holding the others, each only as far as its last mark; None when a statement cannot be
    placed, does not reproduce the source text where it starts, or the two parsers disagree.

    A node placed by CPython's positions counts only once libcst generates the node given
    with it (the value or line it is in) at the offset CPython gives that one.
    """
    by_statement: dict[int, tuple[cst.CSTNode, set[int]]] = {}
    for key in wanted:
        root = statement_of.get(key)
        if root is None or not anchors.knows(root):
            return None
        by_statement.setdefault(id(root), (root, set()))[1].add(key)
    placed: dict[int, tuple[int, int, int, Optional[int]]] = {}
    checks: dict[int, tuple[cst.CSTNode, int]] = {}
    for root, keys in by_statement.values():
        found, needed = anchors.place(root, keys)
        placed.update(found)
        checks.update(needed)
    settled = {key for key, place in placed.items() if key not in edited or place[3] is not None}
    generated = (wanted - settled) | checks.keys()
    needs: dict[int, tuple[cst.CSTNode, set]] = {}  # id(statement) -> it, the marks it holds
    for key in generated:
        root = statement_of.get(key)
        if root is None or not anchors.knows(root):
            return None
        marks = needs.setdefault(id(root), (root, set()))[1]
        marks.add(("start", key))
        if key in edited and key not in settled:
            marks.add(("end", key))
    starts = []
    for root, marks in needs.values():
        start = anchors.start(root)
        if start is None:
            return None
        starts.append((start, root, marks))
    located = _Located(anchors.text)
    hooked = wanted | checks.keys()
    for (line, offset), root, marks in sorted(starts, key=lambda item: item[0]):
        needed = marks - located.offsets.keys()
        if not needed:
            continue  # inside a statement generated already
        tokens, found = _generate_marking(
            module, root, list(anchors.indent(root)), hooked, edited, needed, anchors.is_elif(root)
        )
        code = _locate(tokens, found, line, offset, located)
        if not anchors.text.startswith(code, offset):
            return None
    if any(located.offsets.get(("start", key)) != offset for key, (_, offset) in checks.items()):
        return None  # the two parsers do not agree on where a statement's value or line is
    for key in settled:
        start, line, col, end = placed[key]
        if located.offsets.setdefault(("start", key), start) != start:
            return None
        located.positions[("start", key)] = (line, col)
        if key in edited and located.offsets.setdefault(("end", key), end) != end:  # type: ignore[arg-type]
            return None
    if any(("start", key) not in located.positions for key in wanted) or any(("end", key) not in located.offsets for key in edited):
        return None
    return located


class _Enough(Exception):
    """Every mark a statement was generated for is found: the rest of it is not needed."""


def _generate_marking(
    module: cst.Module,
    root: cst.CSTNode,
    indent: list[str],
    wanted: set[int],
    edited: set[int],
    needed: Optional[set] = None,
    is_elif: bool = False,
) -> tuple[list[str], dict[tuple[str, int], int]]:
    """``root``'s tokens, and the token index where each wanted node starts and each edited
    one ends. With ``needed``, generation stops once those marks are found."""
    state = _HookedState(default_indent=module.default_indent, default_newline=module.default_newline)
    state.indent_tokens = indent
    tokens = state.tokens
    marks: dict[tuple[str, int], int] = {}
    pending = set(needed) if needed is not None else set()
    stops = needed is not None

    # the hooks run for every node: defaults make their names locals, which is measurably faster
    def before(node: cst.CSTNode, _id=id, _wanted=wanted, _marks=marks, _pending=pending) -> None:
        key = _id(node)
        if key in _wanted:
            mark = ("start", key)
            if mark not in _marks:
                _marks[mark] = len(tokens)
                _pending.discard(mark)
                if stops and not _pending:
                    raise _Enough

    def after(node: cst.CSTNode, _id=id, _edited=edited, _marks=marks, _pending=pending) -> None:
        key = _id(node)
        if key in _edited:
            mark = ("end", key)
            _marks[mark] = len(tokens)
            _pending.discard(mark)
            if stops and not _pending:
                raise _Enough

    state.before_codegen = before  # type: ignore[method-assign]
    if edited and (not stops or any(mark[0] == "end" for mark in pending)):
        state.after_codegen = after  # type: ignore[method-assign]
    try:
        if is_elif:
            root._codegen(state, is_elif=True)
        else:
            root._codegen(state)
    except _Enough:
        pass
    return tokens, marks


def _generate(
    module: cst.Module, indent: list[str], nodes: Iterable[cst.CSTNode], original: cst.CSTNode, text: str
) -> str:
    """The code of ``nodes`` in place of ``original``, whose ``text`` is copied where it is
    one of them (a line kept beside an inserted one)."""
    state = _HookedState(default_indent=module.default_indent, default_newline=module.default_newline)
    state.indent_tokens = list(indent)
    for node in nodes:
        if node is original:
            state.tokens.append(text)
        else:
            node._codegen(state)
    return "".join(state.tokens)


def _locate(tokens: list[str], marks: dict, line: int, offset: int, located: _Located) -> str:
    """The text of ``tokens``, generated from the start of ``line`` at ``offset``; notes each
    mark's offset and (line, col) in ``located``."""
    chunks = []
    line_start, done = offset, 0
    for key, index in sorted(marks.items(), key=lambda item: item[1]):
        chunk = "".join(tokens[done:index])
        chunks.append(chunk)
        # lines end as CPython ends them: CRLF, LF or a lone CR
        newlines = chunk.count("\n") + chunk.count("\r") - chunk.count("\r\n")
        if newlines:
            line += newlines
            line_start = offset + max(chunk.rfind("\n"), chunk.rfind("\r")) + 1
        offset += len(chunk)
        done = index
        located.offsets[key] = offset
        if key[0] == "start":
            located.positions[key] = (line, offset - line_start + 1)
    chunks.append("".join(tokens[done:]))
    return "".join(chunks)
