"""``gglift package``: from a validated project to artifacts, recipes, requests and a deployment.

Everything is written under ``<project>/build/`` with atomic writes, so an interrupted run
never leaves a half-written file that looks complete.
"""

from __future__ import annotations

import base64
import json
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from gglift import storage
from gglift.config.model import Function, Project, Subscription
from gglift.package import requests, stream_manager
from gglift.package.artifact import Skipped, UnsafeEntry, write_zip
from gglift.package.recipe import ARTIFACT_NAME, render_recipe
from gglift.package.render import render
from gglift.package.sources import Requirements, imported_modules, read_requirements, requirement_name, source_entries
from gglift.package.vendor import Distribution, VendorError, vendor
from gglift.routes import Derived, effective_subscriptions
from gglift.storage import copy_file, write_text

GREENGRASSSDK = "greengrasssdk==1.6.1"
# Left out of the artifact when the ported code no longer imports them (the device has no use
# for the cloud SDK, and it is the largest thing in most Lambda zips).
CLOUD_SDK = {"boto3": ("boto3", "botocore", "s3transfer")}
EXECUTABLE_NOTE = (
    "Greengrass V2 cannot import C Lambda executables as Lambda components: the artifact and the "
    "V1-style create-function request are written, but there is no recipe and `gglift deploy` refuses it."
)


class PackageError(Exception):
    """The project cannot be packaged; the message says why and what to do."""


@dataclass
class FunctionOutput:
    function: Function
    artifact: Path
    sha256: str  # hex
    size: int
    s3_key: str
    lambda_arn: str  # the ARN the recipe and routes name (version 1 unless lambda_arn is set)
    distributions: list[Distribution] = field(default_factory=list)
    left_out: list[Distribution] = field(default_factory=list)
    cached: bool = True
    files: dict[str, Path] = field(default_factory=dict)  # outputs by kind
    cloud_sdk_note: str = ""  # set when the code still imports boto3 without requiring it
    skipped: list[Skipped] = field(default_factory=list)  # source files left out, with the reason
    entries: dict[str, Path] = field(default_factory=dict)  # the artifact's files: archive name -> path

    @property
    def digest(self) -> str:
        """base64 SHA-256, as the recipe's ``Digest`` and Lambda's ``CodeSha256`` spell it."""
        return base64.b64encode(bytes.fromhex(self.sha256)).decode()


@dataclass
class PackageResult:
    project: Project
    out_dir: Path
    functions: list[FunctionOutput]
    derived: Derived
    deployment: Path
    cloudformation: Optional[Path]  # None for target = "component"
    cli_command: str
    notes: list[str] = field(default_factory=list)
    subscriptions: tuple[Subscription, ...] = ()  # the routes deployed: explicit, else derived
    component: dict[str, Path] = field(default_factory=dict)  # target = "component": artifact, recipe_json, recipe_yaml
    stream_uses: tuple = ()  # stream_manager.Use: where the code uses stream manager


def package_project(
    project: Project,
    out_dir: Optional[Path] = None,
    target: Optional[requests.Target] = None,
    thing: Optional[str] = None,
    thing_group: Optional[str] = None,
    cache_dir: Optional[Path] = None,
    derive_with: Optional[Callable[[Project], Derived]] = None,
) -> PackageResult:
    """Build every output of ``project`` under ``out_dir`` (default ``<root>/build``)."""
    out_dir = out_dir or project.root / "build"
    target = target or requests.Target.default(project)
    cache_dir = cache_dir or storage.cache_dir()
    outputs = [_package_function(project, fn, out_dir, target, cache_dir) for fn in project.functions]
    if derive_with is None:
        from gglift.package.analysis_cache import cached_derive

        derived = cached_derive(project, cache_dir)
    else:
        derived = derive_with(project)
    subscriptions = effective_subscriptions(project, derive_with=lambda _: derived)
    target_arn = target.thing_arn(thing=thing or project.local.thing_name, group=thing_group)
    if project.target == "component":
        from gglift.package.component import package_component

        files, deployment_path = package_component(project, out_dir, outputs, subscriptions, derived, target, target_arn)
        notes = [o.cloud_sdk_note for o in outputs if o.cloud_sdk_note]
        return PackageResult(project, out_dir, outputs, derived, deployment_path, None, "", notes, subscriptions, files)
    versions = {o.function.name: o.lambda_arn.rsplit(":", 1)[1] for o in outputs}
    components = requests.deployment_components(project, subscriptions, derived, target, versions)
    stream_uses = stream_manager.find(project)
    components.update(stream_manager.deployment_component(stream_uses))
    deployment = requests.create_deployment(project, target_arn, components)
    deployment_path = out_dir / "deployment.json"
    write_text(deployment_path, _json(deployment))
    lambdas = [o for o in outputs if not o.function.is_executable]
    cfn_path = out_dir / "cloudformation.yaml"
    write_text(cfn_path, render("cloudformation.yaml.j2", **_cloudformation_values(lambdas, deployment)))
    command = _cli_command(lambdas)
    if lambdas:
        write_text(out_dir / "greengrass-cli" / "deploy.sh",
                   f"#!/bin/sh\n# Copy greengrass-cli/ to the device and run this from the folder holding it.\n{command}\n")
    notes = _lambda_target_notes(project, derived)
    notes.extend(f"{o.function.name}: {EXECUTABLE_NOTE}" for o in outputs if o.function.is_executable)
    notes.extend(o.cloud_sdk_note for o in outputs if o.cloud_sdk_note)
    notes.extend(f"{o.function.name}: skipped {s.path}: {s.reason}" for o in outputs for s in o.skipped)
    notes.extend(note for o in outputs for d in o.distributions + o.left_out for note in [d.refusal_note()] if note)
    return PackageResult(project, out_dir, outputs, derived, deployment_path, cfn_path, command, notes, subscriptions,
                         stream_uses=stream_uses)


def _lambda_target_notes(project: Project, derived: Derived) -> list[str]:
    """GGL190 for what the V2 Lambda launcher cannot run: V1 shadow calls, C executables."""
    from gglift.port.rules import executable_function, lambda_target_text, shadow_call

    shadows = [(item, item.value) for item in derived.items if item.kind == "shadow"]
    shadows += [(item, item.text) for item in derived.unresolved if item.kind == "shadow"]
    found = [(f"{item.path.name}:{item.line}", shadow_call(f"function {item.function}", thing))
             for item, thing in sorted(shadows, key=lambda pair: (str(pair[0].path), pair[0].line))]
    found += [(fn.name, executable_function(fn.name)) for fn in project.functions if fn.is_executable]
    return [f"GGL190 {where}: {lambda_target_text(what)}" for where, what in found]


def _package_function(project: Project, fn: Function, out_dir: Path, target: requests.Target, cache_dir: Path) -> FunctionOutput:
    fn_dir = out_dir / fn.name
    skipped: list[Skipped] = []
    if fn.is_executable:
        entries, executables, dists, left_out, cached = _executable_entries(fn), {fn.handler}, [], [], True
    else:
        imports = imported_modules(fn.source)
        entries, skipped, dists, left_out, cached = _python_entries(fn, imports, cache_dir)
        executables = set()
    artifact = fn_dir / ARTIFACT_NAME
    try:
        written = write_zip(artifact, entries, executables)
    except UnsafeEntry as exc:
        raise PackageError(f"function {fn.name!r}: {exc}") from None
    sha = written.sha256
    lambda_arn = fn.lambda_arn or target.function_arn(fn, "1")
    out = FunctionOutput(fn, artifact, sha, written.size, f"gglift/{fn.name}/{sha}.zip", lambda_arn, dists, left_out,
                         cached, skipped=skipped, entries=entries)
    if not fn.is_executable:
        out.cloud_sdk_note = _cloud_sdk_note(fn, imports, dists)
    if project.target == "component":  # the functions' files go into the host component's artifact
        return out
    out.files["artifact"] = artifact
    req_dir = fn_dir / "requests"
    bodies = {
        "create-function": requests.create_function(fn, target, out.s3_key),
        "update-function-code": requests.update_function_code(fn, target, out.s3_key),
        "publish-version": requests.publish_version(fn, out.digest),
    }
    if not fn.is_executable:
        bodies["create-component-version"] = requests.create_component_version(fn, lambda_arn)
        recipe_json, recipe_yaml = render_recipe(fn, lambda_arn, out.digest)
        write_text(fn_dir / "recipe.json", recipe_json)
        write_text(fn_dir / "recipe.yaml", recipe_yaml)
        out.files.update(recipe_json=fn_dir / "recipe.json", recipe_yaml=fn_dir / "recipe.yaml")
        # The greengrass-cli layout: recipes/<name>-<version>.yaml, artifacts/<name>/<version>/.
        local = out_dir / "greengrass-cli"
        name, version = fn.component.name, fn.component.version
        write_text(local / "recipes" / f"{name}-{version}.yaml", recipe_yaml)
        copy_file(artifact, local / "artifacts" / name / version / ARTIFACT_NAME)
    for kind, body in bodies.items():
        write_text(req_dir / f"{kind}.json", _json(body))
        out.files[kind] = req_dir / f"{kind}.json"
    return out


def vendored_requirements(fn: Function, imports: set[str]) -> Requirements:
    """The requirements the artifact vendors: the function's own, plus ``greengrasssdk`` when
    the code (whose top-level ``imports`` these are) imports it and they do not name it."""
    wanted = read_requirements(fn.requirements)
    if "greengrasssdk" in imports and "greengrasssdk" not in wanted.names():
        wanted = wanted.adding(GREENGRASSSDK)
    return wanted


def _python_entries(fn: Function, imports: set[str], cache_dir: Path):
    """``imports``: the top-level modules the function's code imports."""
    entries, skipped = source_entries(fn.source)
    wanted = vendored_requirements(fn, imports)
    if not wanted:
        return entries, skipped, [], [], True
    # Skip packages the code does not import any more (boto3 after the port).
    drop = {pkg for module, pkgs in CLOUD_SDK.items() if module not in imports and "botocore" not in imports for pkg in pkgs}
    try:
        trees = [vendor(wanted, platform, fn.runtime, cache_dir) for platform in fn.component.platforms]
    except VendorError as exc:
        raise exc.for_function(fn.name) from None
    first = trees[0]
    for platform, other in zip(fn.component.platforms[1:], trees[1:]):
        if {d.files for d in other.distributions} != {d.files for d in first.distributions}:
            raise PackageError(
                f"function {fn.name!r}: its requirements install different files for {platform.architecture} "
                f"than for {fn.component.platforms[0].architecture} (binary wheels), and a Lambda component has "
                "one artifact: package one component per architecture"
            )
    left_out = [d for d in first.distributions if requirement_name(d.name) in drop]
    kept = [d for d in first.distributions if d not in left_out]
    skipped_files = {f for d in left_out for f in d.files}
    vendored = {f: first.root / f for d in kept for f in d.files if f not in skipped_files}
    overlap = sorted(set(entries) & set(vendored))
    if overlap:
        raise PackageError(f"function {fn.name!r}: {overlap[0]} is both in the source folder and installed by a requirement")
    entries.update(vendored)
    return entries, skipped, kept, left_out, all(t.cached for t in trees)


def _cloud_sdk_note(fn: Function, imports: set[str], kept: list[Distribution]) -> str:
    """The cloud Lambda runtime ships boto3; a Greengrass device does not."""
    missing = sorted(m for m in ("boto3", "botocore") if m in imports and m not in {requirement_name(d.name) for d in kept})
    if not missing:
        return ""
    return (f"{fn.name}: the code still imports {' and '.join(missing)}, which the cloud Lambda runtime provides but a "
            f"Greengrass device does not: add {missing[0]} to the requirements, or port the remaining calls")


def _executable_entries(fn: Function) -> dict[str, Path]:
    binary = fn.source / fn.handler
    if not binary.is_file():
        raise PackageError(f"function {fn.name!r}: the executable {binary} does not exist; build it first (handler names the executable)")
    try:
        from gglift.native import library_path  # the C runtime, built by gglift's native package
    except ImportError:
        raise PackageError("the Greengrass Core SDK for C library is not available: gglift.native is not installed") from None
    library = Path(library_path())
    return {fn.handler: binary, library.name: library}


def _cloudformation_values(lambdas: list[FunctionOutput], deployment: dict) -> dict:
    from gglift.package.cloudformation import component_resource, deployment_resource

    resources = {f"Component{_logical_id(o.function.name)}{i}": component_resource(o.function, o.lambda_arn)
                 for i, o in enumerate(lambdas)}
    return {"resources": resources, "deployment": deployment_resource(deployment, sorted(resources))}


def _logical_id(name: str) -> str:
    return "".join(ch for ch in name.title() if ch.isalnum())


def _cli_command(lambdas: list[FunctionOutput]) -> str:
    """The on-device command, run from the folder that holds the copied ``greengrass-cli/``."""
    merges = " ".join(f"--merge {shlex.quote(o.function.component.name + '=' + o.function.component.version)}" for o in lambdas)
    return ('sudo /greengrass/v2/bin/greengrass-cli deployment create --recipeDir "$PWD/greengrass-cli/recipes" '
            f'--artifactDir "$PWD/greengrass-cli/artifacts" {merges}').rstrip()


def _json(value) -> str:
    return json.dumps(value, indent=2) + "\n"
