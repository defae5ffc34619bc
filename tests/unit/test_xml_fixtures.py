"""Golden tests: every XML fixture in tests/fixtures/reports (real framework output and faithful
hand-written samples, see its README) read through the real file funnel, compared with a reviewed
`<report>.expected.json`. Sets of files that belong together (a run and its rerun) have a golden
for the merged result as well.

Regenerate: `TMSACTION_UPDATE_GOLDENS=1 .venv/bin/pytest tests/unit/test_xml_fixtures.py`.
"""

from __future__ import annotations

from typing import Any

import pytest
from tmsaction import results_json
from tmsaction.model import Outcome, ReportSet
from tmsaction.reports.collect import read_reports

from tests.conftest import FIXTURES
from tests.goldens import assert_golden

REPORTS = FIXTURES / "reports"
XML_SUFFIXES = (".xml", ".trx")
FIXTURE_FILES = sorted(
    p.relative_to(REPORTS).as_posix() for p in REPORTS.rglob("*") if p.suffix in XML_SUFFIXES
)

#: Reports that only make sense together: golden name -> files (read as one report set).
SETS = {
    "pytest/rerun-step/merged": [
        "pytest/rerun-step/first.xml",
        "pytest/rerun-step/last-failed.xml",
    ],
    "robot/rf7/merged-with-rerun": ["robot/rf7/output.xml", "robot/rf7/rerun.xml"],
}


def snapshot(reports: ReportSet) -> dict[str, Any]:
    """What a golden records: files, problems, totals and every test."""
    tests = []
    for result in reports.results:
        entry = results_json.test_entry(result)
        if result.detail is not None and (result.detail.stdout or result.detail.stderr):
            entry["stdout"] = result.detail.stdout
            entry["stderr"] = result.detail.stderr
        tests.append(entry)
    totals = reports.totals
    return {
        "files": [
            {"source": f.source, "format": f.format, "tests": f.tests} for f in reports.files
        ],
        "problems": [
            {"line": p.line, "column": p.column, "message": p.message, "severity": p.severity}
            for p in reports.problems
        ],
        "totals": {
            "total": totals.total,
            "passed": totals.passed,
            "failed": totals.failed,
            "errors": totals.errors,
            "skipped": totals.skipped,
            "flaky": totals.flaky,
        },
        "tests": tests,
    }


def test_every_format_has_fixtures() -> None:
    formats = {f.format for name in FIXTURE_FILES for f in read_reports(REPORTS, [name]).files}
    assert formats == {
        "junit",
        "nunit",
        "xunit-net",
        "trx",
        "testng",
        "robot",
        "catch2",
        "ctest",
        "open-test-reporting",
    }


@pytest.mark.parametrize("name", FIXTURE_FILES)
def test_fixture_matches_its_golden(name: str) -> None:
    reports = read_reports(REPORTS, [name])
    assert reports.files, f"{name} was not read: {reports.problems}"
    assert all(p.severity == "warning" for p in reports.problems), reports.problems
    assert_golden(REPORTS / f"{name}.expected.json", snapshot(reports))


@pytest.mark.parametrize("golden", sorted(SETS))
def test_report_set_matches_its_golden(golden: str) -> None:
    reports = read_reports(REPORTS, SETS[golden])
    assert len(reports.files) == len(SETS[golden])
    assert_golden(REPORTS / f"{golden}.expected.json", snapshot(reports))


def test_a_failure_then_a_pass_in_a_rerun_file_is_one_flaky_test() -> None:
    reports = read_reports(REPORTS, SETS["pytest/rerun-step/merged"])
    (flaky,) = [r for r in reports.results if r.outcome is Outcome.FLAKY]
    assert flaky.name == "test_flaky_stock_service"
    assert [(a.outcome, a.source) for a in flaky.attempts] == [
        (Outcome.FAILED, "pytest/rerun-step/first.xml"),
        (Outcome.PASSED, "pytest/rerun-step/last-failed.xml"),
    ]
    # Rerun tests are not counted twice: the first run's 11 tests, nothing more.
    assert reports.totals.total == 11


def test_robot_versions_agree_on_outcomes() -> None:
    """RF 4 to 7 wrote different XML for the same suite; the outcomes read must be the same."""
    outcomes = {}
    for version in ("rf4", "rf5", "rf6", "rf7"):
        reports = read_reports(REPORTS, [f"robot/{version}/output.xml"])
        outcomes[version] = [(r.name, r.outcome, r.tags) for r in reports.results]
    assert outcomes["rf4"] == outcomes["rf5"] == outcomes["rf6"] == outcomes["rf7"]


def test_playwright_projects_are_separate_tests() -> None:
    reports = read_reports(REPORTS, ["playwright/junit.xml"])
    suites = {r.suite for r in reports.results}
    assert suites == {("api", "cart.spec.js"), ("api-eu", "cart.spec.js")}
    assert reports.totals.flaky == 0
