"""``target = "component"``: one generic component that runs the project on gglift's host.

Writes under ``build/component/``: ``gglift-component.zip`` (the host zipapp, the project's
description, every function's code with its requirements vendored, the C SDK library when a
function is an executable), ``recipe.json``/``recipe.yaml`` with a manifest for nucleus lite
and one for the nucleus, the ``create-component-version`` request, the ``greengrass-cli``
layout; and ``build/deployment.json``. Every file is byte-identical across rebuilds.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

from gglift.config.model import Project, Subscription
from gglift.host import description, zipapp
from gglift.package import requests
from gglift.package.access import access_control
from gglift.package.artifact import write_zip
from gglift.package.render import render
from gglift.routes import Derived
from gglift.storage import copy_file, write_bytes, write_text

ARTIFACT = "gglift-component"  # the zip's name without .zip: its folder once unarchived
HOST_MEMORY_KB = 16384  # the host process itself, on top of its workers
MIN_PYTHON = (3, 9)


def lifecycle(platform: str) -> str:
    """The ``run`` script: check python3, then exec the host for ``platform``."""
    root = "{artifacts:decompressedPath}/" + ARTIFACT
    version = ".".join(map(str, MIN_PYTHON))
    return (f"python3 -c 'import sys; sys.exit(sys.version_info < {MIN_PYTHON!r})' 2>/dev/null || "
            f"{{ echo 'gglift: this component needs python3 {version} or newer on the device (apt-get install python3)' >&2; exit 1; }}\n"
            f"GGLIFT_C_LIBRARY_DIR={root}/lib exec python3 {root}/{zipapp.NAME} --description {root}/project.json "
            f"--artifacts {root} --platform {platform} --state {{work:path}}\n")


def memory_kb(project: Project) -> int:
    """``systemResourceLimits.memory``: one worker of each function at its limit, plus the host."""
    return HOST_MEMORY_KB + sum(fn.linuxProcessParams.containerParams.memorySizeInKB for fn in project.functions)


def artifact_uri(project: Project, target: requests.Target) -> str:
    """Where the artifact goes in S3 (a local deployment finds it by file name instead)."""
    spec = project.functions[0].component
    return f"s3://{target.bucket}/gglift/{spec.name}/{spec.version}/{ARTIFACT}.zip"


def recipe(project: Project, access: dict, uri: str, digest: str) -> dict:
    first = project.functions[0].component
    artifact = {"Uri": uri, "Digest": digest, "Algorithm": "SHA-256", "Unarchive": "ZIP",
                "Permission": {"Read": "OWNER", "Execute": "OWNER"}}
    return {
        "RecipeFormatVersion": "2020-01-25",
        "ComponentName": first.name,
        "ComponentVersion": first.version,
        "ComponentType": "aws.greengrass.generic",
        "ComponentDescription": f"gglift host running {', '.join(fn.name for fn in project.functions)}",
        "ComponentPublisher": "gglift",
        "ComponentConfiguration": {"DefaultConfiguration": {"accessControl": access}},
        "Manifests": [
            {"Platform": {"os": "linux", "runtime": "aws_nucleus_lite"},
             "Lifecycle": {"run": lifecycle(description.LITE)}, "Artifacts": [artifact]},
            {"Platform": {"os": "linux"},
             "Lifecycle": {"run": lifecycle(description.NUCLEUS)}, "Artifacts": [artifact]},
        ],
    }


def package_component(project: Project, out_dir: Path, outputs: list, subscriptions: tuple[Subscription, ...],
                      derived: Derived, target: requests.Target, target_arn: str) -> tuple[dict[str, Path], Path]:
    """Build the host component from the per-function ``outputs`` (their zip entries); returns
    its files (``artifact``, ``recipe_json``, ``recipe_yaml``) and the deployment's path."""
    comp_dir = out_dir / "component"
    spec = project.functions[0].component
    entries: dict[str, Path] = {}
    executables = set()
    for out in outputs:
        for name, path in out.entries.items():
            entries[f"functions/{out.function.name}/{name}"] = path
        if out.function.is_executable:
            executables.add(f"functions/{out.function.name}/{out.function.handler}")
    library = [(n, p) for n, p in entries.items() if n.endswith("/libaws-greengrass-core-sdk-c.so")]
    for name, path in library:  # one copy, where the lifecycle points LD_LIBRARY_PATH
        del entries[name]
        entries[f"lib/{path.name}"] = path
    host = comp_dir / "work" / zipapp.NAME
    write_bytes(host, zipapp.build())
    sources = {o.function.name: f"functions/{o.function.name}" for o in outputs}
    document = description.describe(project, subscriptions, spec.name, sources)
    write_bytes(comp_dir / "work" / "project.json", description.dumps(document))
    entries[zipapp.NAME] = host
    entries["project.json"] = comp_dir / "work" / "project.json"
    artifact = comp_dir / f"{ARTIFACT}.zip"
    digest = base64.b64encode(bytes.fromhex(write_zip(artifact, entries, executables).sha256)).decode()
    body = recipe(project, access_control(project, subscriptions, derived, target, spec.name),
                  artifact_uri(project, target), digest)
    recipe_json = json.dumps(body, indent=2) + "\n"
    write_text(comp_dir / "recipe.json", recipe_json)
    recipe_yaml = render("component-recipe.yaml.j2", r=body)
    write_text(comp_dir / "recipe.yaml", recipe_yaml)
    write_text(comp_dir / "requests" / "create-component-version.json",
               json.dumps({"inlineRecipe": base64.b64encode(recipe_json.encode()).decode()}, indent=2) + "\n")
    local = out_dir / "greengrass-cli"
    write_text(local / "recipes" / f"{spec.name}-{spec.version}.yaml", recipe_yaml)
    copy_file(artifact, local / "artifacts" / spec.name / spec.version / f"{ARTIFACT}.zip")
    components = {spec.name: {"componentVersion": spec.version,
                              "runWith": {"systemResourceLimits": {"memory": memory_kb(project)}}}}
    components.update(requests.secret_manager_component(derived, target))
    # shadow sync: on the nucleus ShadowManager syncs; on nucleus lite the host does
    components.update(requests.shadow_manager_component(derived, project.shadow_sync))
    deployment = requests.create_deployment(project, target_arn, components)
    path = out_dir / "deployment.json"
    write_text(path, json.dumps(deployment, indent=2) + "\n")
    files = {"artifact": artifact, "recipe_json": comp_dir / "recipe.json",
             "recipe_yaml": comp_dir / "recipe.yaml"}
    return files, path
