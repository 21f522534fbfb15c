"""Rendering from the statements CPython places gives what generating the whole module gives.

Every Name, Call, Arg and except clause the analysis walks is marked, and every such Name is
replaced;
positions and ported text must be identical with and without anchors, and the sources whose
statements pair up must not fall back to generating the whole module.
"""

from __future__ import annotations

import ast

import libcst as cst
import pytest

from gglift.port import render as render_module
from gglift.port.analysis import Analysis
from gglift.port.anchors import Anchors
from gglift.port.render import render

SOURCES = {
    "decorators and comments": (
        "import functools\n\n\n# above\n@functools.wraps(f)  # end\n# between\n@other(x)\n"
        "def g(a,\n      b):\n    # inside\n    return h(a)\n\n\nclass C(Base):\n    @staticmethod\n"
        "    def m():\n        pass\n"
    ),
    "clauses": (
        "if a(1):\n    b()\nelif c():\n    d()\nelse:\n    # note\n    e()\n"
        "for i in f():\n    g(i)\nelse:\n    h()\nwhile k():\n    break\nelse:\n    m()\n"
        "try:\n    n()\nexcept (A, B) as err:  # why\n    o(err)\nexcept C:\n    p()\nelse:\n    q()\n"
        "finally:\n    r()\n"
        "with s() as t, u():\n    v(t)\n"
    ),
    "match and try-star": (
        "match cmd(x):\n    case [a, b]:\n        f(a)\n    case {'k': v} if g(v):\n        h(v)\n"
        "    case _:\n        pass\n"
        "try:\n    f()\nexcept* ValueError as group:\n    g(group)\n"
    ),
    "semicolons, continuations and parentheses": (
        "a = f(); b = g(a); c = h(b)\n"
        "x = 1 + \\\n    f(y)\n"
        "(z) = k(\n    1,\n    # in the call\n    2,\n)\n"
        "s = '''\nnot a\nstatement\n'''; t = u(s)\n"
    ),
    "async, nesting and one-line suites": (
        "async def f(a):\n    async with g() as h:\n        async for i in h:\n            await j(i)\n"
        "    def inner():\n        if x: y(); z()\n        class K: pass\n        return lambda q: w(q)\n"
        "    return inner\n"
    ),
    "lone CR": "import os\r\rdef f():\r    x = g(os.sep)\r    return h(x)\r",
    "CRLF and tabs": "import os\r\n\r\ndef f():\r\n\tif os.sep:\r\n\t\treturn g(os.sep)\r\n\t# trailing\r\n",
    "footers and odd indentation": (
        "def f():\n    a()\n        # deeper comment\n  # shallower comment\n    b()\n    # block footer\n\n"
        "# module footer\n"
    ),
    "no final newline": "import os\nx = f(os)",
    "call shapes": (
        "r = f(a, *b, c=d, **e)\ns = g(c=1, *b)\nt = h(x for x in y)\nu = a.b().c(d)[e].f\n"
        "v = a . b ( c ) [ 'k' ]\nw = k(\n    'é',  # note\n    key=m(n),\n)\nz = 'ü' + p(q)\n"
        "print((yield_ := q(1)), lambda a=b(c): a)\nreturn_value = (x)(y)\n"
        "total = first(a)(b)(c)\nfirst(a).second(b).third(c)\n"
    ),
    "values in parentheses and unicode": (
        "x = (f(a))\ny = 'é' + g('ü')\nz: int = h(\n    'ß',\n)\nw += k()\n"
        "def f():\n    return (yield)\n"
    ),
    "form feed and blank lines": "\x0c\nimport os\n\n   \n\x0c\ndef f():\n\n    return g(os)\n",
}

# placed by CPython's statements, but not reproduced where they start: the whole module is
# generated instead, with the same result
UNANCHORED = {
    "decorator in parentheses": "@(\n    deco\n)\ndef f():\n    return g()\n",
}


def _marked(module: cst.Module, walked: dict) -> list[cst.CSTNode]:
    found, pending = [], [module]
    while pending:
        node = pending.pop()
        if isinstance(node, (cst.Name, cst.Call, cst.Arg, cst.ExceptHandler, cst.ExceptStarHandler)) and id(node) in walked:
            found.append(node)
        pending.extend(node.children)
    return found


def _ancestors(module: cst.Module) -> dict[int, list]:
    parents: dict[int, list] = {}
    pending: list = [(module, [])]
    while pending:
        node, path = pending.pop()
        parents[id(node)] = path
        pending.extend((child, [*path, node]) for child in node.children)
    return parents


def _renamed(module: cst.Module, marked: list[cst.CSTNode]) -> list:
    """Every marked Name replaced by a longer one."""
    parents = _ancestors(module)
    return [
        (node, parents[id(node)], [cst.Name(node.value + "_renamed")])
        for node in marked
        if isinstance(node, cst.Name)
    ]


def _values_replaced(module: cst.Module, marked: list[cst.CSTNode]) -> list:
    """The value of every assignment, expression statement and return replaced: the edits
    whose end CPython's positions give."""
    parents = _ancestors(module)
    found, pending = [], [module]
    while pending:
        node = pending.pop()
        if isinstance(node, (cst.Assign, cst.AnnAssign, cst.AugAssign, cst.Expr, cst.Return)) and node.value is not None:
            found.append((node.value, [*parents[id(node)], node], [cst.Name("replaced")]))
        pending.extend(node.children)
    return found


def _lines_followed(module: cst.Module, marked: list[cst.CSTNode]) -> list:
    """A line inserted after every line of simple statements, which is kept as it is: the
    edits that copy the original's text and whose end CPython's positions give."""
    parents = _ancestors(module)
    found, pending = [], [module]
    while pending:
        node = pending.pop()
        if isinstance(node, cst.SimpleStatementLine):
            found.append((node, parents[id(node)], [node, cst.SimpleStatementLine([cst.Pass()])]))
        pending.extend(node.children)
    return found


def _both(source: str, monkeypatch: pytest.MonkeyPatch, edits=_renamed) -> tuple:
    module = cst.parse_module(source)
    analysis = Analysis(module)
    marked = _marked(module, analysis.statement_of)
    assert marked
    replacements = edits(module, marked)
    whole = render(module, marked, replacements, None, {}, source)
    anchors = Anchors.of(source, module, ast.parse(source))
    generated_whole = []
    real = render_module._locate_module

    def counting(*args):
        generated_whole.append(True)
        return real(*args)

    monkeypatch.setattr(render_module, "_locate_module", counting)
    anchored = render(module, marked, replacements, anchors, analysis.statement_of)
    return whole, anchored, anchors is not None and not generated_whole


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_anchored_rendering_equals_generating_the_whole_module(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    whole, anchored, used_anchors = _both(SOURCES[name], monkeypatch)
    assert anchored == whole
    assert used_anchors


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_edited_statement_values_end_where_cpython_says(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    whole, anchored, used_anchors = _both(SOURCES[name], monkeypatch, _values_replaced)
    assert anchored == whole
    assert used_anchors


@pytest.mark.parametrize("name", sorted(set(SOURCES) - {"lone CR"}))
def test_edited_lines_end_where_cpython_says(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    whole, anchored, used_anchors = _both(SOURCES[name], monkeypatch, _lines_followed)
    assert anchored == whole
    assert used_anchors == (name != "no final newline")  # libcst adds the missing newline


def test_a_line_inserted_after_the_last_line_of_a_lone_cr_file_keeps_its_newline(monkeypatch: pytest.MonkeyPatch) -> None:
    # libcst drops a lone-CR file's last newline, so generating the whole module cannot say
    # where that line ends; CPython's positions can
    _, (_, text), used_anchors = _both(SOURCES["lone CR"], monkeypatch, _lines_followed)
    assert used_anchors
    assert text == "import os\rpass\r\rdef f():\r    x = g(os.sep)\r    pass\r    return h(x)\r    pass\r"


@pytest.mark.parametrize("name", sorted(UNANCHORED))
def test_a_statement_not_where_cpython_puts_it_falls_back_to_the_whole_module(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole, anchored, used_anchors = _both(UNANCHORED[name], monkeypatch)
    assert anchored == whole
    assert not used_anchors


def test_positions_are_those_of_the_source() -> None:
    source = "import os\n\n\ndef f():\n    # note\n    return g(os.sep)\n"
    module = cst.parse_module(source)
    call = module.body[1].body.body[0].body[0].value
    analysis = Analysis(module)
    anchors = Anchors.of(source, module, ast.parse(source))
    where, text = render(module, [call, call.args[0]], [], anchors, analysis.statement_of)
    assert (where[id(call)], where[id(call.args[0])]) == ((6, 12), (6, 14))
    assert text is None


def test_statements_that_do_not_pair_give_no_anchors() -> None:
    source = "a = 1\nb = 2\n"
    other = ast.parse("a = 1\n")
    assert Anchors.of(source, cst.parse_module(source), other) is None
    assert Anchors.of(source, cst.parse_module(source), None) is None
