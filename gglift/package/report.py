"""The human-readable report of ``gglift package``: sizes, derived items, outputs."""

from __future__ import annotations

from pathlib import Path

from gglift.package import stream_manager
from gglift.package.build import PackageResult


def size(n: int) -> str:
    """``1536`` -> ``1.5 KB``."""
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / (1024 * 1024):.1f} MB"


def report_lines(result: PackageResult, cwd: Path | None = None) -> list[str]:
    """The package report, one line per fact."""
    rel = _relative_to(cwd or Path.cwd())
    lines = []
    if result.component:
        artifact = result.component["artifact"]
        spec = result.project.functions[0].component
        lines.append(f"component {spec.name} {spec.version} (gglift host, for the nucleus and nucleus lite): "
                     f"{rel(artifact)} ({size(artifact.stat().st_size)})")
        lines.extend(f"  recipe: {rel(result.component[kind])}" for kind in ("recipe_json", "recipe_yaml"))
    for out in result.functions:
        fn = out.function
        if not (out.distributions or out.left_out):
            state = "no requirements"
        else:
            state = "cached requirements" if out.cached else "requirements installed"
        where = f"functions/{fn.name}/ in the component" if result.component else rel(out.artifact)
        lines.append(f"{fn.name}: {where} (zip {size(out.size)}, sha256 {out.sha256[:12]}, {state})")
        for dist in out.distributions:
            lines.append(f"  {dist.name} {dist.version}: {size(dist.size)} installed")
        for dist in out.left_out:
            lines.append(f"  left out {dist.name} {dist.version} ({size(dist.size)}): the code does not import it")
        for kind in ("recipe_json", "recipe_yaml"):
            if kind in out.files:
                lines.append(f"  recipe: {rel(out.files[kind])}")
    derived = result.derived
    if result.project.subscriptions is not None:
        lines.append("subscriptions: the [[subscription]] tables of the config (derived ones not used)")
        for sub in result.project.subscriptions:
            lines.append(f"  {sub.source} -> {sub.subject} -> {sub.target}")
    lines.append("derived from the code:" if derived.items else "derived from the code: nothing")
    for item in derived.items:
        where = f"{rel(item.path)}:{item.line}" if item.line else rel(item.path)  # line 0: declared in the config
        lines.append(f"  {item.kind:<12} {item.value}  ({where}, function {item.function})")
    lines.extend(unresolved_lines(result, rel))
    lines.extend(stream_manager.report_lines(result.stream_uses, rel))
    lines.append(f"deployment: {rel(result.deployment)}")
    if result.cloudformation is not None:
        lines.append(f"cloudformation: {rel(result.cloudformation)}")
    if result.component:
        spec = result.project.functions[0].component
        lines.append(f"local deployment: copy {rel(result.out_dir / 'greengrass-cli')} to the device, then run there:")
        lines.append(f"  sudo /greengrass/v2/bin/greengrass-cli deployment create --recipeDir \"$PWD/greengrass-cli/recipes\" "
                     f"--artifactDir \"$PWD/greengrass-cli/artifacts\" --merge {spec.name}={spec.version}")
    elif any("recipe_yaml" in o.files for o in result.functions):
        lines.append(f"local deployment: copy {rel(result.out_dir / 'greengrass-cli')} to the device, then run there:")
        lines.append(f"  {result.cli_command}")
    lines.extend(_note_lines(result))
    return lines


def _relative_to(cwd: Path):
    def rel(path: Path) -> str:
        try:
            return str(path.relative_to(cwd))
        except ValueError:
            return str(path)

    return rel


def _note_lines(result: PackageResult) -> list[str]:
    return [f"note: {note}" for note in result.notes]


def unresolved_lines(result: PackageResult, rel=str) -> list[str]:
    """Each item the deployment may lack because the code builds it at run time, with its fix."""
    lines = []
    for item in result.derived.unresolved:
        lines.append(f"  unresolved: {rel(item.path)}:{item.line}: {item.kind} {item.text} (function {item.function}) is not known until run time")
        if item.fix:
            lines.append(f"    fix: {item.fix}")
    return lines


def warning_lines(result: PackageResult, cwd: Path | None = None) -> list[str]:
    """What ``gglift deploy`` repeats from the package report: unresolved items and notes."""
    return unresolved_lines(result, _relative_to(cwd or Path.cwd())) + _note_lines(result)


def report_data(result: PackageResult) -> dict:
    """The package report as data (``gglift package --format json``): paths are absolute,
    sizes in bytes (``artifact_bytes`` compressed, distributions' ``bytes`` installed)."""
    derived = result.derived
    return {
        "config": str(result.project.config_path),
        "functions": [
            {
                "name": out.function.name,
                "artifact": str(out.artifact),
                "artifact_bytes": out.size,
                "sha256": out.sha256,
                "requirements": ("none" if not (out.distributions or out.left_out) else "cached" if out.cached else "installed"),
                "distributions": [{"name": d.name, "version": d.version, "bytes": d.size} for d in out.distributions],
                "left_out": [{"name": d.name, "version": d.version, "bytes": d.size} for d in out.left_out],
                "files": {kind: str(path) for kind, path in sorted(out.files.items())},
            }
            for out in result.functions
        ],
        "subscriptions": [{"source": s.source, "subject": s.subject, "target": s.target} for s in result.subscriptions],
        "explicit_subscriptions": result.project.subscriptions is not None,
        "derived": [{"kind": i.kind, "function": i.function, "value": i.value, "path": str(i.path), "line": i.line}
                    for i in derived.items],
        "unresolved": [{"kind": u.kind, "function": u.function, "text": u.text, "path": str(u.path), "line": u.line, "fix": u.fix}
                       for u in derived.unresolved],
        "deployment": str(result.deployment),
        "cloudformation": str(result.cloudformation),
        "local_deployment_command": result.cli_command,
        "notes": list(result.notes),
    }
