"""Line and column of a few nodes, without libcst's metadata machinery.

``PositionProvider`` records a position for every node of the module, which costs about twice
a parse. Here the original module is generated once with a codegen state that notes where the
wanted nodes start; since libcst round-trips exactly, those offsets are offsets into the
original source.
"""

from __future__ import annotations

import bisect
from typing import Iterable

import libcst as cst
from libcst._nodes.internal import CodegenState


class _MarkingState(CodegenState):
    # CodegenState is libcst's own codegen hook (the one PositionProvider uses); its
    # before_codegen is called for every node, before the node writes its first token
    wanted: set
    marks: dict

    def before_codegen(self, node: cst.CSTNode) -> None:
        if id(node) in self.wanted and id(node) not in self.marks:
            self.marks[id(node)] = len(self.tokens)


def node_positions(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> dict[int, tuple[int, int]]:
    """id(node) -> (line, col), both 1-based, for nodes of ``module``."""
    wanted = {id(node) for node in nodes}
    if not wanted:
        return {}
    state = _MarkingState(default_indent=module.default_indent, default_newline=module.default_newline)
    state.wanted = wanted
    state.marks = {}
    module._codegen(state)
    tokens = state.tokens
    # offsets of the marks, walking the token list once
    by_token = sorted((index, key) for key, index in state.marks.items())
    offsets: dict[int, int] = {}
    offset = 0
    position = 0
    for index, key in by_token:
        while position < index:
            offset += len(tokens[position])
            position += 1
        offsets[key] = offset
    code = "".join(tokens)
    line_starts = [0]
    start = code.find("\n")
    while start != -1:
        line_starts.append(start + 1)
        start = code.find("\n", start + 1)
    result = {}
    for key, offset in offsets.items():
        line = bisect.bisect_right(line_starts, offset)
        result[key] = (line, offset - line_starts[line - 1] + 1)
    return result
