"""The mapping through `main()`, as the runner starts the action: config loading and its errors,
the dry-run plan in the summary, the outputs, results_json, fail_on, and `validate`."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

from tmsaction.__main__ import main

from tests.conftest import ROOT
from tests.e2e.test_dry_run import actions_env, read_outputs


def shop_workspace(tmp_path: Path) -> Path:
    """A copy of the shop example: its reports and its .github/tmsaction.yml."""
    workspace = tmp_path / "ws"
    shutil.copytree(ROOT / "examples" / "reports", workspace / "reports")
    shutil.copytree(ROOT / "examples" / ".github", workspace / ".github")
    return workspace


def test_dry_run_shows_the_plan_and_writes_each_tests_mapping(tmp_path: Path) -> None:
    workspace = shop_workspace(tmp_path)
    out = io.StringIO()
    code = main([], actions_env(workspace, reports="reports/**/*.xml", dry_run="true"), stdout=out)
    assert code == 0, out.getvalue()
    outputs = read_outputs(workspace / "output.txt")
    assert (outputs["unmatched"], outputs["automation_coverage"]) == ("0", "")
    summary = (workspace / "summary.md").read_text()
    assert "### 🧭 Dry-run plan" in summary
    assert "| 📌 Pinned in the config | 2 |" in summary
    assert "| Shop › Backend | Cart | Rejects negative quantity | 1 |" in summary
    results = json.loads((workspace / outputs["results_json"]).read_text())
    assert results["mapping"] == {
        "config": ".github/tmsaction.yml",
        "testrail_read": False,
        "unmatched": 0,
        "automated_cases": 12,
        "cases": None,
        "regression_automation": None,
        "gates": [
            {
                "name": "Regression automation",
                "metric": "regression_automation",
                "status": "not evaluated",
                "value": None,
            },
            {
                "name": "Stories with failing tests",
                "metric": "failing_stories",
                "status": "failed",
                "value": 1.0,
            },
        ],
    }
    by_name = {t["name"]: t["mapping"] for t in results["tests"]}
    assert by_name["chargesCardOnce"] == {
        "matched_by": "pinned",
        "cases": [{"id": 105}],
        "stories": [],
        "route": {"project": "Shop", "suite": "Backend"},
        "status": {"id": 1, "name": "passed"},
        "reason": None,
    }
    assert by_name["appliesPercentageDiscount"]["stories"] == ["SHOP-14"]
    assert by_name["rejectsNegativeQuantity"] == {
        "matched_by": "name",
        "cases": [{"id": None, "section": ["Cart"], "title": "Rejects negative quantity"}],
        "stories": [],
        "route": {"project": "Shop", "suite": "Backend"},
        "status": {"id": 4, "name": "retest"},
        "reason": "TestRail was not read: this section and title are matched by name, or "
        "created with testrail_create_cases: true",
    }
    assert by_name["Login › signs in with a valid password @C201 @SHOP-3"]["cases"] == [{"id": 201}]


def test_a_bad_config_stops_the_run_with_every_problem_and_exit_2(tmp_path: Path) -> None:
    workspace = shop_workspace(tmp_path)
    (workspace / ".github" / "tmsaction.yml").write_text(
        "version: 1\ntestrail:\n  match: [pinned, fuzzy]\n  routes:\n    - suite_idd: 3\n"
    )
    out = io.StringIO()
    code = main([], actions_env(workspace, reports="reports/**/*.xml"), stdout=out)
    assert code == 2
    assert out.getvalue().splitlines() == [
        "::error::invalid mapping config (2 problems):",
        "::error::.github/tmsaction.yml:3 → testrail.match[1]: unknown value 'fuzzy'; use one of "
        "case_id, pinned, automation_id, name",
        "::error::.github/tmsaction.yml:5 → testrail.routes[0]: unknown key 'suite_idd' (did you "
        "mean 'suite'?)",
    ]
    assert not (workspace / "summary.md").exists()
    assert not (workspace / "tmsaction-results.json").exists()


def test_a_config_input_naming_a_missing_file_is_an_error(tmp_path: Path) -> None:
    workspace = shop_workspace(tmp_path)
    out = io.StringIO()
    code = main(
        ["--config", "ci/missing.yml", "--reports", "reports/**/*.xml"],
        {},
        stdout=out,
        cwd=workspace,
    )
    assert code == 2
    assert out.getvalue() == (
        "error: invalid mapping config (1 problem):\n"
        f"error: ci/missing.yml: no such file (the config input names it, relative to the "
        f"workspace {workspace}); fix the path, or drop the input to use .github/tmsaction.yml or "
        "defaults\n"
    )


def test_without_a_config_file_the_defaults_map_the_tests(tmp_path: Path) -> None:
    workspace = shop_workspace(tmp_path)
    shutil.rmtree(workspace / ".github")
    out = io.StringIO()
    code = main([], actions_env(workspace, reports="reports/**/*.xml", dry_run="true"), stdout=out)
    assert code == 0, out.getvalue()
    results = json.loads((workspace / "tmsaction-results.json").read_text())
    assert results["mapping"]["config"] is None
    strategies = [t["mapping"]["matched_by"] for t in results["tests"]]
    assert strategies.count("case_id") == 6
    assert strategies.count("name") == 6


def test_fail_on_quality_gates_and_unmatched(tmp_path: Path) -> None:
    workspace = shop_workspace(tmp_path)
    config = workspace / ".github" / "tmsaction.yml"
    config.write_text(
        config.read_text().replace(
            "match: [pinned, case_id, automation_id, name]", "match: [pinned, case_id]"
        )
    )
    out = io.StringIO()
    env = actions_env(workspace, reports="reports/**/*.xml", fail_on="quality-gates,unmatched")
    assert main([], env, stdout=out) == 1
    assert out.getvalue().splitlines()[-1] == (
        "::error title=tmsaction failed the step::quality gate failed: Stories with failing tests "
        "is 1 (SHOP-14), above the maximum of 0.; 4 tests matched no TestRail case (fail_on: "
        "quality-gates, unmatched)"
    )
    assert read_outputs(workspace / "output.txt")["unmatched"] == "4"


def test_gates_do_not_fail_the_step_unless_fail_on_says_so(tmp_path: Path) -> None:
    workspace = shop_workspace(tmp_path)
    out = io.StringIO()
    assert main([], actions_env(workspace, reports="reports/**/*.xml"), stdout=out) == 0


def test_validate_a_good_config(tmp_path: Path) -> None:
    workspace = shop_workspace(tmp_path)
    out = io.StringIO()
    assert main(["validate"], {}, stdout=out, cwd=workspace) == 0
    assert out.getvalue().splitlines() == [
        ".github/tmsaction.yml: valid (version 1)",
        "  matching order: pinned, case_id, automation_id, name",
        "  routes: 3 · pinned entries: 2",
        "  statuses: passed → passed, failed → failed, error → failed, skipped → retest, "
        "flaky → passed",
        "  regression suite: 1 filter · quality gates: 2",
        "  editor support: # yaml-language-server: $schema=https://raw.githubusercontent.com/"
        "tmsaction/tmsaction/v1/tmsaction/config.schema.json",
    ]


def test_validate_a_bad_config_lists_every_problem(tmp_path: Path) -> None:
    (tmp_path / "mapping.yml").write_text(
        "version: 1\njira:\n  defects:\n    labels: [a b]\n    max_new: lots\n"
    )
    out = io.StringIO()
    assert main(["validate", "mapping.yml"], {}, stdout=out, cwd=tmp_path) == 2
    assert out.getvalue().splitlines() == [
        "error: invalid mapping config (2 problems):",
        "error: mapping.yml:4 → jira.defects.labels[0]: label 'a b' contains spaces, which Jira "
        "rejects (use - or _)",
        "error: mapping.yml:5 → jira.defects.max_new: expected a whole number, got text",
    ]


def test_validate_without_a_file(tmp_path: Path) -> None:
    out = io.StringIO()
    assert main(["validate"], {}, stdout=out, cwd=tmp_path) == 2
    assert out.getvalue() == (
        "error: invalid mapping config (1 problem):\n"
        "error: .github/tmsaction.yml: no such file (without a config file tmsaction uses its "
        "defaults; pass the path of the file to check)\n"
    )
