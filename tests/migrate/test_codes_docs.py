"""Every report code has --explain text and a docs entry; the worked example is the tested one."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from click.testing import CliRunner

from gglift.cli import main
from gglift.migrate.codes import CODES, explain, render_codes_markdown
from .test_exports import EXPECTED_TOML

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "migrate.md"
PACKAGE = ROOT / "gglift" / "migrate"


def test_every_code_has_explain_text_and_a_docs_entry():
    doc = DOC.read_text()
    assert doc.endswith(render_codes_markdown())  # regenerate the section from gglift/migrate/codes.py
    runner = CliRunner()
    for code, entry in CODES.items():
        result = runner.invoke(main, ["migrate", "--explain", code.lower()])
        assert result.exit_code == 0 and result.output == explain(code)
        assert result.output.startswith(f"{code} ({entry.severity}): {entry.title}\n\n") and len(entry.explanation) > 80
        assert f"### {code} ({entry.severity}): {entry.title}\n" in doc


def test_every_code_the_package_reports_is_registered_and_every_registered_code_is_reported():
    used = set()
    for path in PACKAGE.glob("*.py"):
        if path.name == "codes.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.fullmatch(r"GGM\d{3}", node.value):
                used.add(node.value)
    assert used == set(CODES)


def test_the_worked_example_is_the_tested_project():
    doc = DOC.read_text()
    assert f"`plant/gglift.toml`:\n\n```toml\n{EXPECTED_TOML}```\n" in doc


def test_the_readme_has_a_migrate_section():
    readme = (ROOT / "README.md").read_text()
    assert "## Migrating Greengrass V1 groups: `gglift migrate`" in readme
    assert "[docs/migrate.md](docs/migrate.md)" in readme
