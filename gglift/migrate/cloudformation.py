"""A CloudFormation template declaring a V1 group (``AWS::Greengrass::*``), JSON or YAML.

Template properties use the API's own member names, so each definition's ``InitialVersion``
(or a ``*DefinitionVersion`` resource) is the same body a CLI export has, once intrinsic
functions are resolved: ``Ref``/``Fn::GetAtt`` on the template's Lambda functions, versions
and aliases, ``Fn::Sub`` and ``Fn::Join`` over pseudo parameters. The group's
``InitialVersion`` picks the definitions; the functions' handlers and runtimes come from
their ``AWS::Lambda::Function`` resources when the template declares them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from gglift.migrate import shapes
from gglift.migrate.errors import MigrateError
from gglift.migrate.exports import CODE_DIR
from gglift.migrate.group import Definition, Group, LambdaConfig
from gglift.migrate.reading import read_json, read_text
from gglift.migrate.report import Item

PREFIX = "AWS::Greengrass::"
# AWS::Greengrass::<Kind>Definition(Version) -> kind
KIND_OF = {f"{kind.capitalize()}Definition": kind for kind in shapes.MEMBERS}
_SUB = re.compile(r"\$\{([^}!][^}]*)\}")


def is_template(document: Any) -> bool:
    """True when ``document`` looks like a CloudFormation template."""
    return isinstance(document, dict) and ("AWSTemplateFormatVersion" in document or isinstance(document.get("Resources"), dict))


def read_template(path: Path, region: str, account: str) -> Group:
    """Read the group a template declares; raises :class:`MigrateError` naming file and path."""
    label = path.name
    document = read_json(path, label) if path.suffix == ".json" else read_yaml(path, label)
    if not is_template(document):
        if shapes.recognise(document):
            raise MigrateError("GGM904", label, "$", "an AWS CLI export, not a template",
                               "give the folder that holds it with the group's other exports")
        raise MigrateError("GGM904", label, "$", "not a CloudFormation template (no Resources)")
    resources = document["Resources"]
    resolver = _Resolver(resources, label, region, account)
    group = Group(code_dir=path.parent / CODE_DIR)
    groups = []
    for logical, resource in resources.items():
        kind = resource.get("Type", "") if isinstance(resource, dict) else ""
        if not isinstance(kind, str) or not kind.startswith(PREFIX):
            continue
        short = kind[len(PREFIX):]
        if short == "Group":
            groups.append(logical)
        elif short.removesuffix("Version") not in KIND_OF:
            raise MigrateError("GGM903", label, f"$.Resources.{logical}.Type", f"unknown resource type {kind!r}",
                               "Greengrass V1 types: AWS::Greengrass::Group, AWS::Greengrass::<Kind>Definition(Version)")
    for name, config in resolver.lambda_configs().items():
        group.lambdas[name] = config
    if len(groups) > 1:
        raise MigrateError("GGM901", label, f"$.Resources.{groups[1]}", f"a second AWS::Greengrass::Group (the first is {groups[0]})",
                           "keep one group per template")
    if groups:
        logical = groups[0]
        props = resources[logical].get("Properties", {})
        version = props.get("InitialVersion", {})
        for unknown in sorted(set(version) - set(shapes.GROUP_MEMBERS.values())):
            group.notes.append(Item("GGM120", f"file {label}", f"$.Resources.{logical}.Properties.InitialVersion.{unknown} "
                                    f"{shapes.UNKNOWN_KEY}; it is not migrated"))
        for kind, member in shapes.GROUP_MEMBERS.items():
            if member in version:
                where = f"$.Resources.{logical}.Properties.InitialVersion.{member}"
                group.definitions[kind] = resolver.definition(kind, version[member], where)
    else:
        for logical, resource in resources.items():
            short = str(resource.get("Type", ""))[len(PREFIX):] if isinstance(resource, dict) else ""
            if short in KIND_OF:
                kind = KIND_OF[short]
                group.definitions[kind] = resolver.definition(kind, {"Fn::GetAtt": [logical, "LatestVersionArn"]}, f"$.Resources.{logical}")
    if not group.definitions:
        raise MigrateError("GGM904", label, "$.Resources", "the template declares no Greengrass V1 group or definition",
                           "give a template with AWS::Greengrass::Group and its definitions")
    for definition in group.definitions.values():
        group.notes.extend(_check(definition, label))
    return group


def _check(definition: Definition, label: str) -> list:
    """Check a definition body against the API's definition shape, with template paths in errors."""
    try:
        return shapes.check({"Definition": definition.body}, definition.kind, label)
    except MigrateError as exc:
        exc.path = exc.path.replace("$.Definition", definition.path, 1)
        raise


class _Resolver:
    """Resolves the intrinsic functions a group's definitions use."""

    def __init__(self, resources: dict, label: str, region: str, account: str):
        self.resources, self.label = resources, label
        self.pseudo = {"AWS::Region": region, "AWS::AccountId": account, "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com"}

    def definition(self, kind: str, ref: Any, where: str) -> Definition:
        """The definition body a group's ``*DefinitionVersionArn`` value points at."""
        logical, attribute = None, None
        if isinstance(ref, dict) and "Fn::GetAtt" in ref:
            logical, attribute = self._getatt(ref["Fn::GetAtt"], where)
        elif isinstance(ref, dict) and "Ref" in ref:
            logical = ref["Ref"]
        resource = self.resources.get(logical) if isinstance(logical, str) else None
        want = f"{PREFIX}{kind.capitalize()}Definition"
        if resource is None or resource.get("Type") not in (want, want + "Version"):
            raise MigrateError("GGM902", self.label, where, "does not point at a definition of this template",
                               f"use !GetAtt <{want} resource>.LatestVersionArn or !Ref <{want}Version resource>")
        props = resource.get("Properties", {})
        if resource["Type"] == want:
            if attribute not in (None, "LatestVersionArn") or "InitialVersion" not in props:
                raise MigrateError("GGM902", self.label, f"$.Resources.{logical}.Properties.InitialVersion",
                                   "the definition has no InitialVersion", "declare the definition's InitialVersion")
            body, path = props["InitialVersion"], f"$.Resources.{logical}.Properties.InitialVersion"
        else:
            body = {k: v for k, v in props.items() if not k.endswith("DefinitionId")}
            path = f"$.Resources.{logical}.Properties"
        return Definition(kind, self.resolve(body, path), self.label, path)

    def resolve(self, value: Any, where: str) -> Any:
        """``value`` with every intrinsic function replaced by its value."""
        if isinstance(value, list):
            return [self.resolve(item, f"{where}[{i}]") for i, item in enumerate(value)]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (name, arg), = value.items()
            if name == "Ref":
                return self._ref(arg, where)
            if name == "Fn::GetAtt":
                logical, attribute = self._getatt(arg, where)
                return self._attribute(logical, attribute, where)
            if name == "Fn::Sub":
                return self._sub(arg, where)
            if name == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
                return str(arg[0]).join(str(self.resolve(part, where)) for part in arg[1])
            if name.startswith("Fn::") or name == "Condition":
                raise MigrateError("GGM901", self.label, where, f"{name} cannot be resolved without deploying the template",
                                   "write the value itself, or use Ref, Fn::GetAtt, Fn::Sub or Fn::Join")
        return {key: self.resolve(item, f"{where}.{key}") for key, item in value.items()}

    def lambda_configs(self) -> dict[str, LambdaConfig]:
        """Handler and runtime of each ``AWS::Lambda::Function``, by function name."""
        configs = {}
        for logical, resource in self.resources.items():
            if isinstance(resource, dict) and resource.get("Type") == "AWS::Lambda::Function":
                props = resource.get("Properties", {})
                where = f"$.Resources.{logical}.Properties"
                configs[self._function_name(logical)] = LambdaConfig(
                    self.resolve(props.get("Handler"), f"{where}.Handler"), self.resolve(props.get("Runtime"), f"{where}.Runtime"))
        return configs

    # -- intrinsic functions -------------------------------------------------------------------
    def _ref(self, name: Any, where: str) -> str:
        if name in self.pseudo:
            return self.pseudo[name]
        resource = self.resources.get(name) if isinstance(name, str) else None
        kind = resource.get("Type") if isinstance(resource, dict) else None
        props = resource.get("Properties", {}) if isinstance(resource, dict) else {}
        if kind == "AWS::Lambda::Function":
            return self._function_name(name)
        if kind == "AWS::Lambda::Version":
            # the version number exists only once deployed: the ARN stays unqualified (GGM108)
            return self._function_arn(props.get("FunctionName"), f"$.Resources.{name}.Properties.FunctionName")
        if kind == "AWS::Lambda::Alias":
            arn = self._function_arn(props.get("FunctionName"), f"$.Resources.{name}.Properties.FunctionName")
            return f"{arn}:{self.resolve(props.get('Name'), f'$.Resources.{name}.Properties.Name')}"
        raise MigrateError("GGM901", self.label, where, f"Ref {name!r} cannot be resolved without deploying the template",
                           "write the value itself (for example the function's versioned ARN)")

    def _getatt(self, arg: Any, where: str) -> tuple[str, str]:
        parts = arg.split(".", 1) if isinstance(arg, str) else arg
        if not (isinstance(parts, list) and len(parts) == 2 and all(isinstance(p, str) for p in parts)):
            raise MigrateError("GGM901", self.label, where, "Fn::GetAtt needs [resource, attribute]")
        return parts[0], parts[1]

    def _attribute(self, logical: str, attribute: str, where: str) -> str:
        resource = self.resources.get(logical)
        if isinstance(resource, dict) and resource.get("Type") == "AWS::Lambda::Function" and attribute == "Arn":
            return self._arn_of(self._function_name(logical))
        raise MigrateError("GGM901", self.label, where, f"Fn::GetAtt {logical}.{attribute} cannot be resolved without deploying the template",
                           "write the value itself")

    def _sub(self, arg: Any, where: str) -> str:
        template, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1]) if isinstance(arg, list) and len(arg) == 2 else (None, None)
        if not isinstance(template, str) or not isinstance(variables, dict):
            raise MigrateError("GGM901", self.label, where, "Fn::Sub needs a string or [string, {variables}]")

        def value(match: re.Match) -> str:
            name = match.group(1)
            if name in variables:
                return str(self.resolve(variables[name], where))
            if "." in name:
                return str(self._attribute(*name.split(".", 1), where))
            return str(self._ref(name, where))

        return _SUB.sub(value, template).replace("${!", "${")

    def _function_name(self, logical: str) -> str:
        props = self.resources[logical].get("Properties", {})
        name = props.get("FunctionName", logical)
        return self.resolve(name, f"$.Resources.{logical}.Properties.FunctionName")

    def _function_arn(self, ref: Any, where: str) -> str:
        name = self.resolve(ref, where)
        return name if str(name).startswith("arn:") else self._arn_of(name)

    def _arn_of(self, name: str) -> str:
        return f"arn:aws:lambda:{self.pseudo['AWS::Region']}:{self.pseudo['AWS::AccountId']}:function:{name}"


def read_yaml(path: Path, label: str) -> Any:
    """A YAML template with its short-form intrinsic functions in their long (JSON) form."""
    import yaml  # PyYAML: a dependency of libcst, which gglift already requires

    from gglift import cfn_yaml

    text = read_text(path, label)
    try:
        return cfn_yaml.load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        raise MigrateError("GGM901", label, "", f"not valid YAML{where}: {getattr(exc, 'problem', None) or exc}",
                           "the file looks cut short or edited") from None

