"""Where the statements of a libcst tree, and the calls in them, are in the source text.

Finding a node's position with libcst means generating the code before it. CPython's parser,
which the engine runs anyway to refuse what no device could compile, already knows the
position of every statement and expression. Pairing its statements with libcst's lets
:mod:`gglift.port.render` generate only the statements that hold a finding or an edit, each
from a known line; pairing the names, attributes, calls, arguments and subscripts of a
statement's value places most findings with no generating at all.

The pairing follows both trees in step (a libcst line of ``a; b`` is two AST statements).
Where the two disagree there are no anchors, or the node is not placed, and the caller
generates instead, as it would without them.
"""

from __future__ import annotations

import ast
import bisect
import re
from typing import Optional, Sequence

import libcst as cst

# what starts a line in libcst's output: a statement, or an except clause of a try
LINE_STARTS = frozenset(
    {
        cst.SimpleStatementLine,
        cst.FunctionDef,
        cst.ClassDef,
        cst.If,
        cst.For,
        cst.While,
        cst.With,
        cst.Try,
        cst.TryStar,
        cst.Match,
        cst.ExceptHandler,
        cst.ExceptStarHandler,
    }
)

# the AST statements each libcst compound statement can stand for
_COMPOUND = {
    cst.FunctionDef: (ast.FunctionDef, ast.AsyncFunctionDef),
    cst.ClassDef: (ast.ClassDef,),
    cst.If: (ast.If,),
    cst.For: (ast.For, ast.AsyncFor),
    cst.While: (ast.While,),
    cst.With: (ast.With, ast.AsyncWith),
    cst.Try: (ast.Try,),
    cst.TryStar: (getattr(ast, "TryStar", ast.Try),),
    cst.Match: (getattr(ast, "Match", ast.If),),
}

# the simple statements whose value both trees call ``value``
_VALUE_HOLDERS = {
    cst.Assign: ast.Assign,
    cst.AnnAssign: ast.AnnAssign,
    cst.AugAssign: ast.AugAssign,
    cst.Expr: ast.Expr,
    cst.Return: ast.Return,
}

# the expressions paired with CPython's, by the AST type each must match
_PAIRED = {cst.Name: ast.Name, cst.Attribute: ast.Attribute, cst.Call: ast.Call, cst.Subscript: ast.Subscript}

# where a node is: its text offset, 1-based line and column, and its end offset (None: not known)
Place = tuple[int, int, int, Optional[int]]

_NEWLINE = re.compile(r"\r\n|\r|\n")


class Mismatch(Exception):
    """The two trees' statements do not pair up."""


class Anchors:
    """Each line-starting node's first line, the indentation it is generated with, whether it
    is an ``elif`` (an ``If`` that libcst generates so only when its parent asks), and for a
    line of simple statements, CPython's statements on it.

    >>> text = "import os\\n\\ndef f():\\n    # note\\n    return os.sep\\n"
    >>> module = cst.parse_module(text)
    >>> anchors = Anchors.of(text, module, ast.parse(text))
    >>> ret = module.body[1].body.body[0]
    >>> anchors.start(ret)  # (line, offset) where its leading comment line starts
    (4, 20)
    """

    def __init__(self, text: str, first_lines: dict[int, tuple], newline: str = "\n") -> None:
        self.text = text
        self._newline = newline
        self._first_lines = first_lines
        self._line_offsets = [0] + [match.end() for match in _NEWLINE.finditer(text)]
        self._ascii = text.isascii()  # then CPython's byte columns are character columns

    @classmethod
    def of(cls, text: str, module: cst.Module, tree: Optional[ast.Module]) -> Optional["Anchors"]:
        """The anchors of ``module``, parsed from ``text``; None when ``tree`` is missing or its
        statements do not pair with the module's."""
        if tree is None:
            return None
        first_lines: dict[int, tuple] = {}
        try:
            _pair_body(module.body, tree.body, (), module.default_indent, first_lines)
        except Mismatch:
            return None
        return cls(text, first_lines, module.default_newline)

    def indent(self, node: cst.CSTNode) -> tuple[str, ...]:
        """The indent tokens ``node`` is generated with."""
        return self._first_lines[id(node)][1]

    def is_elif(self, node: cst.CSTNode) -> bool:
        return self._first_lines[id(node)][2]

    def knows(self, node: cst.CSTNode) -> bool:
        return id(node) in self._first_lines

    def start(self, node: cst.CSTNode) -> Optional[tuple[int, int]]:
        """The 1-based line and the text offset where ``node``'s generated code begins: the
        first of the blank and comment lines libcst keeps with it. None if out of range."""
        line = self._first_lines[id(node)][0] - _lines_above(node)
        if not 0 < line <= len(self._line_offsets):
            return None
        return line, self._line_offsets[line - 1]

    def place(self, line: cst.CSTNode, keys: set[int]) -> tuple[dict[int, Place], dict[int, tuple[cst.CSTNode, int]]]:
        """Nodes of a line of simple statements (``keys``: ids of those wanted) placed by
        CPython's positions instead of by generating them; the line too, when it is wanted.

        Within the value of an assignment, expression statement or return, names, attributes,
        calls, their arguments and subscripts are paired with CPython's, each checked against
        the text where it is placed. Returns the placed nodes, and the nodes (the line's first
        statement, each value) that libcst must generate at the offset given with them for
        those placements to hold.
        """
        placed: dict[int, Place] = {}
        checks: dict[int, tuple[cst.CSTNode, int]] = {}
        entry = self._first_lines.get(id(line))
        if type(line) is not cst.SimpleStatementLine or entry is None:
            return placed, checks
        statements, first = entry[3], entry[4]
        if id(line) in keys:
            last = statements[first + len(line.body) - 1]
            # it ends after the newline of its last statement's line: libcst adds a missing one
            if last.end_lineno is not None and last.end_lineno < len(self._line_offsets):
                end = self._line_offsets[last.end_lineno]
                if self.text.endswith(self._trailing(line.trailing_whitespace), 0, end):
                    start = self.start(line)
                    if start is not None:
                        placed[id(line)] = (start[1], start[0], 1, end)
                        head = statements[first]
                        checks[id(line.body[0])] = (line.body[0], self._offset(head.lineno, head.col_offset))
        for index, small in enumerate(line.body):
            holder = _VALUE_HOLDERS.get(type(small))
            statement = statements[first + index]
            value = getattr(small, "value", None)
            if holder is None or type(statement) is not holder or value is None or statement.value is None:
                continue
            found: dict[int, Place] = {}
            self._pair(value, statement.value, keys, found)
            if found:
                placed.update(found)
                checks[id(value)] = (value, self._start_of(statement.value))
        return placed, checks

    def _pair(self, node: cst.CSTNode, tree: ast.AST, keys: set[int], found: dict[int, Place]) -> bool:
        """Place ``node`` (and what it holds) where CPython puts ``tree``; False when they are
        not the same expression there, or libcst's starts elsewhere (parentheses)."""
        kind = type(node)
        if getattr(node, "lpar", None) or kind not in _PAIRED or type(tree) is not _PAIRED[kind]:
            return False
        start, end = self._start_of(tree), self._end_of(tree)  # type: ignore[arg-type]
        text = self.text
        if kind is cst.Name:
            if not (end - start == len(node.value) and text.startswith(node.value, start)):  # type: ignore[attr-defined]
                return False
        elif kind is cst.Attribute:
            attr = node.attr.value  # type: ignore[attr-defined]
            if not text.startswith(attr, end - len(attr)) or not self._pair(node.value, tree.value, keys, found):  # type: ignore[attr-defined]
                return False
            self._note(node.attr, end - len(attr), end, keys, found)  # type: ignore[attr-defined]
        elif kind is cst.Subscript:
            if text[end - 1 : end] != "]" or not self._pair(node.value, tree.value, keys, found):  # type: ignore[attr-defined]
                return False
        else:  # a call
            if text[end - 1 : end] != ")" or not self._pair(node.func, tree.func, keys, found):  # type: ignore[attr-defined]
                return False
            self._pair_arguments(node, tree, keys, found)  # type: ignore[arg-type]
        self._note(node, start, end, keys, found)
        return True

    def _pair_arguments(self, call: cst.Call, tree: ast.Call, keys: set[int], found: dict[int, Place]) -> None:
        """Arguments in the order of each kind: positional ones (``*args`` among them) with
        ``tree.args``, keyword ones (``**kwargs`` among them) with ``tree.keywords``."""
        positional = [arg for arg in call.args if arg.keyword is None and arg.star != "**"]
        keyword = [arg for arg in call.args if arg.keyword is not None or arg.star == "**"]
        if len(positional) != len(tree.args) or len(keyword) != len(tree.keywords):
            return
        for arg, value in zip(positional, tree.args):
            if arg.star == "*":
                if type(value) is ast.Starred and self.text.startswith("*", self._start_of(value)):
                    self._note(arg, self._start_of(value), None, keys, found)
                    self._pair(arg.value, value.value, keys, found)
            elif self._pair(arg.value, value, keys, found):
                self._note(arg, self._start_of(value), None, keys, found)  # it starts with its value
        for arg, entry in zip(keyword, tree.keywords):
            start = self._start_of(entry)
            name = "**" if arg.keyword is None else arg.keyword.value
            if self.text.startswith(name, start):
                self._note(arg, start, None, keys, found)
                self._pair(arg.value, entry.value, keys, found)

    def _note(self, node: cst.CSTNode, start: int, end: Optional[int], keys: set[int], found: dict[int, Place]) -> None:
        if id(node) in keys:
            line = bisect.bisect_right(self._line_offsets, start)
            found[id(node)] = (start, line, start - self._line_offsets[line - 1] + 1, end)

    def _start_of(self, tree: ast.AST) -> int:
        return self._offset(tree.lineno, tree.col_offset)  # type: ignore[attr-defined]

    def _end_of(self, tree: ast.AST) -> int:
        return self._offset(tree.end_lineno, tree.end_col_offset)  # type: ignore[attr-defined]

    def _trailing(self, trailing: cst.TrailingWhitespace) -> str:
        comment = trailing.comment.value if trailing.comment is not None else ""
        return trailing.whitespace.value + comment + (trailing.newline.value or self._newline)

    def _offset(self, line: int, byte_col: int) -> int:
        """The text offset of a position CPython gives: a line and a UTF-8 byte column."""
        start = self._line_offsets[line - 1]
        if self._ascii:
            return start + byte_col
        end = self._line_offsets[line] if line < len(self._line_offsets) else len(self.text)
        text = self.text[start:end]
        col = byte_col if text.isascii() else len(text.encode("utf-8")[:byte_col].decode("utf-8", "ignore"))
        return start + col


def _lines_above(node: cst.CSTNode) -> int:
    """The lines libcst generates before the line of ``node``'s first token."""
    count = len(getattr(node, "leading_lines", ()))
    decorators = getattr(node, "decorators", ())
    if decorators:
        count += len(decorators[0].leading_lines)
    return count


def _first_line(statement: ast.stmt) -> int:
    decorators = getattr(statement, "decorator_list", None)
    return decorators[0].lineno if decorators else statement.lineno


def _pair_body(
    body: Sequence[cst.BaseStatement],
    statements: list[ast.stmt],
    indent: tuple[str, ...],
    default_indent: str,
    out: dict,
) -> None:
    index = 0
    for node in body:
        if index >= len(statements):
            raise Mismatch
        statement = statements[index]
        if type(node) is cst.SimpleStatementLine:  # exact types: libcst's ABCs are slow to test
            out[id(node)] = (statement.lineno, indent, False, statements, index)
            index += len(node.body)
            continue
        if not isinstance(statement, _COMPOUND.get(type(node), ())):
            raise Mismatch
        out[id(node)] = (_first_line(statement), indent, False)
        _pair_compound(node, statement, indent, default_indent, out)
        index += 1
    if index != len(statements):
        raise Mismatch


def _pair_block(block: cst.BaseSuite, statements: list, indent: tuple, default_indent: str, out: dict) -> None:
    """A compound statement's block; a one-line suite (``if x: y``) starts no line."""
    if type(block) is cst.IndentedBlock:
        inner = indent + (default_indent if block.indent is None else block.indent,)
        _pair_body(block.body, statements, inner, default_indent, out)


def _pair_compound(node: cst.CSTNode, statement: ast.stmt, indent: tuple, default_indent: str, out: dict) -> None:
    kind = type(node)
    if kind is cst.Match:
        if len(node.cases) != len(statement.cases):  # type: ignore[attr-defined]
            raise Mismatch
        cases = indent + (default_indent if node.indent is None else node.indent,)
        for case, ast_case in zip(node.cases, statement.cases):  # type: ignore[attr-defined]
            _pair_block(case.body, ast_case.body, cases, default_indent, out)
        return
    _pair_block(node.body, statement.body, indent, default_indent, out)  # type: ignore[attr-defined, arg-type]
    if kind is cst.Try or kind is cst.TryStar:
        if len(node.handlers) != len(statement.handlers):  # type: ignore[attr-defined]
            raise Mismatch
        for handler, ast_handler in zip(node.handlers, statement.handlers):  # type: ignore[attr-defined]
            out[id(handler)] = (ast_handler.lineno, indent, False)
            _pair_block(handler.body, ast_handler.body, indent, default_indent, out)
        if node.finalbody is not None:
            _pair_block(node.finalbody.body, statement.finalbody, indent, default_indent, out)  # type: ignore[attr-defined]
    orelse = getattr(node, "orelse", None)
    if type(orelse) is cst.If:  # elif: the AST nests it as the only statement of orelse
        nested = statement.orelse  # type: ignore[attr-defined]
        if len(nested) != 1 or not isinstance(nested[0], ast.If):
            raise Mismatch
        out[id(orelse)] = (nested[0].lineno, indent, True)
        _pair_compound(orelse, nested[0], indent, default_indent, out)
    elif orelse is not None:
        _pair_block(orelse.body, statement.orelse, indent, default_indent, out)  # type: ignore[attr-defined]
