"""Golden tests over the real-world JSON reports in ../shared/corpus/enricomi (dart, mocha, json).

That project's expectations (`.results.json`, `.exception`) are its own semantics. Where ours
differ on purpose, the difference is named in `DELIBERATE` with the reason; everything else
(counts and the per-test outcomes) must agree.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from tmsaction.model import Outcome, TestResult
from tmsaction.reports.collect import read_one
from tmsaction.reports.merge import ResultMerger

pytestmark = pytest.mark.corpus

ENRICOMI = Path("enricomi")

#: (report, full test name) -> (their outcome, ours, why ours differs).
DELIBERATE: dict[tuple[str, str], tuple[str, str, str]] = {
    ("mocha/tests.json", "Test .clone() should copy the title"): (
        "error",
        "failed",
        "EnricoMi reads unexpected.js's `errorMode` as an error; Mocha has no error category, "
        "so every failed Mocha test is a failure here (only hook failures are errors)",
    ),
}


def read(path: Path, source: str) -> tuple[list[TestResult], list[Any], str | None]:
    merger = ResultMerger()
    report, problems = read_one(path, source, merger.add)
    return list(merger.results()), problems, report.format if report else None


def full_name(result: TestResult) -> str:
    """The name EnricoMi shows: describe/group path and title in one string."""
    return f"{result.classname} {result.name}" if result.classname else result.name


def their_outcomes(expected: dict[str, Any]) -> dict[str, str]:
    """Per-test outcome from the other project's annotations (`... failed`, `... with error`,
    the skipped list and the list of every test)."""
    outcomes: dict[str, str] = {}
    for note in expected["annotations"]:
        title, raw = note["title"], note.get("raw_details") or ""
        if title.endswith((" skipped tests found", " skipped test found")):
            outcomes.update(dict.fromkeys(raw.splitlines(), "skipped"))
        elif title.endswith((" tests found", " test found")):
            outcomes = dict.fromkeys(raw.splitlines(), "passed") | outcomes
        elif title.endswith(" with error"):
            outcomes[title.removesuffix(" with error")] = "error"
        elif title.endswith(" failed"):
            outcomes[title.removesuffix(" failed")] = "failed"
    return outcomes


def our_outcome(result: TestResult) -> str:
    return result.outcome.value


@pytest.mark.parametrize("report", ["dart/json/tests.json", "mocha/tests.json"])
def test_counts_and_outcomes_agree_except_named_differences(corpus: Path, report: str) -> None:
    path = corpus / ENRICOMI / report
    expected = json.loads(path.with_name(path.stem + ".results.json").read_text(encoding="utf-8"))
    results, problems, detected = read(path, report)
    assert detected == report.split("/", maxsplit=1)[0]
    assert problems == []

    theirs = their_outcomes(expected)
    ours = {full_name(r): our_outcome(r) for r in results}
    assert set(ours) == set(theirs), "the same tests, by the same full names"
    differences = {name: (theirs[name], ours[name]) for name in ours if ours[name] != theirs[name]}
    named = {
        name: (their, our)
        for (source, name), (their, our, _why) in DELIBERATE.items()
        if source == report
    }
    assert differences == named

    stats = expected["stats"]
    counts = Counter(r.outcome for r in results)
    moved = Counter(their for their, _ in named.values())
    moved_to = Counter(our for _, our in named.values())

    def adjusted(their_count: int, outcome: str) -> int:
        return their_count - moved[outcome] + moved_to[outcome]

    assert len(results) == stats["tests"]
    assert counts[Outcome.PASSED] == adjusted(stats["tests_succ"], "passed")
    assert counts[Outcome.SKIPPED] == adjusted(stats["tests_skip"], "skipped")
    assert counts[Outcome.FAILED] == adjusted(stats["tests_fail"], "failed")
    assert counts[Outcome.ERROR] == adjusted(stats["tests_error"], "error")


def test_dart_corpus_keeps_files_lines_and_messages(corpus: Path) -> None:
    results, _, _ = read(corpus / ENRICOMI / "dart/json/tests.json", "tests.json")
    invocation = next(r for r in results if r.name == "should have correct invocation")
    assert invocation.classname == "Cli runner"
    # The checkout prefix of the GitHub runner is cut from the file URL.
    assert invocation.file == "test/src/cli/cli_runner_test.dart"
    assert invocation.line == 21
    assert invocation.message is not None
    assert invocation.message.startswith(
        "Expected: 'metrics <command> [arguments] <directories> nope'"
    )
    skipped = next(r for r in results if r.outcome is Outcome.SKIPPED)
    assert skipped.message == "just skipping"


@pytest.mark.parametrize(
    ("name", "expected_message", "position"),
    [
        ("empty.json", "the file is empty", None),
        ("malformed-json.json", "the file is not valid JSON (Expecting property name", (1, 16)),
        ("non-json.json", "not a test report format tmsaction reads", None),
    ],
)
def test_rejected_files_give_a_clear_problem(
    corpus: Path, name: str, expected_message: str, position: tuple[int, int] | None
) -> None:
    """EnricoMi rejects these (`.exception`); here each is one per-file problem, no traceback."""
    path = corpus / ENRICOMI / "json" / name
    assert path.with_suffix(".exception").exists()
    results, problems, _ = read(path, name)
    assert results == []
    (problem,) = problems
    assert problem.severity == "error"
    assert problem.message.startswith(expected_message)
    assert (problem.line, problem.column) == (position or (None, None))


def test_a_missing_file_is_a_problem_too(corpus: Path) -> None:
    exception = corpus / ENRICOMI / "json" / "not-existing.exception"
    assert "File does not exist" in exception.read_text(encoding="utf-8")
    results, problems, _ = read(corpus / ENRICOMI / "json" / "not-existing.json", "x.json")
    assert results == []
    assert problems[0].message.startswith("cannot read the file")
