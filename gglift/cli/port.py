"""``gglift port``: the command line over :mod:`gglift.port`."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Optional

import click

from gglift.cli.grammar import common_options
from gglift.port import concurrency, files, report
from gglift.port.cache import Cache, Read
from gglift.port.model import FileResult
from gglift.port.modules import unparsed_result
from gglift.port.output import unified_diff
from gglift.port.rules import RULES, explain
from gglift.storage import write_atomic

EPILOG = """\b
Examples:
  gglift port src/                  port every *.py under src/ in place
  gglift port --diff app.py         show what would change, write nothing
  gglift port --check src/          exit 1 if a file would change or an error remains
  gglift port --format sarif src/ > port.sarif
  gglift port --explain GGL100      what a rule code means
  gglift port --check --no-cache .  re-check every file, ignoring the cache

\b
Exit codes: 0 clean, 1 changes needed (--check/--diff) or error findings, 2 usage error.
"""


@click.command(epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@common_options
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if a file would change or an error finding remains.")
@click.option("--diff", is_flag=True, help="Print a unified diff of the changes and write nothing.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sarif"]),
    default="text",
    show_default=True,
    help="Report format on stdout (SARIF is 2.1.0).",
)
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Worker processes [default: CPU count].")
@click.option(
    "--exclude", multiple=True, metavar="GLOB", help="Skip walked files whose path or name matches (repeatable)."
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Re-check every file; do not read or write the cache of clean files "
    "(kept in $GGLIFT_CACHE_DIR, else $XDG_CACHE_HOME/gglift or ~/.cache/gglift).",
)
@click.option("--explain", "explain_code", metavar="CODE", help="Explain a rule code and exit.")
def port(
    paths: tuple[Path, ...],
    check: bool,
    diff: bool,
    fmt: str,
    jobs: Optional[int],
    exclude: tuple[str, ...],
    no_cache: bool,
    explain_code: Optional[str],
) -> None:
    """Rewrite boto3 iot-data, lambda and secretsmanager calls in PATHS to greengrasssdk.

    Files are rewritten in place (atomically, keeping encoding, BOM, newlines and
    permissions) unless --check or --diff is given. Directories are searched for *.py,
    skipping hidden folders, virtual environments and site-packages. Findings that need a
    person are reported with a code; see --explain CODE and docs/codes.md. Files that were
    clean on the last run (unchanged, no error or warning) and have not changed since are
    not parsed again (--no-cache turns this off).
    """
    if explain_code is not None:
        if explain_code.upper() not in RULES:
            raise click.BadParameter(
                f"unknown code {explain_code!r}; known codes: {', '.join(RULES)}", param_hint="--explain"
            )
        click.echo(explain(explain_code), nl=False)
        return
    if not paths:
        raise click.UsageError("no PATH given (try: gglift port --diff .)")
    if diff and fmt != "text":
        raise click.UsageError("--diff prints a text diff; it cannot be combined with --format json/sarif")
    missing = [str(p) for p in paths if not p.exists() and not p.is_symlink()]
    if missing:
        raise click.BadParameter(f"no such file or directory: {', '.join(missing)}", param_hint="PATH")

    targets = files.discover(paths, exclude)
    cache = None if no_cache else Cache.load()
    results, read = _analyze(targets, jobs, cache)
    dry_run = check or diff
    if diff:
        for result in results:
            if result.changed:
                click.echo(_coloured(unified_diff(result, read[result.path].data)), nl=False)
    elif not dry_run:
        results = [_write(result, read.get(result.path)) for result in results]
    if cache is not None:
        for result in results:
            if result.path in read:
                cache.update(result, read[result.path].digest)
        cache.save()
    results = _with_project_findings(results)

    if fmt == "json":
        click.echo(report.to_json(results), nl=False)
    elif fmt == "sarif":
        click.echo(report.to_sarif(results), nl=False)
    else:
        # with --diff, stdout stays a clean patch and the report goes to stderr
        click.echo(report.to_text(results, check=dry_run), nl=False, err=diff)
    sys.exit(report.exit_code(results, check=dry_run))


def _with_project_findings(results: list[FileResult]) -> list[FileResult]:
    """Add what each file's project makes of it (its target); one config lookup per folder."""
    from functools import lru_cache

    from gglift.config.loader import project_target
    from gglift.port.target import with_target_findings

    target_of_folder = lru_cache(maxsize=None)(project_target)
    return [with_target_findings(result, lambda path: target_of_folder(path.parent)) for result in results]


def _analyze(targets: list[Path], jobs: Optional[int], cache: Optional[Cache]) -> tuple[list[FileResult], dict[Path, Read]]:
    """Results in the order of ``targets``: from the cache where it has them, else fresh.

    Each file is read once: the cache key, the analysis and the diff all come from the same
    bytes, so a file edited during the run is never cached under a content it was not
    checked with. Also returns what was read, by path (files that could not be read are
    left to the analysis, which reports why).
    """
    read: dict[Path, Read] = {}
    cached: dict[Path, FileResult] = {}
    hits = 0
    todo: list[tuple[Path, Optional[bytes]]] = []
    for path in targets:
        got = Read.of(path)
        if got is None:
            todo.append((path, None))
            continue
        hit = cache.get(path, got.digest) if cache is not None else None
        if hit is not None:
            cached[path] = hit
            hits += 1
            continue
        unparsed = None if got.worth_parsing else unparsed_result(got.data, path)
        if unparsed is not None:
            cached[path] = unparsed  # nothing to port: no parse, no bytes kept
            read[path] = replace(got, data=b"")
            continue
        read[path] = got
        todo.append((path, got.data))
    fresh = concurrency.analyze_all(todo, jobs)
    if sys.stderr.isatty() and todo and len(targets) - hits >= 2:
        with click.progressbar(fresh, length=len(todo), label="porting", file=sys.stderr) as bar:
            analyzed = list(bar)
    else:
        analyzed = list(fresh)
    done = iter(analyzed)
    return [cached[path] if path in cached else next(done) for path in targets], read


# Diff line prefixes -> colours, as git colours them; click drops them off a terminal.
DIFF_COLOURS = (("+++", {"bold": True}), ("---", {"bold": True}), ("@@", {"fg": "cyan"}), ("+", {"fg": "green"}), ("-", {"fg": "red"}))


def _coloured(diff: str) -> str:
    """The diff with its headers, hunks, additions and removals styled."""
    out = []
    for line in diff.splitlines(keepends=True):
        style = next((s for prefix, s in DIFF_COLOURS if line.startswith(prefix)), None)
        out.append(click.style(line.rstrip("\n"), **style) + "\n" if style else line)
    return "".join(out)


def _write(result: FileResult, analysed: Optional[Read]) -> FileResult:
    """Write a changed file in place; a failure becomes GGL900 and the file stays as it was.

    A file whose content is no longer the one analysed (edited during the run) is not
    overwritten: the edit is kept and the file reported.
    """
    if not result.changed or result.new_source is None:
        return result
    now = Read.of(result.path)
    if analysed is not None and (now is None or now.digest != analysed.digest):
        return _not_written(result, "the file changed while it was being ported; run again")
    try:
        write_atomic(result.path, result.new_source)
    except OSError as exc:
        return _not_written(result, f"cannot write: {exc.strerror or exc}")
    return result


def _not_written(result: FileResult, reason: str) -> FileResult:
    """``result`` with a GGL900 for ``reason`` first, keeping what the analysis found."""
    from gglift.port.engine import failed  # loads libcst: failure path only

    error = failed(result.path, reason).findings
    return replace(result, changed=False, new_source=None, error=reason, findings=error + result.findings)
