"""Imports a function's code makes that the device will not have.

On a device a function gets only the device's Python, its own folder and what its
requirements vendor into the artifact (``greengrasssdk`` is added when the code imports it).
Local workers get the same (:mod:`gglift.worker_env`), so such an import fails at run time in
both places; this module finds it before anything runs, by parsing the code (never importing
it), so every command can name it with the requirement that fixes it: the project installed
here that provides the module (``yaml`` asks for PyYAML), else the module's own name.

An import inside ``try`` with an ``except ImportError`` (or ``ModuleNotFoundError``) is optional
and not reported.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
import sysconfig
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from gglift.config.model import Function, Project
from gglift.routes import python_files

# What a Greengrass Lambda gets without asking: the SDK (vendored by `gglift package` when
# imported) and the modules the device's Lambda runtime provides.
PROVIDED = frozenset({"greengrasssdk", "greengrass_common", "greengrass_ipc_python_sdk"})
_OPTIONAL = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


@dataclass(frozen=True)
class MissingImport:
    """An import the device will not satisfy, and the requirement that would."""

    function: str
    index: int  # the function's position in the config: function[index]
    module: str  # top-level module name, as imported
    distribution: str  # the project to require (the local one providing the module, else the module's name)
    path: Path
    line: int

    def text(self, project: Project, rel=str) -> str:
        fn = project.functions[self.index]
        where = f"{rel(self.path)}:{self.line}: function {self.function!r} imports {self.module}"
        if fn.requirements is None:
            fix = (f'list {self.distribution} in a requirements file and set requirements = "requirements.txt" '
                   f"(function[{self.index}])")
        else:
            fix = f"add {self.distribution} to {rel(fn.requirements)} (function[{self.index}].requirements)"
        return f"{where}, which neither the device's Python, the function's folder nor its requirements provide\n  hint: {fix}"


def missing_imports(project: Project, reported_elsewhere: frozenset = frozenset()) -> list[MissingImport]:
    """Every import of every Python function that nothing on the device provides (leaving out
    the modules in ``reported_elsewhere``)."""
    from gglift.package.sources import SourceError, read_requirements, requirement_name

    found = []
    for index, fn in enumerate(project.functions):
        if fn.is_executable or not fn.source.is_dir():
            continue
        try:
            required = read_requirements(fn.requirements).names()
        except SourceError:  # a missing file is a config problem reported on its own
            required = set()
        own = _own_modules(fn.source)
        for module, path, line in _imports(fn):
            if module in own or module in PROVIDED or module in reported_elsewhere or _is_stdlib(module):
                continue
            distributions = _distributions().get(module) or [module]
            if not any(requirement_name(d) in required for d in distributions):
                found.append(MissingImport(fn.name, index, module, distributions[0], path, line))
    return found


def _imports(fn: Function) -> Iterator[tuple[str, Path, int]]:
    """(top-level module, file, line) of each non-optional absolute import, once per module."""
    from gglift.port.source import SourceError, read_source

    seen: set[str] = set()
    for path in python_files(fn.source):
        try:  # read_source: a FIFO or a device in the tree is never opened for reading
            tree = ast.parse(read_source(path), filename=str(path))
        except (SourceError, SyntaxError, ValueError, RecursionError, MemoryError):
            continue  # the handler check and the port report unreadable code
        optional = {id(node) for node in _optional_imports(tree)}
        for node in ast.walk(tree):
            if id(node) in optional:
                continue
            if isinstance(node, ast.Import):
                names = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module.split(".")[0]]
            else:
                continue
            for name in names:
                if name not in seen:
                    seen.add(name)
                    yield name, path, node.lineno


def _optional_imports(tree: ast.AST) -> Iterator[ast.AST]:
    """Imports inside a ``try`` whose handlers catch a failed import."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(_catches_import_error(h) for h in node.handlers):
            for statement in node.body:
                yield from (n for n in ast.walk(statement) if isinstance(n, (ast.Import, ast.ImportFrom)))


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(t, ast.Name) and t.id in _OPTIONAL for t in types)


def _own_modules(source: Path) -> set[str]:
    """Top-level modules the function's folder itself holds."""
    return {p.stem for p in source.glob("*.py")} | {p.name for p in source.iterdir() if p.is_dir()}


@lru_cache(maxsize=None)
def _distributions() -> dict[str, list[str]]:
    """Top-level module -> the installed distributions providing it (gglift's environment)."""
    from importlib import metadata

    if hasattr(metadata, "packages_distributions"):  # Python 3.10+
        return {module: list(dict.fromkeys(dists)) for module, dists in metadata.packages_distributions().items()}
    return {}


@lru_cache(maxsize=None)
def _is_stdlib(module: str) -> bool:
    if hasattr(sys, "stdlib_module_names"):  # Python 3.10+
        return module in sys.stdlib_module_names
    if module in sys.builtin_module_names:
        return True
    spec = importlib.util.find_spec(module)
    stdlib = sysconfig.get_paths()["stdlib"]
    return bool(spec and spec.origin and spec.origin.startswith(stdlib) and "site-packages" not in spec.origin)
