"""Find the report files, read each one with the parser its content calls for, merge the tests.

The file funnel: this is the only module that opens report files. One bad file becomes a
`ReportProblem`; every other file is still read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from tmsaction.gcpause import collector_paused
from tmsaction.model import ReportFile, ReportProblem, ReportSet, TestResult, Totals
from tmsaction.reports.base import ParseContext
from tmsaction.reports.detect import HEAD_SIZE, detect_format, looks_binary
from tmsaction.reports.errors import ReportParseError
from tmsaction.reports.formats import DESCRIPTIONS, PARSERS
from tmsaction.reports.globs import expand
from tmsaction.reports.merge import ResultMerger
from tmsaction.reports.twocores import read_files


def read_reports(workspace: Path, patterns: Sequence[str]) -> ReportSet:
    """Expand `patterns` under `workspace`, parse every matching file and merge by identity."""
    # Reading creates up to millions of long-lived objects and no reference cycles: the cyclic
    # collector is paused meanwhile (it cost a tenth of the time on a million tests; gcpause.py).
    with collector_paused():
        return _read_reports(workspace, patterns)


def _read_reports(workspace: Path, patterns: Sequence[str]) -> ReportSet:
    paths, unmatched = expand(workspace, patterns)
    merger = ResultMerger()
    files: list[ReportFile] = []
    problems: list[ReportProblem] = []
    sources = [(path, _display(path, workspace)) for path in paths]
    for report, file_problems in read_files(sources, read_one, merger.add):
        problems.extend(file_problems)
        if report is not None:
            files.append(report)
    results = merger.results()
    return ReportSet(
        results=results,
        files=tuple(files),
        problems=tuple(problems),
        patterns=tuple(patterns),
        unmatched_patterns=tuple(unmatched),
        totals=Totals.of(results),
    )


def read_one(
    path: Path, source: str, add: Callable[[TestResult], None]
) -> tuple[ReportFile | None, list[ReportProblem]]:
    """Parse one file, giving each test to `add` (a merger's); problems are returned, never
    raised."""
    context = ParseContext(source)
    count = 0
    name = "unknown"
    try:
        with path.open("rb") as stream:
            head = stream.read(HEAD_SIZE)
            if not head.strip():
                return None, [
                    _problem(
                        source, "the file is empty; the test run may have crashed before writing it"
                    )
                ]
            if looks_binary(head):
                return None, [
                    _problem(
                        source, "the file is binary, not a test report; narrow the `reports` glob"
                    )
                ]
            detected = detect_format(head)
            if detected is None:
                supported = ", ".join(DESCRIPTIONS.values())
                return None, [
                    _problem(
                        source,
                        "not a test report format tmsaction reads "
                        f"(supported: {supported}); narrow the `reports` glob or "
                        "convert the report",
                    )
                ]
            name = detected
            stream.seek(0)
            for result in PARSERS[name](stream, context):
                add(result)
                count += 1
    except ReportParseError as error:
        kept = ""
        if count:
            kept = (
                "; the test before it was kept"
                if count == 1
                else f"; the {count} tests before it were kept"
            )
        context.problems.append(
            ReportProblem(source, f"{error.message}{kept}", error.line, error.column, "error")
        )
        return (ReportFile(source, name, count) if count else None), context.problems
    except OSError as error:
        return None, [_problem(source, f"cannot read the file ({error.strerror or error})")]
    return ReportFile(source, name, count), context.problems


def _problem(source: str, message: str) -> ReportProblem:
    return ReportProblem(source, message, severity="error")


def _display(path: Path, workspace: Path) -> str:
    try:
        return path.relative_to(workspace).as_posix()
    except ValueError:
        return path.as_posix()
