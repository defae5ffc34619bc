"""action.yml, the input parser and README agree: one declaration (tmsaction.inputs) rules them."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import fields

import yaml
from tmsaction.inputs import OPTIONS, Inputs, build_parser
from tmsaction.outputs import OUTPUT_NAMES

from tests.conftest import ROOT


def test_action_yml_declares_exactly_the_parsed_inputs_and_outputs() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert list(action["inputs"]) == [o.name for o in OPTIONS]
    assert list(action["outputs"]) == list(OUTPUT_NAMES)
    assert action["runs"] == {"using": "docker", "image": "Dockerfile"}


def test_inputs_dataclass_has_one_field_per_option() -> None:
    assert [f.name for f in fields(Inputs)] == [o.name for o in OPTIONS]


def test_every_option_has_a_kebab_case_flag() -> None:
    flags = {a.option_strings[0] for a in build_parser()._actions if a.option_strings}
    assert {o.flag for o in OPTIONS} <= flags


def test_generated_files_are_current() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "sync_interface.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_readme_documents_every_input_and_output() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for option in OPTIONS:
        assert f"| `{option.name}` |" in readme
    for name in OUTPUT_NAMES:
        assert f"| `{name}` |" in readme
