"""One codegen pass over the original tree: node positions and the ported text.

libcst's ``PositionProvider`` records a position for every node (about two parses of work),
and generating a whole transformed module is a second full codegen. Instead the *original*
module is generated once, with libcst's ``before_codegen``/``after_codegen`` hooks noting
where the few nodes that matter start and end (some 20% on top of plain codegen). Each
edited subtree is then transformed on its own, generated with the indentation of the place
it sits in, and its tokens take the place of the original node's tokens. The result is
exactly what generating the whole transformed module would give, at the cost of one codegen.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Iterable, Optional, Sequence

import libcst as cst
from libcst._nodes.internal import CodegenState


_NO_POSITION = nullcontext()


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


def render(
    module: cst.Module,
    marked: Iterable[cst.CSTNode],
    replacements: Sequence[tuple[cst.CSTNode, Sequence[cst.CSTNode], Sequence[cst.CSTNode]]],
) -> tuple[dict[int, tuple[int, int]], Optional[str]]:
    """Positions of ``marked`` nodes and the text with ``replacements`` applied.

    ``replacements`` holds (original node, its ancestors, nodes to generate instead; none to
    delete it); the originals must not nest. Returns ``({id(node): (line, col)}, text)``,
    1-based, with text None when there are no replacements.
    """
    marked = list(marked)
    state = _HookedState(default_indent=module.default_indent, default_newline=module.default_newline)
    tokens = state.tokens
    edited = {id(node) for node, _, _ in replacements}
    wanted = {id(node) for node in marked} | edited
    starts: dict[int, int] = {}
    ends: dict[int, int] = {}

    # the hooks run for every node: defaults make their names locals, which is measurably faster
    def before(node: cst.CSTNode, _id=id, _len=len, _wanted=wanted, _starts=starts) -> None:
        key = _id(node)
        if key in _wanted and key not in _starts:
            _starts[key] = _len(tokens)

    def after(node: cst.CSTNode, _id=id, _len=len, _edited=edited, _ends=ends) -> None:
        key = _id(node)
        if key in _edited:
            _ends[key] = _len(tokens)

    state.before_codegen = before  # type: ignore[method-assign]
    if edited:
        state.after_codegen = after  # type: ignore[method-assign]
    module._codegen(state)

    marks = {("start", key): index for key, index in starts.items()}
    marks.update((("end", key), index) for key, index in ends.items())
    text, offsets, positions = _locate(tokens, marks)
    result = {id(node): positions[("start", id(node))] for node in marked}
    if not replacements:
        return result, None
    pieces: list[str] = []
    done = 0
    for node, path, new_nodes in sorted(replacements, key=lambda r: starts[id(r[0])]):
        start = offsets[("start", id(node))]
        pieces.append(text[done:start])
        pieces.append(_generate(module, indentation(path, module.default_indent), new_nodes))
        done = offsets[("end", id(node))]
    pieces.append(text[done:])
    ported = "".join(pieces)
    if not module.has_trailing_newline and done > len(text) and ported.endswith(module.default_newline):
        # the edited node ended the file, whose missing final newline libcst dropped
        ported = ported[: -len(module.default_newline)]
    return result, ported


def _generate(module: cst.Module, indent: list[str], nodes: Iterable[cst.CSTNode]) -> str:
    state = _HookedState(default_indent=module.default_indent, default_newline=module.default_newline)
    state.indent_tokens = list(indent)
    for node in nodes:
        node._codegen(state)
    return "".join(state.tokens)


def _locate(tokens: list[str], marks: dict) -> tuple[str, dict, dict]:
    """The text, and each mark's offset and 1-based (line, col), joining tokens between marks."""
    offsets, positions = {}, {}
    chunks = []
    line, line_start, offset, done = 1, 0, 0, 0
    for key, index in sorted(marks.items(), key=lambda item: item[1]):
        chunk = "".join(tokens[done:index])
        chunks.append(chunk)
        newlines = chunk.count("\n")
        if newlines:
            line += newlines
            line_start = offset + chunk.rfind("\n") + 1
        offset += len(chunk)
        done = index
        offsets[key] = offset
        positions[key] = (line, offset - line_start + 1)
    chunks.append("".join(tokens[done:]))
    return "".join(chunks), offsets, positions
