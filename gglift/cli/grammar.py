"""The options every gglift command takes the same way: ``-q``/``-v``, ``--color`` and the project.

They are accepted both before the command (``gglift -v package``) and after it
(``gglift package -v``), and stored once on the root context, so any module reads them
through :func:`verbosity` and click's own colour handling.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Callable, Optional

import click

# Exit codes, shared by every command (docs/cli.md has the table).
EXIT_OK = 0
EXIT_FINDINGS = 1  # findings (port), a failed step, or function errors where --fail-on-error asks
EXIT_USAGE = 2  # usage or config error: nothing was done
EXIT_FUNCTION_ERROR = 3  # invoke: the core stopped the invocation (Unhandled)
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT), as shells report it

_VERBOSITY = "gglift.verbosity"


def _set_verbosity(delta: int) -> Callable:
    def callback(ctx: click.Context, param: click.Parameter, value) -> None:
        if value:
            meta = ctx.find_root().meta
            meta[_VERBOSITY] = meta.get(_VERBOSITY, 0) + delta * (value if isinstance(value, int) else 1)

    return callback


def _set_color(ctx: click.Context, param: click.Parameter, value: Optional[str]) -> None:
    """``always``/``never`` force colour on or off; ``auto`` (the default) colours a terminal
    unless ``NO_COLOR`` is set (https://no-color.org)."""
    if value is None and ctx.parent is not None:
        return  # the command level keeps what the group level chose
    value = value or "auto"
    if value == "always":
        color: Optional[bool] = True
    elif value == "never" or os.environ.get("NO_COLOR"):
        color = False
    else:
        color = None  # click colours only when the stream is a terminal
    node: Optional[click.Context] = ctx
    while node is not None:  # child contexts copied the parent's choice when they were made
        node.color = color
        node = node.parent


def common_options(command: Callable) -> Callable:
    """Add ``-q``, ``-v`` and ``--color`` to a command (or the group)."""
    for option in reversed((
        click.option("-q", "--quiet", count=True, expose_value=False, callback=_set_verbosity(-1), is_eager=True,
                     help="Print less: only errors and the command's result."),
        click.option("-v", "--verbose", count=True, expose_value=False, callback=_set_verbosity(+1), is_eager=True,
                     help="Print more: which config file is used, each step."),
        click.option("--color", type=click.Choice(["auto", "always", "never"]), default=None, expose_value=False,
                     callback=_set_color, is_eager=True,
                     help="Colour the output: auto (a terminal, unless NO_COLOR is set), always or never."),
    )):
        command = option(command)
    return command


def verbosity() -> int:
    """-1 or less with ``-q``, 0 by default, 1 or more with ``-v``."""
    ctx = click.get_current_context(silent=True)
    return ctx.find_root().meta.get(_VERBOSITY, 0) if ctx else 0


def info(message: str, err: bool = False) -> None:
    """Print ``message`` unless ``-q`` was given."""
    if verbosity() >= 0:
        click.echo(message, err=err)


def detail(message: str) -> None:
    """Print ``message`` on stderr when ``-v`` was given."""
    if verbosity() > 0:
        click.echo(message, err=True)


def error(message: str) -> None:
    """Print ``error: message`` on stderr (the prefix red on a terminal)."""
    click.echo(click.style("error:", fg="red", bold=True) + " " + message, err=True)


def warning(message: str) -> None:
    """Print ``warning: message`` on stderr (the prefix yellow, its hints cyan on a terminal)."""
    click.echo(click.style("warning:", fg="yellow", bold=True) + " " + with_hints(message), err=True)


def with_hints(text: str) -> str:
    """``text`` with the ``hint:`` of each of its hint lines styled (cyan on a terminal)."""
    return text.replace("\n  hint:", "\n  " + click.style("hint:", fg="cyan"))


class _ProgressHandler(logging.Handler):
    """Progress lines on stderr (whatever stream is stderr when they are emitted)."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(click.style(self.format(record), dim=True), err=True)


_PROGRESS_HANDLER = _ProgressHandler()


def show_progress() -> None:
    """Show what long steps are doing (pip runs, AWS waits) on a terminal, or anywhere with -v;
    never with -q."""
    logger = logging.getLogger("gglift.progress")
    wanted = verbosity() > 0 or (verbosity() == 0 and sys.stderr.isatty())
    if wanted and _PROGRESS_HANDLER not in logger.handlers:
        logger.addHandler(_PROGRESS_HANDLER)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    elif not wanted and _PROGRESS_HANDLER in logger.handlers:
        logger.removeHandler(_PROGRESS_HANDLER)


def project_options(command: Callable) -> Callable:
    """The project, taken the same way by every command: ``PROJECT`` or ``-p/--project``.

    Either names a folder (searched upwards for the config, like ruff and black) or a config
    file; with neither, the search starts in the current folder.
    """
    command = click.option("-p", "--project", "project_option", type=click.Path(exists=True, path_type=Path),
                           help="Project folder or config file [default: found from the current folder upwards].")(command)
    return click.argument("project", required=False, type=click.Path(exists=True, path_type=Path))(command)


def chosen_project(project: Optional[Path], project_option: Optional[Path]) -> Optional[Path]:
    """The one project ``PROJECT`` and ``-p`` name (a usage error when they differ)."""
    if project is not None and project_option is not None and project.resolve() != project_option.resolve():
        raise click.UsageError(f"two projects given: {project} and -p {project_option}; give one")
    return project if project is not None else project_option
