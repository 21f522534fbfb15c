"""The modules of one source tree: which ones a handler imports, and who imports a name.

A function's code is its handler module and the modules it imports from the same tree,
directly or through others (``from .aws import iot``, ``import clients``,
``from pkg import helpers``). :func:`import_closure` gives those files, so two functions
sharing ``source = "src"`` each get only what their own code uses.
:func:`importers_of` answers the reverse question for the port: which names of a module
other modules of its tree import, since a client used there is not seen from the module.

Imports are read with :mod:`ast` (C speed), and only from files that can matter: a file is
parsed for the importers of ``aws`` only if its bytes mention ``aws``.
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional

from gglift.port.model import FileResult
from gglift.port.source import SourceError, read_source

# folders that hold no module of the function (kept in step with gglift.routes.SKIPPED_DIRS)
_SKIPPED = frozenset({"__pycache__", ".git", ".venv", "venv", "build", "dist", ".gglift", "site-packages"})
WHOLE_MODULE = "*"  # `import aws`: any of its names may be used


@dataclass(frozen=True)
class ImportOf:
    """One import statement's target: a module, and the names taken from it."""

    module: str  # absolute dotted name, resolved against the importing module
    names: tuple[str, ...]  # WHOLE_MODULE for `import module`


def module_name(root: Path, path: Path) -> str:
    """``pkg/sub/mod.py`` under ``root`` -> ``pkg.sub.mod`` (``__init__`` -> the package)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def module_file(root: Path, dotted: str) -> Optional[Path]:
    """The file of a module of the tree, or None when it is not one (the stdlib, a library)."""
    if not dotted:
        return None
    # os.path, not pathlib: every from-import of every ported module asks, mostly in vain
    base = os.path.join(root, *dotted.split("."))
    for candidate in (base + ".py", os.path.join(base, "__init__.py")):
        if os.path.isfile(candidate):
            return Path(candidate)
    return None


def imports_in(source: bytes, name: str, is_package: bool) -> list[ImportOf]:
    """The imports of a module's source, relative ones resolved; [] if it does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    package = name if is_package else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                # `import a.b` binds a and loads a, then a.b
                parts = alias.name.split(".")
                for end in range(1, len(parts) + 1):
                    found.append(ImportOf(".".join(parts[:end]), (WHOLE_MODULE,)))
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(package, node.level, node.module or "") if node.level else node.module or ""
            names = tuple(alias.name for alias in node.names)
            found.append(ImportOf(module, names))
            # `from pkg import helpers` may import the submodule pkg.helpers
            found.extend(ImportOf(f"{module}.{n}" if module else n, (WHOLE_MODULE,)) for n in names)
    return found


def resolve_from(path: Path, relative: int, module: str, root: Optional[Path] = None) -> Optional[Path]:
    """The file of the tree module a ``from <module> import`` in ``path`` names, if any
    (``root``: ``source_root(path)``, when the caller has it already)."""
    root = root or source_root(path)
    if relative:
        package = module_name(root, path.parent / "__init__.py") if path.parent != root else ""
        module = _absolute(package, relative, module)
    return module_file(root, module)


def _absolute(package: str, level: int, module: str) -> str:
    """The dotted name ``from <level dots><module> import`` means inside ``package``."""
    anchor = package.split(".") if package else []
    anchor = anchor[: len(anchor) - (level - 1)] if level > 1 else anchor
    return ".".join([*anchor, module] if module else anchor)


_FROM_IMPORT = re.compile(rb"^[ \t]*from[ \t]+(\.*)([\w.]*)[ \t]+import\b", re.M)


def tree_modules_imported(source: bytes, path: Path) -> list[Path]:
    """The files of the tree modules ``source`` takes names from (``from aws import iot``),
    found by a byte scan: the pre-filter's second chance for a file using an imported client."""
    found = []
    root = None
    for match in _FROM_IMPORT.finditer(source):
        root = root or source_root(path)  # one walk up the package folders per file
        target = resolve_from(path, len(match.group(1)), match.group(2).decode("ascii", "replace"), root)
        if target is not None:
            found.append(target)
    return found


def unparsed_result(source: bytes, path: Path) -> Optional[FileResult]:
    """The result of a file that mentions no boto3 or greengrasssdk, without parsing it; None
    when it takes names from a module of its tree that creates clients, which it may then
    use (the analysis must follow them). A file importing from its tree is marked as
    depending on it, so no cache holds it as clean by its own bytes."""
    imported = tree_modules_imported(source, path)
    if any(creates_clients(module) for module in imported):
        return None
    return FileResult(path=path, depends_on_tree=bool(imported))


def creates_clients(path: Path) -> bool:
    """True if the module at ``path`` mentions boto3 or greengrasssdk."""
    data = read_cached(path)
    return data is not None and (b"boto3" in data or b"greengrasssdk" in data)


def _python_files(root: Path) -> Iterator[Path]:
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIPPED and not d.startswith("."))
        for filename in sorted(filenames):
            if filename.endswith(".py"):
                yield Path(directory, filename)


def import_closure(root: Path, handler_module: str) -> list[Path]:
    """The handler module's file and every file of ``root`` it imports, transitively, in a
    stable order; all of the tree's files when the handler module is not found."""
    start = module_file(root, handler_module)
    if start is None:
        return list(_python_files(root))
    seen = {start}
    pending = [start]
    while pending:
        path = pending.pop()
        source = read_cached(path)
        if source is None:
            continue  # the port reports the unreadable file
        name = module_name(root, path)
        for imported in imports_in(source, name, path.name == "__init__.py"):
            parts = imported.module.split(".")
            # importing a.b.c runs a/__init__.py and a/b/__init__.py first
            for end in range(1, len(parts) + 1):
                target = module_file(root, ".".join(parts[:end]))
                if target is not None and target not in seen:
                    seen.add(target)
                    pending.append(target)
    return sorted(seen)


def source_root(path: Path) -> Path:
    """The folder a module's imports are relative to: above its package folders."""
    root = str(path.parent)
    while os.path.isfile(os.path.join(root, "__init__.py")):
        parent = os.path.dirname(root)
        if parent == root:
            break
        root = parent
    return Path(root)


# file -> ((mtime_ns, size), bytes): each file of a tree is read once per process however
# many of its modules ask who imports them
_READ: dict[Path, tuple[tuple[int, int], bytes]] = {}


def read_cached(path: Path) -> Optional[bytes]:
    """A file's bytes, read again only when its size or modification time changed."""
    try:
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        cached = _READ.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        data = read_source(path)
    except (OSError, SourceError):  # a FIFO or device is never read: the port reports it
        return None
    _READ[path] = (stamp, data)
    return data


# root -> (its folders' modification times, its modules' files and bytes)
_TREES: dict[Path, tuple[list[tuple[Path, int]], list[tuple[Path, bytes]]]] = {}


def _folder_times(folders: list[Path]) -> Optional[list[tuple[Path, int]]]:
    try:
        return [(folder, folder.stat().st_mtime_ns) for folder in folders]
    except OSError:
        return None


def _tree(root: Path) -> list[tuple[Path, bytes]]:
    """The modules of a source tree with their bytes, read once per process while no file
    is added, removed or replaced (a replacement renames, which every folder notes)."""
    cached = _TREES.get(root)
    if cached is not None and _folder_times([folder for folder, _ in cached[0]]) == cached[0]:
        return cached[1]
    files = list(_python_files(root))
    folders = sorted({root, *(path.parent for path in files)})
    modules = [(path, data) for path in files for data in (read_cached(path),) if data is not None]
    _TREES[root] = (_folder_times(folders) or [], modules)
    return modules


def importers_of(path: Path) -> dict[str, list[Path]]:
    """The names of ``path``'s module that other modules of its tree import, each with its
    importers (WHOLE_MODULE for modules that import the module itself)."""
    root = source_root(path)
    name = module_name(root, path)
    last = name.rpartition(".")[2].encode()
    found: dict[str, list[Path]] = {}
    for other, source in _tree(root):
        if last not in source or other == path:
            continue  # cannot name the module: the cheap test that keeps this fast
        for imported in imports_in(source, module_name(root, other), other.name == "__init__.py"):
            if imported.module == name:
                for taken in imported.names:
                    importers = found.setdefault(taken, [])
                    if other not in importers:
                        importers.append(other)
    return found
