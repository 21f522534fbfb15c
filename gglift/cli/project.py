"""What the project commands share: loading ``gglift.toml`` and reporting a bad one."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from gglift.cli.grammar import EXIT_USAGE, detail, error, verbosity, warning, with_hints
from gglift.config import ConfigError, Problem, Project, load_project



def load_or_exit(path: "str | Path | None") -> Project:
    """Load the project at ``path``, or print every config problem and exit with 2.

    ``run``, ``invoke``, ``package`` and ``deploy`` all treat a bad config as a usage error:
    the command cannot start, and nothing has been done.
    """
    try:
        project = load_project(path)
    except ConfigError as exc:
        exit_with_problems(exc.problems)
    detail(f"using {project.config_path}")
    return project


# The package report's own note covers the cloud SDK (boto3 and botocore) once built.
CLOUD_SDK_NOTED = frozenset({"boto3", "botocore"})


def warn_missing_imports(project: Project, reported_elsewhere: frozenset = frozenset()) -> None:
    """Warn (on stderr, unless -q) about each import the device will not have."""
    from gglift.dependencies import missing_imports

    for missing in missing_imports(project, reported_elsewhere):
        if verbosity() >= 0:
            warning(missing.text(project, _relative))


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def exit_with_problems(problems: list[Problem], what: str = "in the project config") -> NoReturn:
    """Print each problem (file, key, message, hint) and exit with 2."""
    for problem in problems:
        where, _, rest = str(problem).partition(": ")
        click.echo(click.style(where + ":", bold=True) + " " + with_hints(rest), err=True)
    click.echo(f"{len(problems)} problem(s) {what}; nothing was done.", err=True)
    sys.exit(EXIT_USAGE)


def vendor_failed(project: Project, exc) -> NoReturn:
    """Report a :class:`~gglift.package.vendor.VendorError`: a requirement with no distribution for
    a platform is a config problem (exit 2) naming the function, package and platform; any other
    pip failure is a failed build step (exit 1) with pip's own words."""
    from gglift.package.sources import requirement_name

    index = next((i for i, fn in enumerate(project.functions) if fn.name == exc.function), 0)
    fn = project.functions[index]
    where = f"{exc.function or fn.name} for {exc.platform_text()}"
    if exc.requirement is None:
        error(f"pip could not install the requirements of {where}:\n{exc.detail}")
        sys.exit(1)
    problem = Problem(
        project.config_path, fn.name, f"function[{index}].requirements",
        f"pip found no distribution of {exc.requirement} for {exc.platform_text()}"
        + ("" if _native(exc) else " (a wheel is needed: nothing is compiled for another device here)"),
        f"pin a version of {requirement_name(exc.requirement)} that publishes a wheel for this "
        f"platform, or remove it; the device's platform is function[{index}].component.platforms",
    )
    exit_with_problems([problem], "in the function's requirements")


def _native(exc) -> bool:
    from gglift.package.vendor import is_native

    return exc.platform is not None and is_native(exc.platform, exc.runtime)
