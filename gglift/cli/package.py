"""``gglift package``: build the components, recipes, requests and deployment of a project."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from gglift.cli.project import load_or_exit, vendor_failed


@click.command()
@click.argument("project", required=False, type=click.Path(exists=True, path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), help="Output folder [default: PROJECT/build].")
@click.option("--thing", help="Thing the deployment targets [default: [local] thing_name].")
@click.option("--thing-group", help="Thing group the deployment targets (a fleet).")
@click.option("--region", help="AWS region for ARNs [default: [local] region].")
@click.option("--account", help="AWS account id for ARNs [default: [local] account].")
@click.option("--bucket", help="S3 bucket for the artifacts [default: gglift-artifacts-ACCOUNT-REGION].")
@click.option("--role", help="Lambda execution role ARN [default: arn:aws:iam::ACCOUNT:role/gglift-lambda].")
@click.option("--check", is_flag=True, help="Only validate the config; write nothing.")
def package(project, out, thing, thing_group, region, account, bucket, role, check):
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

    Exit codes: 0 done, 1 a build step failed, 2 usage error or invalid config.
    """
    from gglift.package import PackageError, package_project
    from gglift.package.report import report_lines
    from gglift.package.requests import Target
    from gglift.package.sources import SourceError
    from gglift.package.vendor import VendorError

    if thing and thing_group:
        raise click.UsageError("give --thing or --thing-group, not both")
    loaded = load_or_exit(project)
    if check:
        click.echo(f"{loaded.config_path}: ok ({len(loaded.functions)} function(s))")
        return
    target = Target.default(loaded, region=region, account=account, bucket=bucket, role=role)
    try:
        result = package_project(loaded, out_dir=out, target=target, thing=thing, thing_group=thing_group)
    except (PackageError, SourceError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except VendorError as exc:
        vendor_failed(loaded, exc)
    for line in report_lines(result):
        click.echo(line)
