"""Render gglift's jinja2 templates with every value serialized safely.

Templates write structure; values go through the ``j`` filter, which emits a JSON literal.
A JSON literal (ASCII only, double-quoted strings) is also a valid YAML flow scalar, so the
same filter serves JSON and YAML templates, and a name or environment value holding quotes,
newlines, ``{{ }}`` or ``#`` cannot break either document or inject keys.

>>> render("recipe.yaml.j2", recipe=...)  # doctest: +SKIP
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import jinja2


def to_json(value: Any, indent: int | None = None) -> str:
    """A JSON literal for ``value``: ASCII only, so YAML reads it the same way."""
    return json.dumps(value, ensure_ascii=True, indent=indent, sort_keys=False)


@lru_cache(maxsize=None)
def environment() -> jinja2.Environment:
    """The jinja2 environment over the ``gglift.templates`` package."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("gglift.templates", ""),
        undefined=jinja2.StrictUndefined,  # a missing value is a bug, never an empty string
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters["j"] = to_json
    return env


def render(template: str, **values: Any) -> str:
    """Render ``template`` (a path inside ``templates/``) with ``values``."""
    return environment().get_template(template).render(**values)
