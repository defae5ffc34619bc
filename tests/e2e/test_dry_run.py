"""The whole action through `main()` with a dict environment, as the runner starts it."""

from __future__ import annotations

import io
import json
from pathlib import Path

from tmsaction.__main__ import main
from tmsaction.ghactions import parse_outputs

from tests.conftest import ROOT


def actions_env(workspace: Path, **inputs: str) -> dict[str, str]:
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_STEP_SUMMARY": str(workspace / "summary.md"),
        "GITHUB_OUTPUT": str(workspace / "output.txt"),
        "GITHUB_REPOSITORY": "acme/shop",
        "GITHUB_RUN_ID": "1234",
        "GITHUB_SERVER_URL": "https://github.com",
    }
    env.update({f"INPUT_{k.upper()}": v for k, v in inputs.items()})
    return env


def read_outputs(path: Path) -> dict[str, str]:
    return parse_outputs(path.read_text(encoding="utf-8"))


def test_dry_run_over_the_examples_writes_summary_outputs_and_results_json(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    (workspace / "reports").mkdir(parents=True)
    for source in (ROOT / "examples" / "reports").rglob("*.xml"):
        (workspace / "reports" / source.name).write_bytes(source.read_bytes())
    out = io.StringIO()
    code = main([], actions_env(workspace, reports="reports/*.xml", dry_run="true"), stdout=out)
    assert code == 0, out.getvalue()
    outputs = read_outputs(workspace / "output.txt")
    assert {k: outputs[k] for k in ("total", "passed", "failed", "skipped", "flaky")} == {
        "total": "12",
        "passed": "8",
        "failed": "2",
        "skipped": "1",
        "flaky": "1",
    }
    summary = (workspace / "summary.md").read_text()
    assert "**12 tests**" in summary
    assert "appliesPercentageDiscount" in summary
    results = json.loads((workspace / outputs["results_json"]).read_text())
    assert results["version"] == 1
    assert len(results["tests"]) == 12
    flaky = [t for t in results["tests"] if t["outcome"] == "flaky"]
    assert [len(t["attempts"]) for t in flaky] == [2]


def test_no_report_found_fails_by_default_with_a_clear_message(tmp_path: Path) -> None:
    out = io.StringIO()
    code = main([], actions_env(tmp_path, reports="build/**/*.xml"), stdout=out)
    assert code == 1
    log = out.getvalue()
    assert "::warning::No test reports found for reports=build/**/*.xml" in log
    assert "::error title=tmsaction failed the step::no test reports were found" in log
    assert "No test reports found" in (tmp_path / "summary.md").read_text()


def test_bad_and_good_files_side_by_side(tmp_path: Path) -> None:
    (tmp_path / "good.xml").write_text("<testsuite><testcase name='ok'/></testsuite>")
    (tmp_path / "empty.xml").write_text("")
    (tmp_path / "cut.xml").write_text("<testsuite><testcase name='a'/><testcase name='b'")
    (tmp_path / "pic.xml").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (tmp_path / "other.xml").write_text("<project><dependency/></project>")
    out = io.StringIO()
    code = main([], actions_env(tmp_path, reports="*.xml"), stdout=out)
    assert code == 0
    outputs = read_outputs(tmp_path / "output.txt")
    assert outputs["total"] == "2"  # ok, plus 'a' read before the cut
    summary = (tmp_path / "summary.md").read_text()
    for name in ("empty.xml", "cut.xml:1:", "pic.xml", "other.xml"):
        assert name in summary
    assert out.getvalue().count("::warning title=Test report problem") == 4


def test_cli_outside_actions_prints_the_summary(tmp_path: Path) -> None:
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "r.xml").write_text("<testsuite><testcase name='ok'/></testsuite>")
    out = io.StringIO()
    code = main(["--reports", "build/**/*.xml", "--dry-run"], {}, stdout=out, cwd=tmp_path)
    assert code == 0
    assert "**1 test**" in out.getvalue()


def test_a_bug_is_labelled_and_secrets_are_redacted(tmp_path: Path, monkeypatch: object) -> None:
    import tmsaction.__main__ as entry

    def explode(*args: object) -> int:
        raise RuntimeError("token tr-secret-key leaked?")

    monkeypatch.setattr(entry, "run", explode)  # type: ignore[attr-defined]
    out = io.StringIO()
    code = main([], {"INPUT_TESTRAIL_API_KEY": "tr-secret-key"}, stdout=out, cwd=tmp_path)
    assert code == 3
    assert "tmsaction hit a bug" in out.getvalue()
    assert "tr-secret-key" not in out.getvalue()
