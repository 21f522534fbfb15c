"""``gglift init``: write a commented starter config and an example function."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from gglift.cli.grammar import common_options, info
# template (inside templates/init/) -> file written in the project folder
FILES = {"gglift.toml.j2": "gglift.toml", "src/app.py.j2": "src/app.py", "requirements.txt.j2": "requirements.txt"}
# Written only where there is none yet: a project folder is often already a repository.
OPTIONAL = {"gitignore.j2": ".gitignore"}


@click.command()
@common_options
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", help="Function name [default: the folder's name].")
def init(directory: Path, name: str | None):
    """Start a project: gglift.toml, src/app.py, requirements.txt and a .gitignore.

    Existing files are never overwritten (an existing .gitignore is kept as it is).

    \b
    Examples:
      gglift init
      gglift init my-function --name sensor
    """
    from gglift.storage import write_text
    from gglift.package.render import render

    from gglift.config.validate import FUNCTION_NAME

    if name is not None and not FUNCTION_NAME.match(name):
        fixed = _sanitized(name)
        raise click.BadParameter(f"{name!r} is not a valid Lambda function name: use 1 to 64 letters, digits, - and _"
                                 + (f" (e.g. {fixed!r})" if fixed else ""), param_hint="--name")
    name = name or _sanitized(directory.resolve().name) or "function"
    existing = [out for out in FILES.values() if (directory / out).exists()]
    if existing:
        click.echo(f"error: {', '.join(existing)} already exist(s) in {directory}; nothing was written", err=True)
        sys.exit(1)
    component = "com.example." + "".join(part.title() for part in re.split(r"[-_\s]+", name) if part)
    optional = {template: out for template, out in OPTIONAL.items() if not (directory / out).exists()}
    for template, out in {**FILES, **optional}.items():
        write_text(directory / out, render(f"init/{template}", name=name, component=component))
        info(f"wrote {directory / out}")
    info("next: edit src/app.py, then `gglift package --check` and `gglift package`")


def _sanitized(text: str) -> str:
    """``text`` made a valid function name: other characters become ``-``, at most 64 kept."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")[:64]
