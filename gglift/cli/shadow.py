"""``gglift shadow``: read and seed the local shadows ``gglift run`` serves to functions."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import click

from gglift.cli.grammar import EXIT_FINDINGS, EXIT_USAGE, chosen_project, common_options, error, project_options
from gglift.cli.project import load_or_exit

THING = click.option("--thing", help="The thing whose shadow to use [default: [local] thing_name].")


def _store_call(project: Optional[Path], project_option: Optional[Path], thing: Optional[str], operation: str, *args) -> None:
    from gglift.runtime.shadow import ShadowError, ShadowStore

    loaded = load_or_exit(chosen_project(project, project_option))
    state_dir = loaded.local.state_dir or loaded.root / ".gglift"
    store = ShadowStore(state_dir / "shadows.sqlite")
    try:
        answer = getattr(store, operation)(thing or loaded.local.thing_name, *args)
    except ShadowError as exc:
        error(f"{exc.message} (code {exc.code})")
        sys.exit(EXIT_USAGE if exc.code == 400 else EXIT_FINDINGS)
    finally:
        store.close()
    answer.pop("_delta", None)
    click.echo(json.dumps(answer, indent=2, sort_keys=True))


@click.group()
@common_options
def shadow() -> None:
    """Read and seed the local shadows that `gglift run` and `gglift invoke` serve.

    They live in [local] state_dir (default .gglift/shadows.sqlite) and outlive the core, so a
    shadow seeded here is what the functions read on the next run.

    \b
    Examples:
      gglift shadow get                                  the [local] thing's shadow
      gglift shadow update --thing sensor-1 --state '{"desired": {"interval": 30}}'
      gglift shadow delete --thing sensor-1 -p examples/shadow

    Exit codes: 0 done, 1 no such shadow or a version conflict, 2 usage, config or invalid document.
    """


def _read_or_delete(operation: str, summary: str) -> click.Command:
    """``get`` and ``delete``: the thing's shadow, nothing more to say."""

    @shadow.command(operation, help=summary)
    @project_options
    @common_options
    @THING
    def command(project, project_option, thing) -> None:
        _store_call(project, project_option, thing, operation)

    return command


get = _read_or_delete("get", "Print the shadow document (state, metadata, version).")
delete = _read_or_delete("delete", "Delete the shadow (its version carries on if it comes back).")


@shadow.command()
@project_options
@common_options
@THING
@click.option("--state", required=True, metavar="JSON", help='The change, e.g. \'{"desired": {"interval": 30}}\'.')
@click.option("--version", "expected", type=int, help="Refuse the update unless the shadow is at this version.")
def update(project, project_option, thing, state: str, expected: Optional[int]) -> None:
    """Merge --state into the shadow, as an update request on the device would."""
    try:
        change = json.loads(state)
    except ValueError as exc:
        raise click.BadParameter(f"not JSON ({exc})", param_hint="--state") from None
    request = {"state": change, **({"version": expected} if expected is not None else {})}
    _store_call(project, project_option, thing, "update", json.dumps(request).encode())
