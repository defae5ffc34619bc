"""Every workflow this repository ships (CI, release, examples, act scenarios) and the other-CI
examples: valid YAML, least-privilege permissions, actions pinned by commit SHA, and only inputs
the action declares."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from tmsaction.inputs import OPTIONS

from tests.conftest import ROOT

WORKFLOWS = sorted(
    [
        *(ROOT / ".github" / "workflows").glob("*.yml"),
        *(ROOT / "examples" / "workflows").glob("*.yml"),
        *(ROOT / "tests" / "docker" / "workflows").glob("*.yml"),
    ]
)
INPUTS = {option.name for option in OPTIONS}
#: `with:` keys of a Docker action step that are not inputs: they override the image's command.
DOCKER_STEP_KEYS = {"entrypoint", "args"}
PINNED = re.compile(
    r"^\s*(?:-\s+)?uses:\s+([\w.-]+/[\w./-]+)@([0-9a-f]{40})\s+#\s+v\d+(\.\d+){0,2}\s*$"
)
OURS = ("./", "tmsaction/tmsaction@v1", "docker://")


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def triggers(workflow: dict[Any, Any]) -> Any:
    """The `on:` block; YAML 1.1 (PyYAML) reads a bare `on` key as the boolean true."""
    return workflow.get("on", workflow.get(True))


def load(path: Path) -> dict[Any, Any]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict), f"{relative(path)}: not a YAML mapping"
    return document


def steps(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def is_tmsaction(uses: str) -> bool:
    return uses == "./" or uses.startswith("tmsaction/tmsaction@") or "tmsaction:" in uses


def test_there_are_workflows_to_check() -> None:
    names = {relative(p) for p in WORKFLOWS}
    assert {".github/workflows/ci.yml", ".github/workflows/release.yml"} <= names
    assert {
        "examples/workflows/matrix-sharding.yml",
        "examples/workflows/fork-pr-report.yml",
    } <= names


@pytest.mark.parametrize("path", WORKFLOWS, ids=relative)
def test_workflow_is_valid_and_least_privilege(path: Path) -> None:
    workflow = load(path)
    assert triggers(workflow), f"{relative(path)}: no `on:` triggers"
    assert workflow["jobs"], f"{relative(path)}: no jobs"
    top = workflow.get("permissions")
    assert isinstance(top, dict), f"{relative(path)}: declare `permissions:` at the top"
    assert set(top.values()) <= {"read", "none"}, (
        f"{relative(path)}: grant write permissions to the jobs that need them, not to the workflow"
    )
    for name, job in workflow["jobs"].items():
        assert "runs-on" in job, f"{relative(path)}: job {name} has no runs-on"
        if not relative(path).startswith("tests/"):
            assert "timeout-minutes" in job, f"{relative(path)}: job {name} has no timeout"


@pytest.mark.parametrize("path", WORKFLOWS, ids=relative)
def test_third_party_actions_are_pinned_by_sha_with_the_version_in_a_comment(path: Path) -> None:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = re.match(r"\s*(?:-\s+)?uses:\s+(\S+)", line)
        if not match or match.group(1).startswith(OURS):
            continue
        assert PINNED.match(line), (
            f"{relative(path)}:{number}: pin by commit SHA with the release as a comment, "
            f"like `uses: actions/checkout@<40 hex> # v4.2.2` (found: {line.strip()})"
        )


@pytest.mark.parametrize("path", WORKFLOWS, ids=relative)
def test_steps_pass_only_inputs_the_action_declares(path: Path) -> None:
    for step in steps(load(path)):
        if is_tmsaction(step.get("uses", "")):
            unknown = set(step.get("with", {})) - INPUTS - DOCKER_STEP_KEYS
            assert not unknown, f"{relative(path)}: unknown tmsaction inputs {sorted(unknown)}"


def test_ci_dogfoods_the_action_in_a_dry_run_over_the_example_reports() -> None:
    ci = load(ROOT / ".github" / "workflows" / "ci.yml")
    [dogfood] = [s for s in steps(ci) if s.get("uses") == "./"]
    assert dogfood["with"]["dry_run"] is True
    assert dogfood["with"]["reports"].startswith("examples/reports/")
    assert ci["permissions"] == {"contents": "read"}


def test_release_publishes_v1_and_v1_x_y_with_writes_only_where_needed() -> None:
    release = load(ROOT / ".github" / "workflows" / "release.yml")
    assert triggers(release) == {"push": {"tags": ["v1.*.*"]}}
    writes = {
        name: sorted(k for k, v in job.get("permissions", {}).items() if v == "write")
        for name, job in release["jobs"].items()
    }
    assert writes == {"test": [], "image": ["packages"], "move-major-tag": ["contents"]}
    [meta] = [s for s in steps(release) if "metadata-action" in s.get("uses", "")]
    assert meta["with"]["images"] == "ghcr.io/${{ github.repository_owner }}/tmsaction"
    assert meta["with"]["tags"].split() == [
        "type=semver,pattern=v{{version}}",
        "type=semver,pattern=v{{major}}",
    ]


@pytest.mark.parametrize("name", ["gitlab-ci.yml", "Jenkinsfile"])
def test_other_ci_examples_use_real_inputs_and_keep_secrets_out_of_the_file(name: str) -> None:
    text = (ROOT / "examples" / "ci" / name).read_text(encoding="utf-8")
    if name.endswith(".yml"):
        assert isinstance(yaml.safe_load(text), dict)
    names = set(re.findall(r"\bINPUT_([A-Z_]+)\b", text))
    assert names, "the example passes no inputs"
    assert {n.lower() for n in names} <= INPUTS
    assert "ghcr.io/tmsaction/tmsaction:v1" in text
    for secret in ("INPUT_TESTRAIL_API_KEY", "INPUT_JIRA_TOKEN"):
        literal = rf"{secret}\s*[:=]\s*['\"]?[^$'\"\s]"  # a value, not $VARIABLE
        assert not re.search(literal, text), f"{name}: {secret} set in the file"


def test_action_yml_has_branding_and_names_the_prebuilt_image() -> None:
    text = (ROOT / "action.yml").read_text(encoding="utf-8")
    action = yaml.safe_load(text)
    assert set(action["branding"]) == {"icon", "color"}
    assert "docker://ghcr.io/<owner>/tmsaction:v1" in text
