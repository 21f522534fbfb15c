"""One file through the whole pipeline: filter, decode, parse, analyse, plan, transform.

Pure functions over bytes; the only I/O is :func:`analyze_path` reading the file. Writing the
result is the caller's job (:mod:`gglift.port.source`).

Deeply nested code must neither crash nor hang the run. CPython's own parser is asked first,
under the interpreter's usual recursion limit: what it cannot build (thousands of nested
levels) is reported as GGL900 with its reason, since no device's Python could compile it
either. Whatever it accepts is ported on a thread with a large stack and a raised recursion
limit (:mod:`gglift.port.deep_stack`), because libcst's parser and visitors recurse once or
more per nesting level.
"""

from __future__ import annotations

import ast
import gc
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Optional, Sequence

import libcst as cst

from gglift.port.analysis import Analysis
from gglift.port.anchors import Anchors
from gglift.port.deep_stack import usual_recursion_limit, with_deep_stack
from gglift.port.model import FileResult, Finding, Resource
from gglift.port.modules import unparsed_result
from gglift.port.porting import plan_port
from gglift.port.render import render
from gglift.port.rules import make_finding
from gglift.port.source import (
    Decoded,
    SourceError,
    TooLarge,
    decode_source,
    encode_source,
    has_markers,
    mentions_markers,
    read_source,
)
from gglift.port.transform import plan_imports, replacements, sdk_module_name


_PYTHON2 = re.compile(r"^\s*(print\s+[^\s(=.,)]|exec\s+[\"'\w]|except\s+[^:]*,\s*\w+\s*:)|`|<>")


def analyze_source(source: bytes, path: Path, tree: bool = False) -> FileResult:
    """Port one file's source in memory and report what was found.

    With ``tree``, the other modules of the file's source tree (read from disk) count too: a
    client it imports from them, or that they import from it (see :mod:`gglift.port.tree`).

    >>> r = analyze_source(b"import boto3\\niot = boto3.client('iot-data')\\n", Path("app.py"))
    >>> r.new_source
    b"import greengrasssdk\\niot = greengrasssdk.client('iot-data')\\n"
    """
    if not has_markers(source):
        unparsed = unparsed_result(source, path) if tree else FileResult(path=path)
        if unparsed is not None:
            return unparsed
    try:
        decoded = decode_source(source)
    except SourceError as exc:
        return failed(path, str(exc))
    syntax, refused = _cpython_parse(decoded.text)
    if refused:
        return failed(path, *refused)
    try:
        return with_deep_stack(_port, decoded, syntax, path, tree)
    except RecursionError:
        return failed(path, "nested too deeply for gglift to port (RecursionError); port it by hand")
    except MemoryError:
        return failed(path, "too large or complex to port in the memory available; port it by hand or split it")
    except Exception as exc:  # a defect of ours must not stop the other files
        return failed(path, f"internal error ({type(exc).__name__}: {exc}); please report it")


def _port(decoded: Decoded, syntax: Optional[ast.Module], path: Path, tree: bool) -> FileResult:
    try:
        module = cst.parse_module(decoded.text)
    except cst.ParserSyntaxError as exc:
        return failed(path, *_syntax_reason(exc, decoded.text))
    except ValueError as exc:
        return failed(path, f"cannot parse: {exc}")

    analysis = Analysis(module)
    if analysis.unparenthesized_excepts:
        return failed(path, *_unparenthesized_except_reason(module, analysis.unparenthesized_excepts[0]))
    sdk_name = sdk_module_name(analysis)
    source_tree, ported_elsewhere, from_tree = None, frozenset(), False
    if tree:
        from gglift.port.tree import SourceTree, bind_imported, exported_clients

        source_tree = SourceTree(path)
        ported_elsewhere, from_tree = bind_imported(analysis, path, lambda module, name: exported_clients(module).get(name))
    plan = plan_port(analysis, sdk_name or "greengrasssdk", source_tree, ported_elsewhere)
    if plan.edits:
        add_import = plan.creates_sdk_client and sdk_name is None
        plan_imports(analysis, plan, sdk_name or "greengrasssdk", add_import)
    marked = [f.node for f in plan.findings] + [r.node for r in plan.resources]
    anchors = Anchors.of(decoded.text, module, syntax) if marked or plan.edits else None
    where, ported = render(module, marked, replacements(plan), anchors, analysis.statement_of, decoded.text)
    new_text = decoded.text if ported is None else ported

    result = FileResult(path=path, depends_on_tree=from_tree or (source_tree is not None and source_tree.imported))
    result.findings = sorted(
        (make_finding(f.code, *where[id(f.node)], **f.fields) for f in plan.findings),
        key=lambda f: (f.line, f.col, f.code),
    )
    for resource in plan.resources:
        line = where[id(resource.node)][0]
        getattr(result, resource.category).append(
            Resource(resource.value, resource.literal, line, resource.resolved)
        )
    if new_text != decoded.text:
        try:
            result.new_source = encode_source(new_text, decoded)
        except UnicodeEncodeError as exc:
            return failed(path, f"the ported text cannot be encoded as {decoded.encoding}: {exc.reason}")
        result.changed = True
    return result


def analyze_path(path: Path, data: Optional[bytes] = None) -> FileResult:
    """:func:`analyze_source` of ``data``, the bytes already read from ``path`` (so a cache
    key and the analysis come from the same read), else of ``path`` read now. Unreadable
    files give GGL900; a file over the size limit is scanned for the markers in chunks and
    reported only if it mentions them."""
    if data is None:
        try:
            data = read_source(path)
        except TooLarge as exc:
            try:
                return failed(path, str(exc)) if mentions_markers(path) else FileResult(path=path)
            except SourceError as again:
                return failed(path, str(again))
        except SourceError as exc:
            return failed(path, str(exc))
    with _collector_paused():
        return analyze_source(data, path, tree=True)


def analyze_batch(items: Sequence[tuple[Path, Optional[bytes]]]) -> list[FileResult]:
    """:func:`analyze_path` of each ``(path, data)`` item, in order, in one turn of the
    deep-stack thread: handing each file to that thread on its own costs some 4% of its port.

    >>> results = analyze_batch([(Path("app.py"), b"import boto3\\niot = boto3.client('iot-data')\\n")])
    >>> results[0].new_source
    b"import greengrasssdk\\niot = greengrasssdk.client('iot-data')\\n"
    """
    return with_deep_stack(_analyze_each, items)


def _analyze_each(items: Sequence[tuple[Path, Optional[bytes]]]) -> list[FileResult]:
    return [analyze_path(path, data) for path, data in items]


def _cpython_parse(text: str) -> tuple[Optional[ast.Module], Optional[tuple[str, int, int]]]:
    """CPython's tree of the code, and the GGL900 reason and position when CPython's parser
    cannot build it because of its nesting. Other syntax errors give no tree and no reason:
    they are libcst's to report, since it knows syntax newer than the Python running gglift.

    Run at the calling thread's recursion limit (also on the deep-stack thread), the parser
    refuses the nesting a device's ``compile`` refuses. The tree gives the lines statements start on (:mod:`.anchors`).
    """
    try:
        with usual_recursion_limit():
            return ast.parse(text), None
    except RecursionError:
        return None, ("nested too deeply: Python itself cannot compile it (maximum recursion depth exceeded); simplify the expression", 1, 1)
    except MemoryError:
        return None, ("too large or complex to parse in the memory available; split it", 1, 1)
    except SyntaxError as error:
        if "too many nested" in (error.msg or ""):
            line, col = error.lineno or 1, error.offset or 1
            return None, (f"syntax error at line {line}, column {col}: {error.msg}", line, col)
    except ValueError:  # a NUL byte: libcst reports it
        pass
    return None, None


@contextmanager
def _collector_paused():
    """Pause the cyclic garbage collector for one file: parsing allocates some 100,000
    short-lived nodes, and its generational passes over the growing tree cost a tenth of the
    port while finding almost nothing (a libcst tree holds no cycles)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def failed(path: Path, reason: str, line: int = 1, col: int = 1) -> FileResult:
    """The result for a file we cannot handle: one GGL900 finding, nothing changed."""
    finding: Finding = make_finding("GGL900", line, col, reason=reason)
    return FileResult(path=path, error=reason, findings=[finding])


def _unparenthesized_except_reason(module: cst.Module, handler: cst.ExceptHandler) -> tuple[str, int, int]:
    """GGL900 for ``except A, B:``, which libcst accepts (Python 3.14 syntax) but every Python a
    device runs rejects, and which in Python 2 code (``except A, name:``) means something else.
    """
    from libcst.metadata import PositionProvider  # failure path only: its cost is irrelevant

    wrapper = cst.MetadataWrapper(module, unsafe_skip_copy=True)
    start = wrapper.resolve(PositionProvider)[handler.type].start  # where CPython points
    line, col = start.line, start.column + 1
    reason = f"syntax error at line {line}, column {col}: multiple exception types must be parenthesized"
    return reason + " (this looks like Python 2 code)", line, col


def _syntax_reason(exc: cst.ParserSyntaxError, text: str) -> tuple[str, int, int]:
    """A one-line reason and the 1-based position of a syntax error.

    libcst's native parser locates errors loosely, so the interpreter's own parser is asked
    for the position and message (only on this failure path, where its cost is irrelevant).
    """
    line, col, what = exc.editor_line, exc.editor_column, "invalid syntax"
    try:
        ast.parse(text)
    except SyntaxError as error:
        line, col, what = error.lineno or line, error.offset or col, error.msg
    reason = f"syntax error at line {line}, column {col}: {what}"
    lines = text.splitlines()
    if 0 < line <= len(lines) and _PYTHON2.search(lines[line - 1]):
        reason += " (this looks like Python 2 code)"
    return reason, line, col
