"""Golden tests over ../shared/corpus (real-world reports from other projects; never copied here).

- Every XML/TRX file is read without a traceback, through the real file funnel.
- enricomi/: where that project's expectations exist (`.results.json` counts, `.results` test
  list), ours agree, except for the named, reasoned differences in `DIFFERENCES`, where our own
  counts are asserted instead. Files it rejects (`.exception`) give a clear per-file problem here.
- testrail-samples/: each file is detected as the format it is and read.
"""

from __future__ import annotations

import ast
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from tmsaction.model import ReportSet
from tmsaction.reports.collect import read_reports

from tests.conftest import CORPUS

ENRICOMI = CORPUS / "enricomi"
SAMPLES = CORPUS / "testrail-samples"
XML_FILES = sorted(
    p.relative_to(CORPUS).as_posix()
    for p in CORPUS.rglob("*")
    if p.suffix in (".xml", ".trx") and p.is_file()
)


def _expectation(name: str, suffix: str) -> Path:
    path = CORPUS / name
    return path.with_name(path.name[: -len(path.suffix)] + suffix)


EXPECTED_FILES = [n for n in XML_FILES if _expectation(n, ".results.json").exists()]
REJECTED_FILES = [n for n in XML_FILES if _expectation(n, ".exception").exists()]
# The other project's outcome words -> ours.
THEIR_OUTCOMES = {
    "success": "passed",
    "skipped": "skipped",
    "disabled": "skipped",
    "failure": "failed",
    "error": "error",
}


@dataclass(frozen=True)
class Difference:
    """A deliberate difference from the other project's reading, and what we read instead."""

    reason: str
    totals: dict[str, int]  # ours: tests, passed, skipped, failed (not errors), errors
    same_names: bool = True  # the test names still agree (only outcomes or counts differ)


_NUNIT_ERROR_LABEL = (
    "NUnit 3 labels these failures `Error` (an exception, not an assertion): we report an error, "
    "the other project a failure"
)
DIFFERENCES = {
    "enricomi/junit-xml/no-cases-but-tests.xml": Difference(
        'the file only declares `tests="6"` on its suites and lists no test case: we count the '
        "test cases we can see (none) and warn, instead of inventing six unnamed tests",
        {"tests": 0, "passed": 0, "skipped": 0, "failed": 0, "errors": 0},
    ),
    "enricomi/nunit/mstest/clicketyclackety.xml": Difference(
        _NUNIT_ERROR_LABEL, {"tests": 23, "passed": 13, "skipped": 0, "failed": 1, "errors": 9}
    ),
    "enricomi/nunit/mstest/timewarpinc.xml": Difference(
        _NUNIT_ERROR_LABEL, {"tests": 1, "passed": 0, "skipped": 0, "failed": 0, "errors": 1}
    ),
    "enricomi/nunit/nunit3/jenkins/NUnit-issue44527.xml": Difference(
        _NUNIT_ERROR_LABEL, {"tests": 150, "passed": 6, "skipped": 0, "failed": 1, "errors": 143}
    ),
    "enricomi/nunit/nunit3/jenkins/NUnit-correct.xml": Difference(
        "NUnit 2 `NotRunnable` tests (no arguments, not public, no constructor) are broken tests: "
        "an error here (NUnit 3 reports them as failed/Invalid), skipped there",
        {"tests": 28, "passed": 18, "skipped": 5, "failed": 1, "errors": 4},
    ),
    "enricomi/nunit/nunit3/jenkins/NUnit-sec1752-file.xml": Difference(
        "the DOCTYPE declares an external entity (an XXE attack): we refuse the whole file with a "
        "located problem instead of reading it with the entity left out",
        {"tests": 0, "passed": 0, "skipped": 0, "failed": 0, "errors": 0},
        same_names=False,
    ),
    "enricomi/nunit/nunit3/jenkins/NUnit-sec1752-https.xml": Difference(
        "as NUnit-sec1752-file.xml: an entity declaration refuses the file",
        {"tests": 0, "passed": 0, "skipped": 0, "failed": 0, "errors": 0},
        same_names=False,
    ),
    "enricomi/trx/yami_YAMILEX_2015-10-24_04_18_59.trx": Difference(
        "TRX outcome `Error` (the test threw before an assertion could fail) is an error here, "
        "skipped there",
        {"tests": 25, "passed": 2, "skipped": 19, "failed": 2, "errors": 2},
    ),
    "enricomi/xunit/mstest/fixie.xml": Difference(
        'theory rows keep their arguments in the name (`ShouldBeString<System.String>("A")`): '
        "three tests here, one `ShouldBeString` method there, so a failing row is never merged "
        "into a passing one",
        {"tests": 7, "passed": 3, "skipped": 1, "failed": 3, "errors": 0},
        same_names=False,
    ),
    "enricomi/xunit/mstest/pickles.xml": Difference(
        "as fixie.xml: two rows of the `AddingSeveralNumbers` theory are two tests here",
        {"tests": 4, "passed": 3, "skipped": 0, "failed": 1, "errors": 0},
        same_names=False,
    ),
    "enricomi/xunit/mstest/jenkinsci/testcase5.xml": Difference(
        "xUnit.net writes a display name (`Install application.`) as the test name; we keep it, "
        "the other project uses the method name",
        {"tests": 5, "passed": 5, "skipped": 0, "failed": 0, "errors": 0},
        same_names=False,
    ),
    "enricomi/xunit/mstest/jenkinsci/testcase6.xml": Difference(
        "the test has a name (`collection1\\test.xml`) but no method: we keep the name, the other "
        "project reads an empty one",
        {"tests": 1, "passed": 0, "skipped": 0, "failed": 1, "errors": 0},
        same_names=False,
    ),
}

#: Files the other project rejects that we read, and why.
READ_THOUGH_REJECTED = {
    "enricomi/nunit/nunit3/jenkins/NUnit-issue17521.xml": (
        "one NUL character in the test output: replaced with U+FFFD and reported as a warning "
        "with its position, so its two test results are not lost"
    ),
}

#: testrail-samples: the format each file is, or None when it is not a report.
SAMPLE_FORMATS = {
    "java/testng/sample_reports/testng-results.xml": "testng",
    "java/testng-selenium/sample_reports/testng-results.xml": "testng",
    "java/testng/sample_reports/testng-failed.xml": None,  # a TestNG suite definition
    "java/testng-selenium/sample_reports/testng-failed.xml": None,
    "robotframework/robotframework-browser/sample_reports/output.xml": "robot",
    "robotframework/robotframework-selenium/sample_reports/output.xml": "robot",
}


def _read(name: str) -> ReportSet:
    path = CORPUS / name
    return read_reports(path.parent, [path.name])


def _their_cases(name: str) -> list[dict[str, Any]]:
    """The test list of the other project's `.results` file (a Python repr, read with `ast`)."""
    tree = ast.parse(_expectation(name, ".results").read_text(encoding="utf-8"))

    def value(node: ast.expr) -> Any:
        if isinstance(node, ast.Call):
            return {kw.arg: value(kw.value) for kw in node.keywords}
        if isinstance(node, ast.List):
            return [value(item) for item in node.elts]
        return ast.literal_eval(node)

    statement = tree.body[0]
    assert isinstance(statement, ast.Expr)
    cases: list[dict[str, Any]] = value(statement.value)["cases"]
    return cases


def _full(classname: str | None, name: str | None) -> str:
    return f"{classname}.{name}" if classname else name or ""


@pytest.mark.corpus
@pytest.mark.parametrize("name", XML_FILES)
def test_every_corpus_file_is_read_without_a_traceback(corpus: Path, name: str) -> None:
    reports = _read(name)
    assert reports.files or reports.problems, name
    for problem in reports.problems:
        assert problem.source == Path(name).name
        assert len(problem.message) > 20, problem


@pytest.mark.corpus
@pytest.mark.parametrize("name", REJECTED_FILES)
def test_files_the_other_project_rejects_give_a_clear_problem(corpus: Path, name: str) -> None:
    reports = _read(name)
    if name in READ_THOUGH_REJECTED:
        (warning,) = reports.problems
        assert warning.severity == "warning"
        assert "replaced with U+FFFD" in warning.message
        assert (warning.line, warning.column) == (33, 16)  # where the other parser stopped too
        assert reports.totals.total == 2
        return
    (problem,) = reports.problems
    assert problem.severity == "error"
    assert len(problem.message) > 30  # says what is wrong and what to do, not just "invalid"
    if reports.files:  # a truncated file: the tests before the break are kept, and it says so
        assert "before it w" in problem.message
        assert "kept" in problem.message


@pytest.mark.corpus
def test_rejection_positions_match_the_xml_error(corpus: Path) -> None:
    truncated = _read("enricomi/junit-xml/pytest/corrupt-xml.xml").problems[0]
    assert (truncated.line, truncated.column) == (11, 22)
    assert "truncated" in truncated.message
    attributes = _read("enricomi/nunit/nunit3/jenkins/NUnit-issue47367.xml").problems[0]
    assert attributes.line == 5
    assert attributes.column is not None
    xxe = _read("enricomi/nunit/nunit3/jenkins/NUnit-sec1752-file.xml").problems[0]
    assert "entities" in xxe.message
    assert xxe.line is not None


@pytest.mark.corpus
@pytest.mark.parametrize("name", EXPECTED_FILES)
def test_counts_and_tests_agree_with_the_other_project(corpus: Path, name: str) -> None:
    reports = _read(name)
    totals = reports.totals
    ours = {
        "tests": totals.total,
        "passed": totals.passed,
        "skipped": totals.skipped,
        "failed": totals.failed - totals.errors,
        "errors": totals.errors,
    }
    stats = json.loads(_expectation(name, ".results.json").read_text(encoding="utf-8"))["stats"]
    theirs = {
        "tests": stats["tests"],
        "passed": stats["tests_succ"],
        "skipped": stats["tests_skip"],
        "failed": stats["tests_fail"],
        "errors": stats["tests_error"],
    }
    their_cases = _their_cases(name)
    their_runs = Counter(
        (_full(c["class_name"], c["test_name"]), THEIR_OUTCOMES[c["result"]]) for c in their_cases
    )
    our_runs = Counter(
        (_full(r.classname, r.name), attempt.outcome.value)
        for r in reports.results
        for attempt in r.attempts
    )
    difference = DIFFERENCES.get(name)
    if difference is None:
        assert ours == theirs
        # The other project lists no cases for tests without names; counts still agree.
        assert our_runs == their_runs or not their_cases
        return
    assert ours == difference.totals, difference.reason
    our_names, their_names = {n for n, _ in our_runs}, {n for n, _ in their_runs}
    if difference.same_names:
        assert our_names == their_names
        assert ours != theirs, f"{name} no longer differs: remove it from DIFFERENCES"
    else:
        assert our_names != their_names, f"{name} no longer differs: remove it from DIFFERENCES"


@pytest.mark.corpus
@pytest.mark.parametrize("name", [n for n in XML_FILES if n.startswith("testrail-samples/")])
def test_testrail_samples_are_detected_and_read(corpus: Path, name: str) -> None:
    reports = _read(name)
    sample = name.removeprefix("testrail-samples/samples/")
    expected = SAMPLE_FORMATS.get(sample, "junit")
    if expected is None:
        assert not reports.files
        assert "not a test report format" in reports.problems[0].message
        return
    assert [f.format for f in reports.files] == [expected]
    assert reports.totals.total > 0
    assert not [p for p in reports.problems if p.severity == "error"]
