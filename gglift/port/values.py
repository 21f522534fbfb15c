"""Static values of string arguments: topics, secret ids, function ARNs, thing names.

A literal stays a literal. An f-string, a ``+`` concatenation or a module constant is resolved
as far as it goes; what stays unknown becomes ``+`` for each MQTT topic level it touches
(``f"sensors/{dev}/data"`` -> ``sensors/+/data``) or ``*`` elsewhere (ARNs, secret ids).
"""

from __future__ import annotations

import re
from typing import Optional, Union

import libcst as cst

from gglift.port.analysis import Analysis, Scope, string_value

_UNKNOWN = "\x00"  # stands for a piece of the string that is not known statically
_MAX_DEPTH = 8  # how many constant-to-constant hops are followed
_MAX_ALTERNATIVES = 16  # more different values than this are reported as unknown


def static_pieces(
    expr: Optional[cst.BaseExpression], analysis: Analysis, scope: Scope, depth: int = 0
) -> list[str]:
    """The possible string values of ``expr``, unknown parts replaced by a marker.

    A name bound once to a constant gives that constant; a parameter of a function that is
    only called directly in this file gives what each call passes.
    """
    if expr is None or depth > _MAX_DEPTH:
        return [_UNKNOWN]
    kind = type(expr)  # exact types: libcst's classes are ABCs, whose isinstance is slow
    if kind is cst.SimpleString:
        value = string_value(expr)  # type: ignore[arg-type]
        return [value if isinstance(value, str) else _UNKNOWN]
    if kind is cst.ConcatenatedString:
        return _joined([expr.left, expr.right], analysis, scope, depth)  # type: ignore[attr-defined]
    if kind is cst.FormattedString:
        return _joined(expr.parts, analysis, scope, depth)  # type: ignore[attr-defined]
    if kind is cst.FormattedStringText:
        return [expr.value.replace("{{", "{").replace("}}", "}")]  # type: ignore[attr-defined]
    if kind is cst.FormattedStringExpression:
        if expr.format_spec or expr.conversion:  # type: ignore[attr-defined]
            return [_UNKNOWN]
        return static_pieces(expr.expression, analysis, scope, depth + 1)  # type: ignore[attr-defined]
    if kind is cst.BinaryOperation and type(expr.operator) is cst.Add:  # type: ignore[attr-defined]
        return _joined([expr.left, expr.right], analysis, scope, depth)  # type: ignore[attr-defined]
    if kind is cst.BinaryOperation and type(expr.operator) is cst.Modulo:  # type: ignore[attr-defined]
        return _formatted(expr.left, _PERCENT, analysis, scope, depth)  # type: ignore[attr-defined]
    if (
        kind is cst.Call
        and type(expr.func) is cst.Attribute  # type: ignore[attr-defined]
        and expr.func.attr.value == "format"  # type: ignore[attr-defined]
        and not any(arg.star for arg in expr.args)  # type: ignore[attr-defined]
    ):
        return _formatted(expr.func.value, _BRACES, analysis, scope, depth)  # type: ignore[attr-defined]
    if kind is cst.Name:
        sources = analysis.reaching(expr, scope)  # type: ignore[arg-type]
        if sources and len(sources) > 1 and all(s[0] == "expr" for s in sources):
            # a variable assigned one of several values: each of them
            values: list[str] = []
            for source in sources:
                values.extend(static_pieces(source[1], analysis, source[2], depth + 1))
            return _capped(values)
        if sources and len(sources) == 1:
            source = sources[0]
            if source[0] == "expr":  # a constant, e.g. TOPIC = "sensors/data"
                return static_pieces(source[1], analysis, source[2], depth + 1)
            if source[0] == "param":
                passed = analysis.passed_values(source[1], source[2], source[3])
                if passed is not None:
                    values: list[str] = []
                    for value, caller in passed:
                        values.extend(static_pieces(value, analysis, caller, depth + 1))
                    return _capped(values)
    return [_UNKNOWN]


# the placeholders of `'...' % x` and `'...'.format(x)`, and their escapes for a literal % { }
_PERCENT = (re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[a-zA-Z]"), {"%%": "%"})
_BRACES = (re.compile(r"\{[^{}]*\}"), {"{{": "{", "}}": "}"})


def _formatted(template, syntax: tuple, analysis: Analysis, scope: Scope, depth: int) -> list[str]:
    """A template whose placeholders are unknown: ``'{}/cmd'.format(x)`` -> ``<?>/cmd``."""
    placeholder, escapes = syntax
    results = []
    for text in static_pieces(template, analysis, scope, depth + 1):
        marks = {}
        for index, (escape, char) in enumerate(escapes.items()):
            mark = chr(1 + index)
            text = text.replace(escape, mark)
            marks[mark] = char
        text = placeholder.sub(_UNKNOWN, text)
        for mark, char in marks.items():
            text = text.replace(mark, char)
        results.append(text)
    return _capped(results)


def _joined(parts, analysis: Analysis, scope: Scope, depth: int) -> list[str]:
    """Every combination of the parts' possible values, in order."""
    combos = [""]
    for part in parts:
        options = static_pieces(part, analysis, scope, depth + 1)
        combos = _capped([combo + option for combo in combos for option in options])
    return combos


def _capped(values: list[str]) -> list[str]:
    unique = list(dict.fromkeys(values))
    return unique if len(unique) <= _MAX_ALTERNATIVES else [_UNKNOWN]


def static_values(
    expr: cst.BaseExpression, analysis: Analysis, scope: Scope, *, topic: bool
) -> list[tuple[str, bool, bool]]:
    """(value, literal, resolved) for each value a resource argument can have.

    >>> a = Analysis(cst.parse_module("x = 1"))
    >>> static_values(cst.parse_expression('f"sensors/{dev}/data"'), a, a.module_scope, topic=True)
    [('sensors/+/data', False, True)]
    """
    results = []
    for pieces in static_pieces(expr, analysis, scope):
        if _UNKNOWN not in pieces:
            results.append((pieces, True, True))
        elif pieces.strip(_UNKNOWN) == "":
            results.append((source_text(expr), False, False))
        elif topic:
            levels = ["+" if _UNKNOWN in level else level for level in pieces.split("/")]
            results.append(("/".join(levels), False, True))
        else:
            collapsed = ""
            for char in pieces:
                if char != _UNKNOWN:
                    collapsed += char
                elif not collapsed.endswith("*"):
                    collapsed += "*"
            results.append((collapsed, False, True))
    return list(dict.fromkeys(results))


def source_text(node: Union[cst.CSTNode, cst.BaseExpression]) -> str:
    """The source code of one node, as written."""
    return cst.Module(body=[]).code_for_node(node)


def literal_value(expr: Optional[cst.BaseExpression]) -> object:
    """The Python value of a simple literal (str, int, True/False/None), else a marker."""
    if isinstance(expr, cst.SimpleString):
        return string_value(expr)
    if isinstance(expr, cst.Integer):
        return expr.evaluated_value
    if isinstance(expr, cst.Name) and expr.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[expr.value]
    return NotImplemented
