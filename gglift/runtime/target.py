"""What ``gglift run`` refuses because the project's target device would.

With ``target = "lambda"`` the functions become Lambda components, and the V2 Lambda launcher
serves no V1 shadow calls and runs no C executables (GGL190): the local core behaves the same,
so a project is not shown working locally in a way it cannot work on the device.
"""

from __future__ import annotations

from typing import Optional

from gglift.config import Project

LAMBDA = "lambda"
# The shadow answer's code: the service is not there on that device (greengrasssdk raises
# ShadowError "returned error code 501 with message ...").
SHADOW_REFUSED = 501


class TargetError(Exception):
    """The project cannot start on its target device; the message says why and the fix."""


def check_start(project: Project) -> None:
    """Raise TargetError when a function of ``project`` cannot run on its target (C executables
    with ``target = "lambda"``)."""
    if project.target != LAMBDA:
        return
    from gglift.port.rules import executable_function, lambda_target_text

    refused = [f"GGL190 {fn.name}: {lambda_target_text(executable_function(fn.name))}"
               for fn in project.functions if fn.is_executable]
    if refused:
        raise TargetError("\n".join(refused))


def shadow_refusal(project: Project, function: str, subject: str) -> Optional[str]:
    """Why the target refuses ``function``'s shadow call on ``subject`` (None: it serves it)."""
    if project.target != LAMBDA:
        return None
    from gglift.port.rules import lambda_target_text, shadow_call

    parts = subject.split("/")
    thing = parts[2] if len(parts) > 2 else subject
    what = shadow_call(f"function {function}", thing)
    return f"GGL190: {lambda_target_text(what)}"
