"""The JSON Schema, README and loader agree: the generated files are current, every key the loader
accepts is in the schema and vice versa, every README example and the shop example pass both the
loader and an independent JSON Schema validator, and malformed configs fail both."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from types import ModuleType
from typing import Any

import pytest
import yaml
from tmsaction.config.keys import CONFIG, SCHEMA_URL
from tmsaction.config.load import load_config, parse_config
from tmsaction.config.schema import SCHEMA_FILE, config_schema
from tmsaction.config.shapes import Either, ListOf, MapOf, Obj
from tmsaction.config.spec import Node
from tmsaction.errors import ConfigError

from tests.conftest import ROOT


@pytest.fixture(scope="module")
def jsonschema() -> ModuleType:
    # jsonschema is installed with the pinned trcli; skip cleanly on a machine without it.
    module: ModuleType = pytest.importorskip("jsonschema")
    return module


@pytest.fixture(scope="module")
def validator(jsonschema: ModuleType) -> Any:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def readme_examples() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Mapping config", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```yaml\n(.*?)```", section, re.S)


def test_generated_schema_and_readme_table_are_current() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tmsaction.config.schema", "--check"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_identifies_itself_for_editors() -> None:
    schema = config_schema()
    assert schema["$id"] == SCHEMA_URL
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["required"] == ["version"]
    assert schema["additionalProperties"] is False


def _loader_paths(node: Node, path: str = "") -> set[str]:
    found: set[str] = set()
    if isinstance(node, Obj):
        for key in node.keys:
            child = f"{path}.{key.name}" if path else key.name
            found.add(child)
            found |= _loader_paths(key.node, child)
    elif isinstance(node, ListOf):
        found |= _loader_paths(node.item, path + "[]")
    elif isinstance(node, MapOf):
        found |= _loader_paths(node.value, path + ".*")
    elif isinstance(node, Either):
        for option in node.options:
            found |= _loader_paths(option, path)
    return found


def _schema_paths(schema: dict[str, Any], root: dict[str, Any], path: str = "") -> set[str]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return _schema_paths(root["$defs"][name], root, path)
    found: set[str] = set()
    for option in schema.get("anyOf", []):
        found |= _schema_paths(option, root, path)
    if schema.get("type") == "object" and "properties" in schema:
        assert schema["additionalProperties"] is False, path  # unknown keys are errors
        for name, child in schema["properties"].items():
            child_path = f"{path}.{name}" if path else name
            found.add(child_path)
            found |= _schema_paths(child, root, child_path)
    elif schema.get("type") == "object" and isinstance(schema.get("additionalProperties"), dict):
        found |= _schema_paths(schema["additionalProperties"], root, path + ".*")
    if schema.get("type") == "array":
        found |= _schema_paths(schema["items"], root, path + "[]")
    return found


def test_every_key_the_loader_accepts_is_in_the_schema_and_back() -> None:
    schema = config_schema()
    loader = _loader_paths(CONFIG)
    assert loader == _schema_paths(schema, schema)
    assert {"testrail.routes[].match.tag", "coverage.filters.*.case_types"} <= loader


def test_readme_has_examples_for_the_common_setups() -> None:
    assert len(readme_examples()) >= 7


@pytest.mark.parametrize("text", readme_examples(), ids=lambda t: t.splitlines()[1][:40])
def test_readme_examples_pass_the_loader_and_the_schema(text: str, validator: Any) -> None:
    parse_config(text, "README.md")
    assert list(validator.iter_errors(yaml.safe_load(text))) == []


def test_the_shop_example_passes_the_loader_and_the_schema(validator: Any) -> None:
    workspace = ROOT / "examples"
    config = load_config(workspace, ".github/tmsaction.yml", explicit=True)
    assert config.source == ".github/tmsaction.yml"
    text = (workspace / ".github" / "tmsaction.yml").read_text(encoding="utf-8")
    assert text.startswith(f"# yaml-language-server: $schema={SCHEMA_URL}\n")
    assert list(validator.iter_errors(yaml.safe_load(text))) == []


# Structural mistakes both must reject (the loader also rejects more: regexes, templates, ...).
BOTH_REJECT = [
    "version: 2",
    "testrail: {}",
    "version: 1\nslack: {}",
    "version: 1\ntestrail:\n  match: [fuzzy]",
    "version: 1\ntestrail:\n  match: [name, name]",
    "version: 1\ntestrail:\n  routes:\n    - suite_idd: 3",
    "version: 1\ntestrail:\n  routes:\n    - match: {path: x}",
    "version: 1\ntestrail:\n  names:\n    section: klass",
    "version: 1\ntestrail:\n  case_ids:\n    names: sometimes",
    "version: 1\ntestrail:\n  pinned:\n    - test: a.b",
    "version: 1\ntestrail:\n  results:\n    fields: {environment: prod}",
    "version: 1\ntestrail:\n  results:\n    status: {failure: failed}",
    "version: 1\njira:\n  defects:\n    max_new: -1",
    "version: 1\njira:\n  defects:\n    link: {direction: sideways}",
    "version: 1\njira:\n  stories:\n    projects: [shop]",
    "version: 1\njira:\n  defects:\n    labels: ['a b']",
    "version: 1\ncoverage:\n  gates:\n    - {metrc: pass_rate}",
    "version: 1\ncoverage:\n  section_depth: 0",
    "version: 1\ncoverage:\n  regression: 7",
]


@pytest.mark.parametrize("text", BOTH_REJECT)
def test_malformed_configs_fail_the_loader_and_the_schema(text: str, validator: Any) -> None:
    with pytest.raises(ConfigError):
        parse_config(text + "\n", "c.yml")
    assert list(validator.iter_errors(yaml.safe_load(text))) != []


def test_the_defaults_in_the_schema_are_the_loader_defaults() -> None:
    """What an editor shows as a key's default is what an absent key means."""
    schema = config_schema()
    testrail = schema["properties"]["testrail"]["properties"]
    config = parse_config(textwrap.dedent("version: 1\n"), "c.yml")
    assert testrail["match"]["default"] == [s.value for s in config.testrail.match]
    assert testrail["case_ids"]["properties"]["properties"]["default"] == list(
        config.testrail.case_ids.properties
    )
    status = testrail["results"]["properties"]["status"]["properties"]
    assert {k: v["default"] for k, v in status.items()} == {
        outcome.value: choice.name for outcome, choice in config.testrail.results.status.items()
    }
    defects = schema["properties"]["jira"]["properties"]["defects"]["properties"]
    assert defects["max_new"]["default"] == config.jira.defects.max_new
    assert defects["labels"]["default"] == list(config.jira.defects.labels)
