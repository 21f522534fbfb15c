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
    cwd = cwd or Path.cwd()

    def rel(path: Path) -> str:
        try:
            return str(path.relative_to(cwd))
        except ValueError:
            return str(path)

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
        lines.append(f"{fn.name}: {where} ({size(out.size)}, sha256 {out.sha256[:12]}, {state})")
        for dist in out.distributions:
            lines.append(f"  {dist.name} {dist.version}: {size(dist.size)}")
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
        lines.append(f"  {item.kind:<12} {item.value}  ({rel(item.path)}:{item.line}, function {item.function})")
    for item in derived.unresolved:
        lines.append(f"  unresolved: {rel(item.path)}:{item.line}: {item.kind} {item.text} (function {item.function}) is not known until run time")
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
    lines.extend(f"note: {note}" for note in result.notes)
    return lines
