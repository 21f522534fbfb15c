"""Values a function's code reads from its environment, resolved through its ``environmentVariables``.

Cloud Lambdas name their secrets, things and topics in environment variables
(``SECRET_ID = os.environ["SECRET_ID"]``). The port analysis reports such an argument as not
known statically; the config knows it, since a Greengrass Lambda gets the same
``environmentVariables`` on the device. This module reads the expression (or the module-level
name it is assigned to) with :mod:`ast` and looks the variable up.

>>> read_of("os.environ['SECRET_ID']")
EnvRead(name='SECRET_ID', default=None)
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional


@dataclass(frozen=True)
class EnvRead:
    """``os.environ[name]``, ``os.environ.get(name, default)`` or ``os.getenv(name, default)``."""

    name: str
    default: Optional[str] = None

    def value(self, environment: Mapping[str, str]) -> Optional[str]:
        """What the code gets on the device: the variable, else the default (None: neither)."""
        return environment.get(self.name, self.default)


def read_of(text: str, path: Optional[Path] = None) -> Optional[EnvRead]:
    """The environment read ``text`` (an expression as written) stands for, if any.

    A bare name is followed to its one assignment in ``path``'s module (``SECRET_ID =
    os.environ["SECRET_ID"]`` at module level or in the handler).
    """
    try:
        expr = ast.parse(text, mode="eval").body
    except SyntaxError:
        return None
    found = _env_read(expr)
    if found is None and isinstance(expr, ast.Name) and path is not None:
        found = _assignments(path).get(expr.id)
    return found


def _env_read(node: ast.AST) -> Optional[EnvRead]:
    if isinstance(node, ast.Subscript) and _is_environ(node.value):
        name = _string(node.slice)
        return EnvRead(name) if name is not None else None
    if isinstance(node, ast.Call) and node.args and not node.keywords:
        func = node.func
        is_get = isinstance(func, ast.Attribute) and func.attr == "get" and _is_environ(func.value)
        is_getenv = (isinstance(func, ast.Attribute) and func.attr == "getenv") or (isinstance(func, ast.Name) and func.id == "getenv")
        name = _string(node.args[0])
        if (is_get or is_getenv) and name is not None and len(node.args) <= 2:
            default = _string(node.args[1]) if len(node.args) == 2 else None
            return EnvRead(name, default)
    return None


def _is_environ(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "environ") or (isinstance(node, ast.Name) and node.id == "environ")


def _string(node: ast.AST) -> Optional[str]:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _assignments(path: Path) -> dict[str, EnvRead]:
    """Names assigned exactly once in the module, to an environment read."""
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (OSError, SyntaxError, ValueError):
        return {}
    reads: dict[str, Optional[EnvRead]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            reads[name] = None if name in reads else _env_read(node.value)  # assigned twice: unsure
    return {name: read for name, read in reads.items() if read is not None}
