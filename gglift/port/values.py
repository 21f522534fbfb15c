"""Static values of string arguments: topics, secret ids, function ARNs, thing names.

A literal stays a literal. An f-string, a ``+`` concatenation or a module constant is resolved
as far as it goes; what stays unknown becomes ``+`` for each MQTT topic level it touches
(``f"sensors/{dev}/data"`` -> ``sensors/+/data``) or ``*`` elsewhere (ARNs, secret ids).
"""

from __future__ import annotations

from typing import Optional, Union

import libcst as cst

from gglift.port.analysis import Analysis, Scope

_UNKNOWN = "\x00"  # stands for a piece of the string that is not known statically
_MAX_DEPTH = 8  # how many constant-to-constant hops are followed


def static_pieces(
    expr: cst.BaseExpression, analysis: Analysis, scope: Scope, depth: int = 0
) -> str:
    """The string value of ``expr`` with unknown parts replaced by a marker."""
    if depth > _MAX_DEPTH:
        return _UNKNOWN
    if isinstance(expr, cst.SimpleString):
        value = expr.evaluated_value
        return value if isinstance(value, str) else _UNKNOWN
    if isinstance(expr, cst.ConcatenatedString):
        return static_pieces(expr.left, analysis, scope, depth + 1) + static_pieces(
            expr.right, analysis, scope, depth + 1
        )
    if isinstance(expr, cst.FormattedString):
        out = []
        for part in expr.parts:
            if isinstance(part, cst.FormattedStringText):
                out.append(part.value.replace("{{", "{").replace("}}", "}"))
            elif part.format_spec or part.conversion:
                out.append(_UNKNOWN)
            else:
                out.append(static_pieces(part.expression, analysis, scope, depth + 1))
        return "".join(out)
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
        return static_pieces(expr.left, analysis, scope, depth + 1) + static_pieces(
            expr.right, analysis, scope, depth + 1
        )
    if isinstance(expr, cst.Name):
        sources = analysis.lookup(scope, expr.value)
        # a constant: one plain assignment, e.g. TOPIC = "sensors/data"
        if sources and len(sources) == 1 and sources[0][0] == "expr":
            return static_pieces(sources[0][1], analysis, sources[0][2], depth + 1)
    return _UNKNOWN


def static_value(
    expr: cst.BaseExpression, analysis: Analysis, scope: Scope, *, topic: bool
) -> tuple[str, bool, bool]:
    """(value, literal, resolved) for a resource argument.

    >>> a = Analysis(cst.parse_module("x = 1"))
    >>> static_value(cst.parse_expression('f"sensors/{dev}/data"'), a, a.module_scope, topic=True)
    ('sensors/+/data', False, True)
    """
    pieces = static_pieces(expr, analysis, scope)
    if _UNKNOWN not in pieces:
        return pieces, True, True
    if pieces.strip(_UNKNOWN) == "":
        return source_text(expr), False, False
    if topic:
        levels = ["+" if _UNKNOWN in level else level for level in pieces.split("/")]
        return "/".join(levels), False, True
    collapsed = ""
    for char in pieces:
        if char != _UNKNOWN:
            collapsed += char
        elif not collapsed.endswith("*"):
            collapsed += "*"
    return collapsed, False, True


def source_text(node: Union[cst.CSTNode, cst.BaseExpression]) -> str:
    """The source code of one node, as written."""
    return cst.Module(body=[]).code_for_node(node)


def literal_value(expr: Optional[cst.BaseExpression]) -> object:
    """The Python value of a simple literal (str, int, True/False/None), else a marker."""
    if isinstance(expr, cst.SimpleString):
        return expr.evaluated_value
    if isinstance(expr, cst.Integer):
        return expr.evaluated_value
    if isinstance(expr, cst.Name) and expr.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[expr.value]
    return NotImplemented
