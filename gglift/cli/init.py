"""``gglift init``: write a commented starter config and an example function."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from gglift.cli.grammar import common_options, error, info
# template (inside templates/init/) -> file written in the project folder
FILES = {"gglift.toml.j2": "gglift.toml", "src/app.py.j2": "src/app.py", "requirements.txt.j2": "requirements.txt"}
# Written only where there is none yet: a project folder is often already a repository.
OPTIONAL = {"gitignore.j2": ".gitignore"}


@click.command()
@common_options
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", help="Function name [default: the folder's name].")
@click.option("--from-sam", "sam_template", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="TEMPLATE",
              help="Write gglift.toml from the functions of an AWS SAM template (in its folder, or DIRECTORY).")
def init(directory: Path, name: str | None, sam_template: Path | None):
    """Start a project: gglift.toml, src/app.py, requirements.txt and a .gitignore.

    Existing files are never overwritten (an existing .gitignore is kept as it is).

    \b
    Examples:
      gglift init
      gglift init my-function --name sensor
      gglift init --from-sam template.yaml      a [[function]] per AWS::Serverless::Function

    Exit codes: 0 written, 1 files exist already (or the written config has problems), 2 usage.
    """
    from gglift.storage import write_text
    from gglift.package.render import render

    from gglift.config.validate import FUNCTION_NAME

    if sam_template is not None:
        if name is not None:
            raise click.UsageError("--name and --from-sam exclude each other: the template names the functions")
        _from_sam(sam_template, directory if directory != Path(".") else sam_template.parent)
        return

    if name is not None and not FUNCTION_NAME.match(name):
        fixed = _sanitized(name)
        raise click.BadParameter(f"{name!r} is not a valid Lambda function name: use 1 to 64 letters, digits, - and _"
                                 + (f" (e.g. {fixed!r})" if fixed else ""), param_hint="--name")
    name = name or _sanitized(directory.resolve().name) or "function"
    existing = [out for out in FILES.values() if (directory / out).exists()]
    if existing:
        error(f"{', '.join(existing)} already exist(s) in {directory}; nothing was written")
        sys.exit(1)
    component = "com.example." + "".join(part.title() for part in re.split(r"[-_\s]+", name) if part)
    for template, out in FILES.items():
        write_text(directory / out, render(f"init/{template}", name=name, component=component))
        info(f"wrote {directory / out}")
    _write_optional(directory, name=name, component=component)
    info("next: edit src/app.py, then `gglift package --check` and `gglift package`")


def _from_sam(template: Path, directory: Path) -> None:
    """Write gglift.toml (and a .gitignore) from a SAM template, then check what was written."""
    from gglift.cli.project import load_or_exit
    from gglift.sam import SamError, convert, read_template
    from gglift.storage import write_text

    config = directory / "gglift.toml"
    if config.exists():
        error(f"{config} already exists; nothing was written")
        sys.exit(1)
    try:
        converted = convert(read_template(template), directory)
    except SamError as exc:
        raise click.BadParameter(str(exc), param_hint="--from-sam") from None
    write_text(config, converted.toml)
    info(f"wrote {config} ({', '.join(converted.functions)})")
    _write_optional(directory, name="", component="")
    for item in converted.skipped:
        info(f"not carried over: {item}", err=True)
    load_or_exit(directory)  # what the template names on disk is checked like any config
    info("next: `gglift package --check`, then `gglift run` or `gglift package`")


def _write_optional(directory: Path, **context: str) -> None:
    """Write each of :data:`OPTIONAL` that ``directory`` does not have yet."""
    from gglift.package.render import render
    from gglift.storage import write_text

    for template, out in OPTIONAL.items():
        if not (directory / out).exists():
            write_text(directory / out, render(f"init/{template}", **context))
            info(f"wrote {directory / out}")


def _sanitized(text: str) -> str:
    """``text`` made a valid function name: other characters become ``-``, at most 64 kept."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")[:64]
