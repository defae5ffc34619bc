"""The test result model every report format is read into. Pure; no I/O.

One `TestResult` per test after merging; rarely used fields live in a `TestDetail`
so a million passing tests stay small (see bench/parse.py for the memory figures).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

#: Bound on captured stdout/stderr/details per test, in characters. Reports of crashing suites can
#: carry megabytes of output per test; the head and tail are what people read.
OUTPUT_LIMIT = 64 * 1024


class Outcome(StrEnum):
    """Final outcome of a test (`FLAKY`: failed or errored, then passed, in the same report set)."""

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"
    FLAKY = "flaky"

    @property
    def is_failure(self) -> bool:
        return self in (Outcome.FAILED, Outcome.ERROR)


@dataclass(frozen=True, slots=True)
class Attempt:
    """One execution of a test: reruns (Surefire `rerunFailure`, `flakyFailure`, pytest-rerunfailures,
    the same test in a rerun report) give several attempts."""

    outcome: Outcome  # never FLAKY
    duration: float | None = None
    message: str | None = None
    details: str | None = None
    source: str = ""


@dataclass(frozen=True, slots=True)
class TestDetail:
    """Everything beyond identity and outcome; absent (None) on most passing tests."""

    __test__ = False  # not a pytest test class

    message: str | None = None
    details: str | None = None  # stack trace or failure body
    stdout: str | None = None
    stderr: str | None = None
    properties: tuple[tuple[str, str], ...] = ()
    tags: tuple[str, ...] = ()
    attachments: tuple[str, ...] = ()  # paths or URLs referenced by the report
    parameters: str | None = None
    attempts: tuple[Attempt, ...] = ()  # only when there was more than one attempt


@dataclass(frozen=True, slots=True)
class TestIdentity:
    """What makes two entries in two reports the same test: suite path, class and name.

    `file`, `line` and `parameters` describe the test but are not part of the merge key: lines move
    when code is edited, and parameters are already part of the name in every format we read.
    """

    __test__ = False  # not a pytest test class

    suite: tuple[str, ...]
    classname: str
    name: str

    @property
    def key(self) -> str:
        return "\x1f".join((*self.suite, "\x1e", self.classname, self.name))

    def display(self) -> str:
        """Human form used in messages and the summary: `Class › name` (or suite › name)."""
        owner = self.classname or (self.suite[-1] if self.suite else "")
        return f"{owner} › {self.name}" if owner else self.name


@dataclass(frozen=True, slots=True)
class TestResult:
    """A test as read from the reports, merged by identity across files.

    Flat on purpose: one object per test keeps a million-test report set within the memory target.
    """

    __test__ = False  # not a pytest test class

    suite: tuple[str, ...]
    classname: str
    name: str
    outcome: Outcome
    duration: float | None = None
    source: str = ""  # report file the test was read from (first one, when merged)
    file: str | None = None
    line: int | None = None
    detail: TestDetail | None = None

    @property
    def identity(self) -> TestIdentity:
        return TestIdentity(self.suite, self.classname, self.name)

    @property
    def message(self) -> str | None:
        return self.detail.message if self.detail else None

    @property
    def details(self) -> str | None:
        return self.detail.details if self.detail else None

    @property
    def properties(self) -> tuple[tuple[str, str], ...]:
        return self.detail.properties if self.detail else ()

    @property
    def tags(self) -> tuple[str, ...]:
        return self.detail.tags if self.detail else ()

    @property
    def attachments(self) -> tuple[str, ...]:
        return self.detail.attachments if self.detail else ()

    @property
    def parameters(self) -> str | None:
        return self.detail.parameters if self.detail else None

    @property
    def attempts(self) -> tuple[Attempt, ...]:
        """Every execution; a test run once has exactly one attempt."""
        if self.detail and self.detail.attempts:
            return self.detail.attempts
        single = Outcome.FAILED if self.outcome is Outcome.FLAKY else self.outcome
        return (Attempt(single, self.duration, self.message, self.details, self.source),)

    def property_values(self, name: str) -> list[str]:
        """Values of every property called `name` (case-insensitive)."""
        wanted = name.lower()
        return [value for key, value in self.properties if key.lower() == wanted]


@dataclass(frozen=True, slots=True)
class ReportProblem:
    """A report file (or part of one) that could not be read; shown in the summary and as a warning."""

    source: str  # path relative to the workspace
    message: str  # one sentence: what is wrong and how to fix it
    line: int | None = None
    column: int | None = None
    severity: str = "warning"  # "warning" (read with losses) or "error" (file skipped)

    def location(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where


@dataclass(frozen=True, slots=True)
class ReportFile:
    """One report file that was read: its path, detected format and how many test entries it held."""

    source: str
    format: str
    tests: int


@dataclass(frozen=True, slots=True)
class Totals:
    total: int = 0
    passed: int = 0
    failed: int = 0  # failed + error
    errors: int = 0  # the error share of `failed`
    skipped: int = 0
    flaky: int = 0
    duration: float = 0.0

    @staticmethod
    def of(results: Iterator[TestResult] | list[TestResult] | tuple[TestResult, ...]) -> Totals:
        counts = dict.fromkeys(Outcome, 0)
        duration = 0.0
        for result in results:
            counts[result.outcome] += 1
            if result.duration:
                duration += result.duration
        failed = counts[Outcome.FAILED] + counts[Outcome.ERROR]
        return Totals(
            total=sum(counts.values()),
            passed=counts[Outcome.PASSED],
            failed=failed,
            errors=counts[Outcome.ERROR],
            skipped=counts[Outcome.SKIPPED],
            flaky=counts[Outcome.FLAKY],
            duration=duration,
        )


@dataclass(frozen=True, slots=True)
class ReportSet:
    """Everything read from the workspace: merged results, the files read and the problems met."""

    results: tuple[TestResult, ...]
    files: tuple[ReportFile, ...] = ()
    problems: tuple[ReportProblem, ...] = ()
    patterns: tuple[str, ...] = ()
    unmatched_patterns: tuple[str, ...] = ()  # include patterns that matched no file
    totals: Totals = field(default_factory=Totals)

    @property
    def failures(self) -> Iterator[TestResult]:
        """The failed and errored tests, in report order, as they are asked for: the
        annotations stop after the few GitHub shows, and a million-test list is never built."""
        failed, error = Outcome.FAILED, Outcome.ERROR
        return (r for r in self.results if r.outcome is failed or r.outcome is error)
