"""A function's code: copied from the export, or fetched from its cloud Lambda version, then checked.

Code is held in memory as ``{relative path: (bytes, mode)}`` until the project is written, so
nothing reaches the output folder before the whole migration has succeeded.
"""

from __future__ import annotations

import ast
import io
import posixpath
import stat
import zipfile
from pathlib import Path
from typing import Callable, Optional

from gglift.migrate.group import LambdaConfig

CodeFiles = dict  # {posix relative path: (bytes, mode)}

SKIPPED = {"__pycache__", ".git"}
# Handler names the Lambda console and AWS's Greengrass samples use, most specific first.
HANDLER_NAMES = ("function_handler", "lambda_handler", "handler")
ASSUMED_PYTHON = "python3.8"  # V1's newest Python runtime


def read_folder(folder: Path) -> CodeFiles:
    """Every regular file below ``folder`` (caches left out), executables keeping their bit."""
    files: CodeFiles = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part in SKIPPED for part in rel.parts) or path.is_symlink() or not path.is_file():
            continue
        executable = bool(path.stat().st_mode & stat.S_IXUSR)
        files[rel.as_posix()] = (path.read_bytes(), 0o755 if executable else 0o644)
    return files


def unzip(data: bytes) -> CodeFiles:
    """The files of a Lambda deployment package; entries escaping the folder are refused."""
    files: CodeFiles = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            name = posixpath.normpath(info.filename)
            if info.is_dir() or name.startswith(("/", "../")) or name == ".." or set(name.split("/")) & SKIPPED:
                continue
            executable = bool((info.external_attr >> 16) & stat.S_IXUSR)
            files[name] = (archive.read(info), 0o755 if executable else 0o644)
    return files


def unzip_file(path: Path) -> Optional[CodeFiles]:
    """:func:`unzip` of a deployment package on disk; None for a broken one (reported as no code)."""
    try:
        return unzip(path.read_bytes())
    except (OSError, zipfile.BadZipFile):
        return None


def download_url(url: str) -> bytes:
    """GET a presigned code URL (``lambda get-function``'s ``Code.Location``)."""
    import urllib.request

    if not url.startswith("https://"):
        raise ValueError(f"refusing to download code from a non-HTTPS location: {url}")
    with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310 - https only, checked above
        return response.read()


def fetch(arn: str, download: Callable[[str], bytes] = download_url) -> tuple[CodeFiles, LambdaConfig]:
    """The code and configuration of the Lambda version ``arn`` (``lambda get-function``).

    Raises ``RuntimeError`` with a one-line reason when AWS or the download fails.
    """
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    region = arn.split(":")[3] or None
    try:
        answer = boto3.client("lambda", region_name=region).get_function(FunctionName=arn)
        location = answer["Code"]["Location"]
        data = download(location)
        files = unzip(data)
    except ClientError as exc:
        raise RuntimeError(exc.response.get("Error", {}).get("Message") or str(exc)) from None
    except (BotoCoreError, OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise RuntimeError(f"{type(exc).__name__}: {exc}") from None
    config = answer.get("Configuration", {})
    return files, LambdaConfig(config.get("Handler"), config.get("Runtime"))


def infer(files: CodeFiles) -> Optional[LambdaConfig]:
    """Handler and runtime chosen from the code itself (GGM109), or None when nothing fits."""
    for name in HANDLER_NAMES:
        for path in sorted(p for p in files if p.endswith(".py") and "/" not in p):
            if name in _top_level_functions(files[path][0]):
                return LambdaConfig(f"{path[:-3]}.{name}", ASSUMED_PYTHON)
    binaries = sorted(p for p, (data, mode) in files.items() if "/" not in p and data[:4] == b"\x7fELF")
    if binaries:
        return LambdaConfig(binaries[0], "executable")
    return None


def _top_level_functions(source: bytes) -> set[str]:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return set()
    return {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


def port_check(files: CodeFiles) -> tuple[list[dict], bool]:
    """``gglift port --check`` over the Python files: findings (as report detail) and shadow use."""
    from gglift.port import analyze_source

    findings, shadows = [], False
    for path in sorted(p for p in files if p.endswith(".py")):
        result = analyze_source(files[path][0], Path(path))
        shadows = shadows or bool(result.shadows)
        if result.changed:
            findings.append({"file": path, "line": 1, "code": "port", "severity": "warning",
                             "message": "gglift port would rewrite this file (boto3 calls the Core SDK serves)"})
        for finding in result.findings:
            findings.append({"file": path, "line": finding.line, "code": finding.code,
                             "severity": finding.severity, "message": finding.message})
    return findings, shadows
