"""``gglift deploy``: upload, create or update the Lambda function, publish a version, import it
as a component, wait for ``DEPLOYABLE``, then create the deployment.

Every step is recorded in ``build/deploy-state.json`` when it succeeds, and most also check
what already exists in AWS, so running the command again after a failure continues from the
failed step instead of creating things twice.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional

from gglift.deploy.errors import DeployError, describe
from gglift.deploy.state import DeployState
from gglift.package import requests
from gglift.package.build import FunctionOutput, PackageResult
from gglift.package.vendor import PROGRESS

EXECUTABLE_REFUSAL = (
    "function {name!r} is a C Lambda executable: Greengrass V2 cannot import executables as Lambda "
    "components (create-component-version accepts only Lambda runtimes), so gglift deploy does not ship it. "
    "gglift package still builds its artifact and the V1-style create-function request."
)


@dataclass
class Clients:
    """The boto3 clients deploy uses (injected in tests, with Stubber or moto behind them)."""

    s3: Any
    lambda_: Any
    greengrassv2: Any
    iot: Any

    @classmethod
    def from_session(cls, session) -> "Clients":
        return cls(session.client("s3"), session.client("lambda"), session.client("greengrassv2"), session.client("iot"))


# A core device's result for a deployment (EffectiveDeploymentExecutionStatus).
DEVICE_DONE = frozenset({"SUCCEEDED", "COMPLETED"})
DEVICE_FAILED = frozenset({"FAILED", "TIMED_OUT", "CANCELED", "REJECTED"})
DEVICE_LOG_HINT = ("on the device, read /greengrass/v2/logs/greengrass.log and the component's own log in "
                   "/greengrass/v2/logs/; fix the cause and deploy again")


class Deployer:
    """Runs the deploy steps for a packaged project against ``target_arn``.

    ``poll_interval``/``timeout`` bound the waits (Lambda update, component import);
    ``sleep`` is injectable so tests never wait.
    """

    def __init__(self, result: PackageResult, target: requests.Target, target_arn: str, clients: Optional[Clients],
                 state: DeployState, echo: Callable[[str], None] = print, dry_run: bool = False,
                 poll_interval: float = 5.0, timeout: float = 600.0, sleep: Callable[[float], None] = time.sleep):
        self.result = result
        self.target = target
        self.target_arn = target_arn
        self.clients = clients
        self.state = state
        self.echo = echo
        self.dry_run = dry_run
        self.poll_interval = poll_interval
        self.timeout = timeout
        self.sleep = sleep
        self.planned: list[dict] = []  # with dry_run: every request, in order, as data

    # -- the flow ---------------------------------------------------------------------------------
    def run(self) -> dict:
        """Deploy; returns the ``create_deployment`` outputs (``{"deploymentId": ...}``)."""
        if self.result.component:
            return self.run_component()
        for out in self.result.functions:
            if out.function.is_executable:
                raise DeployError("check the project", EXECUTABLE_REFUSAL.format(name=out.function.name), None, [])
        self.check_target()
        versions = {}
        for out in self.result.functions:
            self.upload(out)
            self.put_function(out)
            versions[out.function.name] = self.publish(out)["version"]
            self.import_component(out, versions[out.function.name])
        return self.deploy(versions)

    def run_component(self) -> dict:
        """``target = "component"``: upload the host component's artifact, create the component
        from its recipe, wait for ``DEPLOYABLE``, create the deployment; no Lambda function."""
        self.check_target()
        files = self.result.component
        recipe_json = files["recipe_json"].read_bytes()
        recipe = json.loads(recipe_json)
        bucket, _, key = recipe["Manifests"][0]["Artifacts"][0]["Uri"][len("s3://"):].partition("/")
        name, version = recipe["ComponentName"], recipe["ComponentVersion"]
        self._upload(files["artifact"], bucket, key, f"component {name} artifact")

        def action():
            return self._create_component(name, version, {"inlineRecipe": recipe_json},
                                          lambda arn: self._check_existing_recipe(arn, recipe))

        digest = _digest(recipe)
        self._step(f"component:{name}:{version}:{digest}", f"create component {name} {version} from its recipe",
                   [("greengrassv2", "create_component_version", {"inlineRecipe": f"<{files['recipe_json']}>"})], action)
        return self._create_deployment(json.loads(self.result.deployment.read_text()))

    def _check_existing_recipe(self, arn: str, recipe: dict) -> None:
        """A component version that exists already is ours only if its recipe is the same."""
        current = json.loads(self.clients.greengrassv2.get_component(arn=arn, recipeOutputFormat="JSON")["recipe"])
        if current != recipe:
            raise DeployError(f"create component {arn}", f"component version {arn} already exists with another recipe",
                              "component versions are immutable: raise component.version in gglift.toml to ship the new code",
                              self._created())

    def check_target(self) -> None:
        """Fail before creating anything when the thing or thing group does not exist."""
        kind, name = self.target_arn.rsplit(":", 1)[1].split("/", 1)
        call = ("describe_thing_group", {"thingGroupName": name}) if kind == "thinggroup" else ("describe_thing", {"thingName": name})
        if self.dry_run:
            self._plan("check that the target exists", "iot", *call)
            return
        iot = self.clients.iot
        try:
            getattr(iot, call[0])(**call[1])
        except iot.exceptions.ResourceNotFoundException:
            create = f"aws iot create-thing-group --thing-group-name {name}" if kind == "thinggroup" else f"aws iot create-thing --thing-name {name}"
            raise DeployError(f"check {self.target_arn}", f"there is no {'thing group' if kind == 'thinggroup' else 'thing'} {name!r} in {self.target.region}",
                              f"check the name and --region, or create it: {create} (a core device registers its own thing)", self._created()) from None
        except Exception as exc:  # noqa: BLE001 - AWS failures become a step failure
            if not self._is_aws_error(exc):
                raise
            message, hint = describe(exc)
            raise DeployError(f"check {self.target_arn}", message, hint, self._created()) from exc

    def upload(self, out: FunctionOutput) -> dict:
        return self._upload(out.artifact, self.target.bucket, out.s3_key, f"{out.function.name} artifact")

    def _upload(self, path, bucket: str, key: str, label: str) -> dict:
        def action():
            try:
                self.clients.s3.head_object(Bucket=bucket, Key=key)
                return {"created": f"s3://{bucket}/{key} (already there)"}
            except self._client_error() as exc:
                if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchKey", "NotFound"):
                    raise
            self.clients.s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes())
            return {"created": f"s3://{bucket}/{key}"}

        request = {"Bucket": bucket, "Key": key, "Body": f"<{path}, {path.stat().st_size} bytes>"}
        return self._step(f"upload:{bucket}:{key}", f"upload {label} to s3://{bucket}/{key}",
                          [("s3", "put_object", request)], action)

    def put_function(self, out: FunctionOutput) -> dict:
        fn = out.function
        create = requests.create_function(fn, self.target, out.s3_key)
        update = requests.update_function_code(fn, self.target, out.s3_key)
        config = requests.function_configuration(fn, self.target)

        def action():
            lam = self.clients.lambda_
            try:
                current = lam.get_function(FunctionName=fn.name)["Configuration"]
            except lam.exceptions.ResourceNotFoundException:
                lam.create_function(**create)
                self._wait_for_function(fn.name)
                return {"created": f"Lambda function {fn.name} (created)"}
            changed = []
            if current.get("CodeSha256") != out.digest:
                lam.update_function_code(**update)
                self._wait_for_function(fn.name)  # Lambda refuses a second update while one runs
                changed.append("code")
            if not requests.configuration_matches(current, config):
                lam.update_function_configuration(**config)
                self._wait_for_function(fn.name)
                changed.append("configuration")
            return {"created": f"Lambda function {fn.name} ({' and '.join(changed) + ' updated' if changed else 'unchanged'})"}

        return self._step(f"function:{fn.name}:{out.sha256}:{_digest(config)}", f"create or update Lambda function {fn.name}",
                          [("lambda", "create_function (or update_function_code when it exists)", create),
                           ("lambda", "update_function_code", update),
                           ("lambda", "update_function_configuration (when it differs)", config)], action)

    def publish(self, out: FunctionOutput) -> dict:
        fn = out.function
        body = requests.publish_version(fn, out.digest)
        config = requests.function_configuration(fn, self.target)

        def action():
            # A version of exactly this code and configuration may exist from an earlier,
            # interrupted run: reuse it rather than publish a twin.
            pages = self.clients.lambda_.get_paginator("list_versions_by_function").paginate(FunctionName=fn.name)
            same = [int(v["Version"]) for page in pages for v in page["Versions"]
                    if v["Version"] != "$LATEST" and v.get("CodeSha256") == out.digest and requests.configuration_matches(v, config)]
            if same:
                version = str(max(same))
                return {"version": version, "created": f"Lambda version {self.target.function_arn(fn, version)} (already published)"}
            version = self.clients.lambda_.publish_version(**body)["Version"]
            return {"version": version, "created": f"Lambda version {self.target.function_arn(fn, version)}"}

        return self._step(f"version:{fn.name}:{out.sha256}:{_digest(config)}", f"publish a version of {fn.name}",
                          [("lambda", "publish_version", body)], action, dry_outputs={"version": "1"})

    def import_component(self, out: FunctionOutput, version: str) -> dict:
        fn = out.function
        lambda_arn = self.target.function_arn(fn, version)
        body = requests.create_component_version(fn, lambda_arn)
        name, cversion = fn.component.name, fn.component.version

        def action():
            return self._create_component(name, cversion, body, lambda arn: self._check_existing_component(arn, lambda_arn))

        return self._step(f"component:{name}:{cversion}:{lambda_arn}", f"import {lambda_arn} as component {name} {cversion}",
                          [("greengrassv2", "create_component_version", body)], action)

    def deploy(self, versions: Mapping[str, str]) -> dict:
        project = self.result.project
        components = requests.deployment_components(project, self.result.subscriptions, self.result.derived, self.target, versions)
        return self._create_deployment(requests.create_deployment(project, self.target_arn, components))

    def _create_deployment(self, body: dict) -> dict:
        """The ``create_deployment`` step for ``body``, keyed by its content."""

        def action():
            made = self.clients.greengrassv2.create_deployment(**body)
            return {"deploymentId": made["deploymentId"], "created": f"deployment {made['deploymentId']} to {self.target_arn}"}

        return self._step(f"deployment:{_digest(body)}", f"create deployment to {self.target_arn}",
                          [("greengrassv2", "create_deployment", body)], action, dry_outputs={"deploymentId": "(dry run)"})

    def _create_component(self, name: str, version: str, body: dict, check_existing: Callable[[str], None]) -> dict:
        """Create component ``name`` ``version`` from ``body`` and wait until it is deployable; a
        version that exists already is taken once ``check_existing(arn)`` accepts it."""
        gg = self.clients.greengrassv2
        arn = f"arn:aws:greengrass:{self.target.region}:{self.target.account}:components:{name}:versions:{version}"
        try:
            made = gg.create_component_version(**body)["arn"]
        except gg.exceptions.ConflictException:
            check_existing(arn)
            made = arn
        self._wait_for_component(made)
        return {"arn": made, "created": f"component {name} {version} ({made})"}

    def follow(self, deployment_id: str) -> dict[str, str]:
        """Wait until every core device of the target has run the deployment; returns each
        device's final status. A device that failed (or timed out, or rejected it) is a step
        failure with the reason Greengrass gives."""
        kind, name = self.target_arn.rsplit(":", 1)[1].split("/", 1)
        gg = self.clients.greengrassv2
        if kind == "thinggroup":
            pages = gg.get_paginator("list_core_devices").paginate(thingGroupArn=self.target_arn)
            devices = [d["coreDeviceThingName"] for page in pages for d in page["coreDevices"]]
        else:
            devices = [name]
        final: dict[str, str] = {}
        for _ in self._polls(f"deployment {deployment_id} on {len(devices)} core device(s)"):
            for device in [d for d in devices if d not in final]:
                found = self._effective(device, deployment_id)
                status = found.get("coreDeviceExecutionStatus", "QUEUED")
                if status in DEVICE_FAILED:
                    title = f"deployment {deployment_id} on {device}"
                    reason = found.get("reason") or "no reason given"
                    raise DeployError(title, f"{status}: {reason}", DEVICE_LOG_HINT, self._created())
                if status in DEVICE_DONE:
                    final[device] = status
                    self.echo(f"{device}: {status}")
            if len(final) == len(devices):
                return final
        waiting = ", ".join(d for d in devices if d not in final)
        raise DeployError(f"wait for deployment {deployment_id}", f"{waiting} still running it after {self.timeout:.0f} s",
                          "follow it in the Greengrass console, or run `aws greengrassv2 list-effective-deployments "
                          f"--core-device-thing-name {waiting.split(', ')[0]}`", self._created())

    def _effective(self, device: str, deployment_id: str) -> dict:
        pages = self.clients.greengrassv2.get_paginator("list_effective_deployments").paginate(coreDeviceThingName=device)
        return next((d for page in pages for d in page["effectiveDeployments"] if d["deploymentId"] == deployment_id), {})

    # -- helpers ----------------------------------------------------------------------------------
    def _step(self, step_id: str, title: str, calls: list, action: Callable[[], dict], dry_outputs: Optional[dict] = None) -> dict:
        # Steps done in another account or region are not done here.
        step_id = f"{self.target.account}:{self.target.region}:{step_id}"
        done = self.state.done(step_id)
        if done is not None:
            self.echo(f"already done: {title}")
            return done
        if self.dry_run:
            for service, operation, body in calls:
                self._plan(title, service, operation, body)
            return dict(dry_outputs or {})
        try:
            outputs = action()
        except DeployError:
            raise
        except Exception as exc:  # noqa: BLE001 - every AWS or network failure becomes a step failure
            if not self._is_aws_error(exc):
                raise
            message, hint = describe(exc)
            raise DeployError(title, message, hint, self._created()) from exc
        self.state.record(step_id, outputs)
        self.echo(f"done: {title}")
        return outputs

    def _plan(self, title: str, service: str, operation: str, body: dict) -> None:
        """A request a dry run would send: echoed as text and kept in ``planned``."""
        self.planned.append({"step": title, "service": service, "operation": operation, "request": body})
        self.echo(f"# {title}\n{service}.{operation}\n{json.dumps(body, indent=2)}")

    def _created(self) -> list[str]:
        return [outputs["created"] for outputs in self.state.steps.values() if "created" in outputs]

    def _wait_for_function(self, name: str) -> None:
        """Lambda refuses publish_version while an update is in progress."""
        lam = self.clients.lambda_
        for _ in self._polls(f"Lambda function {name} to be active"):
            config = lam.get_function_configuration(FunctionName=name)
            state, update = config.get("State", "Active"), config.get("LastUpdateStatus", "Successful")
            if state == "Failed" or update == "Failed":
                reason = config.get("LastUpdateStatusReason") or config.get("StateReason") or "no reason given"
                raise DeployError(f"create or update Lambda function {name}", f"Lambda reports the function Failed: {reason}", None, self._created())
            if state == "Active" and update == "Successful":
                return
        raise DeployError(f"wait for Lambda function {name}", f"still not active after {self.timeout:.0f} s",
                          "run the same command again to keep waiting", self._created())

    def _wait_for_component(self, arn: str) -> None:
        gg = self.clients.greengrassv2
        for _ in self._polls(f"component {arn} to be DEPLOYABLE"):
            status = gg.describe_component(arn=arn)["status"]
            state = status.get("componentState")
            if state == "DEPLOYABLE":
                return
            if state == "FAILED":
                errors = "; ".join(f"{k}: {v}" for k, v in sorted(status.get("errors", {}).items()))
                message = f"the component import FAILED: {status.get('message', '')}" + (f" ({errors})" if errors else "")
                raise DeployError(f"import component {arn}", message,
                                  "fix the cause, bump component.version (a failed version cannot be reused) and run again",
                                  self._created())
        raise DeployError(f"wait for component {arn}", f"still not DEPLOYABLE after {self.timeout:.0f} s",
                          "run the same command again to keep waiting", self._created())

    def _check_existing_component(self, arn: str, lambda_arn: str) -> None:
        """A component version that exists already is ours only if it imports the same Lambda version."""
        recipe = json.loads(self.clients.greengrassv2.get_component(arn=arn, recipeOutputFormat="JSON")["recipe"])
        if recipe.get("ComponentSource") != lambda_arn:
            raise DeployError(
                f"import {lambda_arn}", f"component version {arn} already exists and imports {recipe.get('ComponentSource')}",
                "component versions are immutable: raise component.version in gglift.toml to ship the new code", self._created())

    def _polls(self, what: str):
        waited = 0.0
        while waited <= self.timeout:
            if waited:
                PROGRESS.info("waiting for %s: %.0f s (at most %.0f s)", what, waited, self.timeout)
            yield waited
            self.sleep(self.poll_interval)
            waited += self.poll_interval

    @staticmethod
    def _client_error():
        from botocore.exceptions import ClientError

        return ClientError

    @staticmethod
    def _is_aws_error(exc: Exception) -> bool:
        from botocore.exceptions import BotoCoreError, ClientError

        return isinstance(exc, (BotoCoreError, ClientError))


def _digest(body: dict) -> str:
    """A stable short hash of a request body, for step ids."""
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]
