"""The annotated gglift.toml in the README loads, and the defaults it states are the real ones."""

from __future__ import annotations

import re
from pathlib import Path

from gglift.config import Function, LocalSettings, Project, load_project

README = Path(__file__).parents[2] / "README.md"


def readme_config() -> str:
    (block,) = re.findall(r"```toml\n(.*?)```", README.read_text(), flags=re.S)
    return block


def test_the_readme_config_loads(tmp_path: Path) -> None:
    (tmp_path / "gglift.toml").write_text(readme_config())
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    return event\n")
    (tmp_path / "requirements.txt").write_text("")
    (tmp_path / "secrets.json").write_text("{}")
    (fn,) = load_project(tmp_path).functions
    assert (fn.name, fn.handler, fn.component.name) == ("sensor-gateway", "app.handler", "com.example.SensorGateway")


def test_the_defaults_the_readme_states_are_the_models() -> None:
    # "key = value   # default D, ...": the D each comment states
    stated = {key: default.rstrip(",;:").strip('"') for key, default in re.findall(r"^(\w+) = \S+ +# default (\S+)", readme_config(), flags=re.M)}
    defaults = {name: f.default for name, f in Function.__dataclass_fields__.items()}
    defaults.update({name: f.default for name, f in LocalSettings.__dataclass_fields__.items()})
    defaults["target"] = Project.__dataclass_fields__["target"].default
    checked = 0
    for key, default in stated.items():
        if key in defaults and not isinstance(defaults[key], tuple):
            expected = defaults[key]
            assert default == (str(expected).lower() if isinstance(expected, bool) else str(expected)), key
            checked += 1
    assert checked >= 10  # pinned, the timeouts and counts, encoding, thing name, region, account
