"""Checks of what the config names on disk: folders, files and the handler itself.

A config can be valid TOML with valid values and still name a source folder that does not
exist (``source = "scr"``), a requirements file with a typo, or a handler module or function
that is not there. Each of these used to pass ``gglift package --check`` and break later (an
artifact without the handler, a pip traceback, a worker that cannot start), so they are
checked with the rest of the config, before any command does anything.

The handler is found by parsing its module with :mod:`ast`: user code is never imported here.
"""

from __future__ import annotations

import ast
import difflib
import os
from pathlib import Path
from typing import Iterator, Optional

from gglift.config.model import Function, Project

Found = Iterator[tuple[str, str, str]]  # (key below function[i] or a project key, message, hint)


def function_problems(project: Project, fn: Function) -> Found:
    """What ``fn`` names on disk that is missing: its source folder, requirements file, handler."""
    if not fn.source.is_dir():
        yield "source", _missing(project.root, fn.source, "folder"), _fix(project.root, fn.source, dirs=True)
        return
    if fn.requirements is not None and not fn.requirements.is_file():
        yield "requirements", _missing(project.root, fn.requirements, "file"), _fix(project.root, fn.requirements, dirs=False)
    if not fn.is_executable:
        yield from _handler_problems(project, fn)


def local_problems(project: Project) -> Found:
    """What ``[local]`` names on disk that is missing (the secrets file)."""
    path = project.local.secrets_file
    if path is not None and not path.is_file():
        yield "local.secrets_file", _missing(project.root, path, "file"), _fix(project.root, path, dirs=False)


def _handler_problems(project: Project, fn: Function) -> Found:
    module_name, _, function_name = fn.handler.rpartition(".")
    if not module_name or not function_name:
        yield "handler", f"{fn.handler!r} is not module.function", 'write the module and the function, e.g. "app.handler" for def handler in app.py'
        return
    path = module_path(fn.source, module_name)
    folder = _shown(project.root, fn.source)
    if path is None:
        hint = _suggest(module_name, set(_module_names(fn.source)), lambda m: f"{m}.{function_name}", f"modules in {folder}",
                        f"{folder} has no Python files: check `source`, or create {module_name.replace('.', '/')}.py there")
        yield "handler", f"no module {module_name!r} in the source folder {folder}", hint
        return
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except SyntaxError as exc:
        yield "handler", f"{_shown(project.root, path)}:{exc.lineno}: cannot parse the handler's module: {exc.msg}", "fix the syntax at the line shown"
        return
    except OSError as exc:
        yield "handler", f"cannot read {_shown(project.root, path)}: {exc.strerror}", "make the file readable"
        return
    names, functions, dynamic = _top_level_names(tree)
    if dynamic or function_name in names:
        return
    shown = _shown(project.root, path)
    hint = _suggest(function_name, functions, lambda f: f"{module_name}.{f}", f"functions in {shown}",
                    f"define `def {function_name}(event, context):` in {shown}")
    yield "handler", f"{shown} has no function {function_name!r}", hint


def _suggest(missing: str, options: set[str], spell, listing: str, otherwise: str) -> str:
    """A "did you mean" among ``options`` (spelled as the handler), else the options, else ``otherwise``."""
    close = difflib.get_close_matches(missing, sorted(options), n=1, cutoff=0.5)
    if close:
        return f"did you mean {spell(close[0])!r}?"
    if options:
        return f"{listing}: {', '.join(sorted(options)[:10])}"
    return otherwise


def module_path(source: Path, module_name: str) -> Optional[Path]:
    """The file of ``module_name`` (dotted) under ``source``: a module or a package's ``__init__.py``."""
    base = source.joinpath(*module_name.split("."))
    for candidate in (base.with_name(base.name + ".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _module_names(source: Path) -> Iterator[str]:
    """Dotted names of the modules under ``source`` (two levels deep is enough for a hint)."""
    for path in sorted(source.glob("*.py")) + sorted(source.glob("*/*.py")):
        parts = path.relative_to(source).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts:
            yield ".".join(parts)


def _top_level_names(tree: ast.Module) -> tuple[set[str], set[str], bool]:
    """Names bound at module level, the functions among them, and whether names may come
    from elsewhere (``from x import *`` or a module ``__getattr__``), which makes a miss unsure."""
    names: set[str] = set()
    functions: set[str] = set()
    dynamic = False
    for node in _module_level(tree.body):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
            functions.add(node.name)
        elif isinstance(node, ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name == "*":
                    dynamic = True
                names.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return names, functions, dynamic or "__getattr__" in functions


def _module_level(body: list) -> Iterator[ast.stmt]:
    """Statements run at import time, looking inside if/try/with blocks (not functions or classes)."""
    for node in body:
        yield node
        if isinstance(node, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
            for field in ("body", "orelse", "finalbody"):
                yield from _module_level(getattr(node, field, []))
            for handler in getattr(node, "handlers", []):
                yield from _module_level(handler.body)


def _missing(root: Path, path: Path, kind: str) -> str:
    what = f"is not a {kind}" if path.exists() else "does not exist"
    return f"{kind} {_shown(root, path)!r} {what}"


def _fix(root: Path, path: Path, dirs: bool) -> str:
    """A "did you mean" among the siblings of ``path``, else how to fix it."""
    parent = path.parent
    siblings = [p.name for p in parent.iterdir() if p.is_dir() == dirs] if parent.is_dir() else []
    close = difflib.get_close_matches(path.name, sorted(siblings), n=1, cutoff=0.6)
    if close:
        return f"did you mean {_shown(root, parent / close[0])!r}?"
    return f"create {_shown(root, path)}, or fix the path (it is relative to the config file)"


def _shown(root: Path, path: Path) -> str:
    """``path`` as the user wrote it: relative to the project folder when it is inside."""
    return os.path.relpath(path, root) if path == root or root in path.parents else str(path)
