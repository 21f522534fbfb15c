"""``gglift migrate``: the command line over :mod:`gglift.migrate`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import click

from gglift.cli.grammar import error
from gglift.migrate.codes import CODES, explain

EPILOG = """\b
Examples:
  gglift migrate v1-export/ --out my-project           AWS CLI exports (group.json, functions.json, ...)
  gglift migrate group.yaml --out my-project           a CloudFormation template
  gglift migrate v1-export/ --out p --fetch-code       download missing code (lambda get-function)
  gglift migrate --explain GGM102

\b
Exit codes: 0 migrated, 1 migrated but something could not move (error items),
2 bad input or usage (nothing written).
"""


@click.command(epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("source", required=False, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), help="Project folder to write [default: SOURCE's name + '-gglift'].")
@click.option("--force", is_flag=True, help="Replace --out if it exists.")
@click.option("--fetch-code", is_flag=True, help="Download code the export lacks from the Lambda version in its ARN.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Report format on stdout.")
@click.option("--region", default=None, help="AWS::Region for a template's pseudo parameters [default: us-east-1].")
@click.option("--account", default=None, help="AWS::AccountId for a template's pseudo parameters [default: 000000000000].")
@click.option("--explain", "explain_code", metavar="CODE", help="Explain a report code and exit.")
def migrate(source: Optional[Path], out: Optional[Path], force: bool, fetch_code: bool, fmt: str,
            region: Optional[str], account: Optional[str], explain_code: Optional[str]) -> None:
    """Turn a saved Greengrass V1 group (SOURCE) into a gglift project.

    SOURCE is a folder of AWS CLI exports, recognised by their shapes (get-group-version,
    get-*-definition-version, lambda get-function outputs and lambda-code/<name>/), or a
    CloudFormation template (JSON or YAML) declaring AWS::Greengrass::* resources. The
    project (gglift.toml with target = "component", functions/<name>/ and
    migration-report.json) is written all at once; the same input gives the same bytes.
    """
    if explain_code is not None:
        if explain_code.upper() not in CODES:
            raise click.BadParameter(f"unknown code {explain_code!r}; known codes: {', '.join(CODES)}", param_hint="--explain")
        click.echo(explain(explain_code), nl=False)
        return
    if source is None:
        raise click.UsageError("no SOURCE given (try: gglift migrate v1-export/ --out my-project)")
    from gglift.config.model import DEFAULT_ACCOUNT, DEFAULT_REGION
    from gglift.migrate import MigrateError, plan_migration
    from gglift.migrate.output import refuse_existing, write_project
    from gglift.migrate.report import to_json, to_text

    out = out or source.resolve().parent / f"{source.resolve().stem}-gglift"
    try:
        refuse_existing(out, force)  # before any work
        plan = plan_migration(source, fetch_code=fetch_code, region=region or DEFAULT_REGION, account=account or DEFAULT_ACCOUNT)
        write_project(out, plan.files, force=force)
    except MigrateError as exc:
        error(str(exc))
        sys.exit(2)
    except OSError as exc:
        error(f"cannot write {out}: {exc.strerror or exc}")
        sys.exit(2)
    click.echo(to_json(plan.report) if fmt == "json" else to_text(plan.report) + f"wrote {out}\n", nl=False)
    sys.exit(plan.report.exit_code())
