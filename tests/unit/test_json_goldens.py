"""Golden tests over reports written by the real frameworks (scripts/fixtures/json_reports.sh).

Each `tests/fixtures/reports/<framework>/<report>` has a reviewed `<report>.expected.json` beside
it: the detected format, the totals and every test as `results_json` writes it, plus the problems.
Regenerate with `TMSACTION_UPDATE_GOLDENS=1 .venv/bin/pytest tests/unit/test_json_goldens.py`
and review the diff.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from tmsaction import results_json
from tmsaction.model import TestResult, Totals
from tmsaction.reports.collect import read_one
from tmsaction.reports.merge import ResultMerger

from tests.conftest import FIXTURES
from tests.goldens import assert_golden

REPORTS = FIXTURES / "reports"
# (framework folder, report file, format the content must be detected as)
CASES = [
    ("behave", "report.json", "behave"),
    ("dart", "report.json", "dart"),
    ("cucumber-js", "report.json", "cucumber"),
    ("cucumber-messages", "report.ndjson", "cucumber-messages"),
    ("gotest", "report.json", "gotest"),
    ("gotest", "rerun.json", "gotest"),
    ("jest", "report.json", "jest"),
    ("mocha", "report.json", "mocha"),
    ("mochawesome", "report.json", "mochawesome"),
    ("playwright", "report.json", "playwright"),
    ("pytest-bdd", "report.json", "cucumber"),
    ("pytest-json", "report.json", "pytest-json"),
    ("rspec", "report.json", "rspec"),
    ("robot", "report.json", "robot-json"),
    ("rspec", "load-error.json", "rspec"),
    ("tap", "node-test.tap", "tap"),
    ("tap", "perl-test-more.tap", "tap"),
    ("vitest", "report.json", "jest"),
]


def read_golden_view(path: Path, source: str) -> dict[str, Any]:
    """What a golden records for one report file."""
    merger = ResultMerger()
    report, problems = read_one(path, source, merger.add)
    results = merger.results()
    return {
        "format": report.format if report else None,
        "entries": report.tests if report else 0,
        "totals": asdict(Totals.of(results)),
        "problems": [asdict(problem) for problem in problems],
        "tests": [entry(result) for result in results],
    }


def entry(result: TestResult) -> dict[str, Any]:
    """`results_json.test_entry`, plus the detail fields it leaves out (parameters, output)."""
    view = results_json.test_entry(result)
    if result.detail is not None:
        for key in ("parameters", "stdout", "stderr"):
            value = getattr(result.detail, key)
            if value is not None:
                view[key] = value
    return view


@pytest.mark.parametrize(("framework", "name", "expected_format"), CASES)
def test_report_matches_its_golden(framework: str, name: str, expected_format: str) -> None:
    path = REPORTS / framework / name
    view = read_golden_view(path, f"{framework}/{name}")
    assert view["format"] == expected_format
    assert_golden(path.with_name(name.rsplit(".", 1)[0] + ".expected.json"), view)
