"""How a function's worker is started: its command line and environment (facts of a device).

A runtime maps to a command: Python runtimes run :mod:`gglift.runner` in the core's own
interpreter; ``executable`` runs ``<source>/<handler>`` with the Greengrass Core SDK for C
library gglift builds first on ``LD_LIBRARY_PATH``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import gglift
from gglift.config import Function, Project
from gglift.runner import BOOTSTRAP, DEBUG_BOOTSTRAP, SHIMS_DIR

ROUTER_ARN = "arn:aws:lambda:::function:GGRouter"
SHADOW_ARN = "arn:aws:lambda:::function:GGShadowService"
SECRETS_ARN = "arn:aws:lambda:::function:GGSecretManager:1"

# The device host ships libaws-greengrass-core-sdk-c.so beside its zipapp and names the folder here.
LIBRARY_ENV = "GGLIFT_C_LIBRARY_DIR"

# Passed through from the core's environment; everything else a worker sees is set here.
_INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR")


class LaunchError(Exception):
    """A worker cannot be started; the message says what to install or fix."""


def command(fn: Function, python: str = sys.executable, debugging: bool = False) -> list[str]:
    """The worker's command line; Python functions run on ``python`` (under debugpy when
    ``debugging``, with :func:`debugger_environment`)."""
    if fn.is_executable:
        return [str(fn.source / fn.handler), *fn.execArgs]
    # -S: no site hooks (.pth files), which would cost a few MB of the 16 MB default limit.
    return [python, "-S", *fn.execArgs, "-c", DEBUG_BOOTSTRAP if debugging else BOOTSTRAP, f"--handler={fn.handler}"]


def debugger_environment(port: int) -> dict[str, str]:
    """What a worker started under debugpy needs: the folder holding debugpy alone, and its port."""
    from gglift.worker_env import DebuggerMissing, debugger_root

    try:
        return {"GGLIFT_DEBUGPY_PATH": debugger_root(), "GGLIFT_DEBUG_PORT": str(port)}
    except DebuggerMissing as exc:
        raise LaunchError(str(exc)) from exc


def environment(project: Project, fn: Function, port: int, token: str, stream_port: Optional[int] = None,
                python_path: Optional[list[str]] = None) -> dict[str, str]:
    """The worker's environment, as Greengrass sets it, plus the function's own variables;
    ``stream_port``: the stream manager server's, when it runs; ``python_path``: the
    ``sys.path`` entries a Python worker adds (default :func:`device_path`)."""
    arn = project.function_arn(fn)
    memory_kb = fn.linuxProcessParams.containerParams.memorySizeInKB
    env = {key: os.environ[key] for key in _INHERITED if key in os.environ}
    env.update(
        MY_FUNCTION_ARN=arn,
        AWS_CONTAINER_AUTHORIZATION_TOKEN=token,
        GG_DAEMON_PORT=str(port),
        ENCODING_TYPE="binary" if fn.is_executable else fn.inputPayloadEncodingType,
        LOG_LEVEL=os.environ.get("GGLIFT_LOG_LEVEL", "INFO"),
        GGC_MAX_INTERFACE_VERSION="1.5",
        ROUTER_FUNCTION_ARN=ROUTER_ARN,
        SHADOW_FUNCTION_ARN=SHADOW_ARN,
        SECRETS_MANAGER_FUNCTION_ARN=SECRETS_ARN,
        AWS_REGION=project.local.region,
        AWS_DEFAULT_REGION=project.local.region,
        AWS_IOT_THING_NAME=project.local.thing_name,
        AWS_LAMBDA_FUNCTION_NAME=fn.name,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE=str(max(1, memory_kb // 1024)),
        GGLIFT_TIMEOUT_MS=str(fn.timeoutInSeconds * 1000),
    )
    if stream_port is not None:
        env["STREAM_MANAGER_SERVER_PORT"] = str(stream_port)
    if fn.is_executable:
        try:
            from gglift.native import library_dir
            lib_dir = os.environ.get(LIBRARY_ENV) or str(library_dir())
        except (ImportError, OSError) as exc:  # not installed, or installed without the built library
            raise LaunchError(f"C Lambda executables need gglift's Core SDK for C runtime (gglift.native): {exc}") from exc
        env["LD_LIBRARY_PATH"] = os.pathsep.join(p for p in (lib_dir, os.environ.get("LD_LIBRARY_PATH")) if p)
    else:
        env["GGLIFT_WORKER_PATH"] = os.pathsep.join(device_path(fn) if python_path is None else python_path)
        env["PYTHONDONTWRITEBYTECODE"] = "1"  # leave the user's source folder as it is
    env.update(fn.environment)
    return env


def device_path(fn: Function) -> list[str]:
    """``sys.path`` entries of a worker on the device host: the function's folder in the
    component's artifact (its requirements are vendored there), the device modules, and the
    host's zipapp for gglift's runner."""
    return [str(fn.source), SHIMS_DIR, str(Path(gglift.__file__).resolve().parent.parent)]


def worker_path(fn: Function) -> list[str]:
    """``sys.path`` entries a Python worker adds: its code and the device modules first, then
    its own requirements (:mod:`gglift.worker_env`), then a folder holding gglift's runner
    alone, so that what imports here is what the device's artifact holds."""
    from gglift.package.sources import SourceError
    from gglift.package.vendor import VendorError
    from gglift.worker_env import runner_root, site_dirs

    try:
        sites = site_dirs(fn)
    except (SourceError, VendorError) as exc:
        raise LaunchError(f"function {fn.name!r}: pip could not install its requirements for this machine: {exc}") from exc
    return [str(fn.source), SHIMS_DIR, *sites, runner_root()]
