"""What the project commands share: loading ``gglift.toml`` and reporting a bad one."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from gglift.config import ConfigError, Project, load_project


def load_or_exit(path: "str | Path | None") -> Project:
    """Load the project at ``path``, or print every config problem and exit with 2.

    ``run``, ``invoke``, ``package`` and ``deploy`` all treat a bad config as a usage error:
    the command cannot start, and nothing has been done.
    """
    try:
        return load_project(path)
    except ConfigError as exc:
        click.echo(str(exc), err=True)
        click.echo(f"{len(exc.problems)} problem(s) in the project config; nothing was done.", err=True)
        sys.exit(2)
