"""Rule codes are documented in one place: the registry, which the docs are rendered from."""

from __future__ import annotations

from pathlib import Path

from gglift.port.rules import RULES, render_codes_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_codes_md_is_rendered_from_the_registry() -> None:
    assert (ROOT / "docs" / "codes.md").read_text() == render_codes_markdown(), (
        "docs/codes.md is stale: regenerate it as its header says"
    )


def test_port_guide_links_every_code() -> None:
    guide = (ROOT / "docs" / "port.md").read_text()
    for code in RULES:
        assert f"codes.md#{code.lower()}" in guide, code
