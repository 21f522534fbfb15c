"""The ``gglift`` command line.

Subcommands live in their own modules and are imported only when they run, so
``gglift --help`` and the pre-commit hook stay fast.
"""

from __future__ import annotations

import importlib

import click

from gglift import __version__
from gglift.cli.grammar import EXIT_INTERRUPTED, common_options

# command name -> "module:attribute"; each module owns one command (or group).
COMMANDS = {
    "port": "gglift.cli.port:port",
    "init": "gglift.cli.init:init",
    "package": "gglift.cli.package:package",
    "deploy": "gglift.cli.deploy:deploy",
    "run": "gglift.cli.run:run",
    "invoke": "gglift.cli.invoke:invoke",
    "generate-event": "gglift.cli.generate_event:generate_event",
    "shadow": "gglift.cli.shadow:shadow",
    "native": "gglift.cli.native:native",
    "migrate": "gglift.cli.migrate:migrate",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        spec = COMMANDS.get(cmd_name)
        if spec is None:
            return None
        module_name, attr = spec.split(":")
        return getattr(importlib.import_module(module_name), attr)

    def invoke(self, ctx: click.Context):
        """Run the command; Ctrl-C anywhere exits with 130 (click's own handling says 1)."""
        try:
            return super().invoke(ctx)
        except (KeyboardInterrupt, click.Abort):
            click.echo("interrupted", err=True)
            ctx.exit(EXIT_INTERRUPTED)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gglift")
@common_options
def main() -> None:
    """Take AWS Lambda functions from the cloud to AWS IoT Greengrass devices.

    \b
    Typical flow:
      gglift port src/            rewrite boto3 cloud calls to greengrasssdk
      gglift package              build the component, recipe and deployment
      gglift run --events ev.jsonl --until-idle
                                  run the functions on a local Greengrass core
      gglift deploy --thing-group Fleet
                                  ship it to a device or a fleet

    Every command finds the project from the current folder upwards, takes -q/-v and
    --color anywhere, and exits 0 ok, 1 findings or a failed step, 2 usage or config
    error, 3 a function error (invoke), 130 interrupted (docs/cli.md).
    """
