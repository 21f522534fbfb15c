"""CloudFormation templates in YAML, with the short-form intrinsic functions (``!Ref x``,
``!GetAtt a.b``, ``!Sub ...``) read as their long JSON forms (``{"Ref": "x"}``,
``{"Fn::GetAtt": ["a", "b"]}``), for ``gglift migrate`` and ``gglift init --from-sam``."""

from __future__ import annotations

from typing import Any


def load(text: str) -> Any:
    """The template's data; raises ``yaml.YAMLError`` for text that is not YAML and
    ImportError without PyYAML (a dependency of libcst, so gglift has it).

    >>> load("Value: !GetAtt Fn.Arn")
    {'Value': {'Fn::GetAtt': ['Fn', 'Arn']}}
    """
    import yaml

    class Loader(yaml.SafeLoader):
        """SafeLoader, plus a constructor for every ``!`` tag."""

    def intrinsic(loader: Loader, suffix: str, node: yaml.Node) -> dict:
        name = suffix if suffix in ("Ref", "Condition") else f"Fn::{suffix}"
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if suffix == "GetAtt":
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {name: value}

    Loader.add_multi_constructor("!", intrinsic)
    return yaml.load(text, Loader=Loader)  # noqa: S506 - a SafeLoader subclass
