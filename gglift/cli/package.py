"""``gglift package``: build the components, recipes, requests and deployment of a project."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from gglift.cli.grammar import EXIT_FINDINGS, chosen_project, common_options, error, info, project_options, show_progress
from gglift.cli.project import CLOUD_SDK_NOTED, load_or_exit, vendor_failed, warn_missing_imports


@click.command()
@project_options
@common_options
@click.option("--out", type=click.Path(path_type=Path), help="Output folder [default: PROJECT/build].")
@click.option("--thing", help="Thing the deployment targets [default: [local] thing_name].")
@click.option("--thing-group", help="Thing group the deployment targets (a fleet).")
@click.option("--region", help="AWS region for ARNs [default: [local] region].")
@click.option("--account", help="AWS account id for ARNs [default: [local] account].")
@click.option("--bucket", help="S3 bucket for the artifacts [default: gglift-artifacts-ACCOUNT-REGION].")
@click.option("--role", help="Lambda execution role ARN [default: arn:aws:iam::ACCOUNT:role/gglift-lambda].")
@click.option("--check", is_flag=True, help="Only validate the config and what it names on disk; write nothing.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="The report on stdout: readable lines or one JSON document.")
def package(project, project_option, out, thing, thing_group, region, account, bucket, role, check, fmt):
    """Validate the config, then build each function's artifact, recipe and requests.

    \b
    Writes under build/:
      <function>/lambda-artifact.zip      deterministic zip, requirements vendored
      <function>/recipe.json, .yaml       the recipe Greengrass generates for it
      <function>/requests/*.json          for `aws ... --cli-input-json file://...`
      greengrass-cli/                     recipes/ and artifacts/ for a local deployment
      deployment.json                     create-deployment with derived subscriptions
      cloudformation.yaml                 ComponentVersion + Deployment resources

    \b
    Examples:
      gglift package
      gglift package examples/cloud_lambda --thing-group Fleet
      gglift package --check
      gglift package --format json | jq .functions[0].artifact

    Exit codes: 0 done, 1 a build step failed, 2 usage error or invalid config
    (including a requirement with no wheel for a device's platform).
    """
    from gglift.package import PackageError, package_project
    from gglift.package.report import report_data, report_lines
    from gglift.package.requests import Target
    from gglift.package.sources import SourceError
    from gglift.package.vendor import VendorError

    if thing and thing_group:
        raise click.UsageError("give --thing or --thing-group, not both")
    loaded = load_or_exit(chosen_project(project, project_option))
    if check:
        warn_missing_imports(loaded)
        if fmt == "json":
            click.echo(json.dumps({"config": str(loaded.config_path), "ok": True, "functions": [fn.name for fn in loaded.functions]}))
        else:
            info(f"{loaded.config_path}: ok ({len(loaded.functions)} function(s))")
        return
    show_progress()
    target = Target.default(loaded, region=region, account=account, bucket=bucket, role=role)
    try:
        result = package_project(loaded, out_dir=out, target=target, thing=thing, thing_group=thing_group)
    except (PackageError, SourceError) as exc:
        error(str(exc))
        sys.exit(EXIT_FINDINGS)
    except VendorError as exc:
        vendor_failed(loaded, exc)
    warn_missing_imports(loaded, CLOUD_SDK_NOTED)
    if fmt == "json":
        click.echo(json.dumps(report_data(result), indent=2))
        return
    for line in report_lines(result):
        info(line)
