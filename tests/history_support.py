"""Helpers for the history tests: an earlier run's results_json, written by the real writer."""

from __future__ import annotations

import tempfile
from pathlib import Path

from tmsaction.inputs import RunContext
from tmsaction.model import Outcome, ReportFile, ReportSet, TestDetail, TestResult, Totals
from tmsaction.results_json import write_results_json
from tmsaction.runreport import RunReport

Test = tuple[str, str, Outcome]  # classname, name, outcome


def result(classname: str, name: str, outcome: Outcome) -> TestResult:
    detail = TestDetail(message=f"{name} broke") if outcome.is_failure else None
    return TestResult(("suite.xml",), classname, name, outcome, detail=detail)


def results_json(tests: list[Test], *, run_id: str = "1", sha: str = "a" * 40) -> bytes:
    """The results_json bytes of a run with `tests` (the file the upload step keeps)."""
    results = tuple(result(*test) for test in tests)
    reports = ReportSet(
        results=results,
        files=(ReportFile("r.xml", "junit", len(results)),),
        totals=Totals.of(results),
    )
    with tempfile.TemporaryDirectory() as scratch:
        context = RunContext(
            workspace=Path(scratch), repository="acme/shop", run_id=run_id, sha=sha
        )
        path = Path(scratch) / "tmsaction-results.json"
        write_results_json(path, RunReport(reports=reports, context=context))
        return path.read_bytes()
