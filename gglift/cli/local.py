"""What ``gglift run`` and ``gglift invoke`` share: ``--env-vars``, ``--strict-runtime`` and ``--debug-port``."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Callable, Optional

import click

from gglift.cli.grammar import EXIT_USAGE, detail, error, info, show_progress, warning
from gglift.cli.project import vendor_failed, warn_missing_imports
from gglift.config import Project


def local_options(command: Callable) -> Callable:
    """Add ``--env-vars FILE``, ``--strict-runtime`` and ``--debug-port PORT`` to a command that runs functions."""
    command = click.option(
        "--debug-port", type=click.IntRange(1, 65535), metavar="PORT",
        help="Start the function's worker under debugpy, listening on 127.0.0.1:PORT, and wait for a debugger to attach "
             "(pip install 'gglift[debug]').",
    )(command)
    command = click.option(
        "--strict-runtime", is_flag=True,
        help="Fail (exit 2) when a function declares a Python other than the one gglift runs on, instead of warning.",
    )(command)
    return click.option(
        "--env-vars", "env_vars", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="FILE",
        help='JSON overriding environmentVariables: {"FUNCTION": {"KEY": "value"}, "Parameters": {"KEY": "for all"}}.',
    )(command)


def prepare(project: Project, env_vars: Optional[Path], strict_runtime: bool) -> Project:
    """The project as it runs locally: ``--env-vars`` applied, runtimes checked."""
    if env_vars is not None:
        project = with_env_vars(project, _read_env_vars(env_vars, project))
    check_runtimes(project, strict_runtime)
    warn_missing_imports(project)
    install_requirements(project)
    return project


def debug_target(project: Project, port: Optional[int], function: Optional[str]) -> Optional[tuple[str, int]]:
    """``(function, port)`` for ``--debug-port``: ``function``, else the project's only Python
    function; exits 2 when there is none to choose, it is an executable, or debugpy is missing."""
    if port is None:
        return None
    from gglift.worker_env import DebuggerMissing, debugger_root

    python = [fn.name for fn in project.functions if not fn.is_executable]
    if function is None:
        if len(python) != 1:
            raise click.UsageError(f"--debug-port debugs one function: name it with --debug-function "
                                   f"(Python functions: {', '.join(python) or 'none'})")
        function = python[0]
    if function not in python:
        raise click.UsageError(f"--debug-port debugs Python functions; {function!r} is not one of {project.config_path}'s "
                               f"(Python functions: {', '.join(python) or 'none'})")
    try:
        debugger_root()
    except DebuggerMissing as exc:
        error(str(exc))
        sys.exit(EXIT_USAGE)
    _check_port_free(port)
    info(f"debug   {function} waits for a debugger to attach to 127.0.0.1:{port} (debugpy)", err=True)
    return function, port


def _check_port_free(port: int) -> None:
    """Exit 2 when 127.0.0.1:``port`` is taken: else the worker would fail to start, later."""
    import socket

    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as debugpy's own listener
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            error(f"--debug-port {port}: cannot listen on 127.0.0.1:{port} ({exc.strerror}); choose another port")
            sys.exit(EXIT_USAGE)


def install_requirements(project: Project) -> None:
    """Install (or find cached) each function's requirements for this machine before the core
    starts, showing pip's progress, so a worker never waits for pip and a failure is reported
    like `gglift package` reports it."""
    from gglift.package.sources import SourceError
    from gglift.package.vendor import VendorError
    from gglift.worker_env import site_dirs

    show_progress()
    for fn in project.functions:
        if fn.is_executable:
            continue
        try:
            site_dirs(fn)
        except VendorError as exc:
            vendor_failed(project, exc.for_function(fn.name))
        except SourceError as exc:
            error(str(exc))
            sys.exit(EXIT_USAGE)


def with_env_vars(project: Project, overrides: dict) -> Project:
    """``project`` with each function's variables updated: ``Parameters`` for all, then its own."""
    shared = overrides.get("Parameters", {})
    functions = []
    for fn in project.functions:
        env = {**fn.environment, **shared, **overrides.get(fn.name, {})}
        functions.append(dataclasses.replace(fn, environmentVariables=tuple(env.items())))
    return dataclasses.replace(project, functions=tuple(functions))


def _read_env_vars(path: Path, project: Project) -> dict:
    """The ``--env-vars`` file, as SAM's: function names (or ``Parameters``) to string tables."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise click.BadParameter(f"{path}: not a JSON file ({exc})", param_hint="--env-vars") from None
    names = {fn.name for fn in project.functions} | {"Parameters"}
    if not isinstance(data, dict):
        raise click.BadParameter(f"{path}: must be a JSON object of function names", param_hint="--env-vars")
    for key, table in data.items():
        if key not in names:
            raise click.BadParameter(f"{path}: {key!r} is not a function of {project.config_path} (nor Parameters); "
                                     f"functions: {', '.join(sorted(names - {'Parameters'}))}", param_hint="--env-vars")
        if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
            raise click.BadParameter(f'{path}: {key!r} must map names to strings, e.g. {{"LOG_LEVEL": "DEBUG"}}',
                                     param_hint="--env-vars")
    return data


def check_runtimes(project: Project, strict: bool) -> None:
    """Warn once per function whose ``python3.X`` is not installed here, so that its workers run
    on gglift's own Python (or fail, with ``strict``); say which interpreter each uses with -v."""
    from gglift.worker_env import interpreter, local_runtime, worker_runtime

    here = local_runtime()
    missing = [fn for fn in project.functions if not fn.is_executable and interpreter(fn.runtime) is None]
    for fn in missing:
        message = (f"function {fn.name!r} declares {fn.runtime}, which is not installed here: it runs locally on {here}, "
                   f"and code that works here may not on the device")
        if strict:
            error(message)
        else:
            warning(f"{message} (--strict-runtime makes this an error)")
    if strict and missing:
        sys.exit(EXIT_USAGE)
    for fn in project.functions:
        if not fn.is_executable:
            detail(f"function {fn.name!r} runs on {worker_runtime(fn)[0]}")
