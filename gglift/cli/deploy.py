"""``gglift deploy``: ship a project to a Greengrass core device or a fleet."""

from __future__ import annotations

import json
import sys

import click

from gglift.cli.grammar import EXIT_FINDINGS, chosen_project, common_options, error, info, project_options, show_progress
from gglift.cli.project import CLOUD_SDK_NOTED, load_or_exit, vendor_failed, warn_missing_imports


@click.command()
@project_options
@common_options
@click.option("--thing", help="Deploy to this core device (an AWS IoT thing).")
@click.option("--thing-group", help="Deploy to every core device in this thing group (a fleet).")
@click.option("--dry-run", is_flag=True, help="Print every request and call nothing.")
@click.option("--region", help="AWS region [default: the AWS config's, else [local] region].")
@click.option("--profile", help="AWS CLI profile for credentials and region [default: $AWS_PROFILE, else default].")
@click.option("--bucket", help="Existing S3 bucket for the artifacts [default: gglift-artifacts-ACCOUNT-REGION].")
@click.option("--role", help="Lambda execution role ARN [default: arn:aws:iam::ACCOUNT:role/gglift-lambda].")
@click.option("--poll-interval", type=float, default=5.0, show_default=True, help="Seconds between status checks.")
@click.option("--wait", is_flag=True, help="Follow the deployment until every core device has run it (exit 1 if one failed).")
@click.option("--timeout", type=float, default=600.0, show_default=True, help="Longest wait for one step, in seconds.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="stdout: readable progress, or one JSON document (with --dry-run: every request).")
def deploy(project, project_option, thing, thing_group, dry_run, region, profile, bucket, role, poll_interval, wait, timeout, fmt):
    """Package the project, then create its Lambda versions, components and deployment.

    \b
    Steps: upload the artifact to S3, create or update the Lambda function,
    publish a version, import it with create-component-version, wait until
    DEPLOYABLE, create the deployment. Completed steps are recorded in
    build/deploy-state.json: after a failure, run the same command again
    and it continues from the failed step.

    \b
    Examples:
      gglift deploy --thing-group Fleet --dry-run
      gglift deploy examples/cloud_lambda --thing my-core --region eu-west-1
      gglift deploy --thing-group Fleet --dry-run --format json > requests.json
      gglift deploy --thing my-core --wait         until the device has run it

    Exit codes: 0 deployed (or printed, with --dry-run), 1 a step failed or the
    project has executables, 2 usage error or invalid config.
    """
    from gglift.deploy import EXECUTABLE_REFUSAL, Clients, DeployError, Deployer, DeployState, STATE_NAME
    from gglift.deploy.errors import describe
    from gglift.package import PackageError, package_project
    from gglift.package.report import warning_lines
    from gglift.package.requests import Target
    from gglift.package.sources import SourceError
    from gglift.package.vendor import VendorError

    if bool(thing) == bool(thing_group):
        raise click.UsageError("give exactly one of --thing NAME or --thing-group NAME")
    loaded = load_or_exit(chosen_project(project, project_option))
    executables = [fn.name for fn in loaded.functions if fn.is_executable]
    if executables and loaded.target == "lambda":  # the host component runs them
        error(EXECUTABLE_REFUSAL.format(name=executables[0]))
        sys.exit(EXIT_FINDINGS)
    clients, account = None, loaded.local.account
    if not dry_run:
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError, ProfileNotFound

        try:
            session = boto3.session.Session(profile_name=profile, region_name=region)
            if not session.region_name:  # neither --region nor the AWS config names one
                session = boto3.session.Session(profile_name=profile, region_name=loaded.local.region)
            region = session.region_name
            account = session.client("sts").get_caller_identity()["Account"]
        except ProfileNotFound:
            known = boto3.session.Session().available_profiles
            raise click.BadParameter(f"no AWS profile {profile!r} in the AWS config; profiles: {', '.join(sorted(known)) or 'none'}",
                                     param_hint="--profile") from None
        except (BotoCoreError, ClientError) as exc:
            message, hint = describe(exc)
            click.echo(f"step failed: find the AWS account\n  {message}" + (f"\n  hint: {hint}" if hint else ""), err=True)
            sys.exit(EXIT_FINDINGS)
        clients = Clients.from_session(session)
    show_progress()
    target = Target.default(loaded, region=region, account=account, bucket=bucket, role=role)
    try:
        result = package_project(loaded, target=target, thing=thing, thing_group=thing_group)
    except (PackageError, SourceError) as exc:
        error(str(exc))
        sys.exit(EXIT_FINDINGS)
    except VendorError as exc:
        vendor_failed(loaded, exc)
    for line in warning_lines(result):  # the same warnings `gglift package` prints
        info(line, err=True)
    warn_missing_imports(loaded, CLOUD_SDK_NOTED)
    as_json = fmt == "json"
    if dry_run and not as_json:
        info("dry run: these requests would be sent" + (" (Lambda versions assumed to be 1)" if loaded.target == "lambda" else "")
             + "; nothing is called")
    state = DeployState(result.out_dir / STATE_NAME, dry_run=dry_run)
    echo = info
    if as_json:  # stdout stays one document: a dry run's requests are in it, progress goes to stderr
        echo = (lambda line: None) if dry_run else (lambda line: info(line, err=True))
    deployer = Deployer(result, target, target.thing_arn(thing=thing, group=thing_group), clients, state,
                        echo=echo, dry_run=dry_run, poll_interval=poll_interval, timeout=timeout)
    try:
        outputs = deployer.run()
        if not dry_run:
            echo(f"deployment {outputs['deploymentId']} created for {deployer.target_arn}")
        devices = deployer.follow(outputs["deploymentId"]) if wait and not dry_run else None
    except DeployError as exc:
        click.echo(exc.text(), err=True)
        sys.exit(EXIT_FINDINGS)
    if as_json:
        document = {"dry_run": dry_run, "target": deployer.target_arn, "region": target.region, "account": target.account}
        document.update({"requests": deployer.planned} if dry_run else {"deploymentId": outputs["deploymentId"]})
        if devices is not None:
            document["devices"] = devices
        click.echo(json.dumps(document, indent=2))
