"""Merging tests by identity across files: shards and reruns count once. Pure; no I/O.

Rules (documented in README, "How results are counted"):
- Tests with the same suite path, class and name are one test; every execution is an attempt.
- Failed (or errored) in one attempt and passed in another: FLAKY, counted once.
- Only failures: FAILED (ERROR when the last failing attempt was an error).
- Passed and skipped: PASSED. Only skipped: SKIPPED.
"""

from __future__ import annotations

from dataclasses import replace

from tmsaction.model import Attempt, Outcome, TestDetail, TestResult


def outcome_of(attempts: tuple[Attempt, ...]) -> Outcome:
    passed = any(a.outcome is Outcome.PASSED for a in attempts)
    failures = [a for a in attempts if a.outcome.is_failure]
    if passed and failures:
        return Outcome.FLAKY
    if failures:
        return failures[-1].outcome
    if passed:
        return Outcome.PASSED
    return Outcome.SKIPPED


def merge_pair(first: TestResult, second: TestResult) -> TestResult:
    """One test seen twice: keep every attempt, the first identity facts, the latest failure text."""
    attempts = first.attempts + second.attempts
    outcome = outcome_of(attempts)
    failing = [a for a in attempts if a.outcome.is_failure]
    latest = failing[-1] if failing else None
    a = first.detail or TestDetail()
    b = second.detail or TestDetail()
    detail = TestDetail(
        message=latest.message if latest else (a.message or b.message),
        details=latest.details if latest else (a.details or b.details),
        stdout=b.stdout or a.stdout,
        stderr=b.stderr or a.stderr,
        properties=tuple(dict.fromkeys(a.properties + b.properties)),
        tags=tuple(dict.fromkeys(a.tags + b.tags)),
        attachments=tuple(dict.fromkeys(a.attachments + b.attachments)),
        parameters=a.parameters or b.parameters,
        attempts=attempts,
    )
    durations = [x.duration for x in attempts if x.duration is not None]
    return replace(
        first,
        outcome=outcome,
        duration=sum(durations) if durations else None,
        file=first.file or second.file,
        line=first.line if first.line is not None else second.line,
        detail=detail,
    )


class ResultMerger:
    """Collects tests in first-seen order and merges repeats by identity as they arrive.

    Built for a million tests: the index maps (suite path, class) -> name -> the first result seen
    (no position integers, no per-test key tuples), consecutive tests of one class skip the outer
    lookup, and merged values are kept aside by the identity of that first result.
    """

    __slots__ = (
        "_index",
        "_last_class",
        "_last_names",
        "_last_suite",
        "_merged",
        "_results",
        "merged",
    )

    def __init__(self) -> None:
        self._results: list[TestResult] = []
        self._index: dict[tuple[tuple[str, ...], str], dict[str, TestResult]] = {}
        self._merged: dict[int, TestResult] = {}  # id(first result) -> merged result
        self._last_suite: tuple[str, ...] | None = None
        self._last_class: str | None = None
        self._last_names: dict[str, TestResult] = {}
        self.merged = 0

    def add(self, result: TestResult) -> None:
        name = result.name
        if not name:
            # A test without a name cannot be told apart from another: never merged.
            self._results.append(result)
            return
        suite = result.suite
        classname = result.classname
        if suite is self._last_suite and classname is self._last_class:
            names = self._last_names
        else:
            key = (suite, classname)
            found = self._index.get(key)
            if found is None:
                found = self._index[key] = {}
            names = self._last_names = found
            self._last_suite = suite
            self._last_class = classname
        first = names.setdefault(name, result)
        if first is result:
            self._results.append(result)
        else:
            current = self._merged.get(id(first), first)
            self._merged[id(first)] = merge_pair(current, result)
            self.merged += 1

    def results(self) -> tuple[TestResult, ...]:
        if not self._merged:
            return tuple(self._results)
        merged = self._merged
        return tuple(merged.get(id(result), result) for result in self._results)

    def __len__(self) -> int:
        return len(self._results)
