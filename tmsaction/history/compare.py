"""The pure diff of two runs: new failures, fixed, still failing, new and removed tests, flaky
changes and the coverage delta. Pure; no I/O.

Rules (README "What changed since the previous run"):
- a test failing now (failed or error) that did not fail before is a **new failure**, also when it
  is a new test: the reader wants every failure this change brought;
- a test that failed before and passes now (passed, or flaky: passed on a rerun) is **fixed**; one
  that failed before and is skipped now is neither fixed nor failing;
- **newly flaky**: flaky now, not flaky before; **no longer flaky**: flaky before, passed now;
  neither when the previous run cannot tell flaky from passed (TestRail, when both send Passed);
- pass rate is passed and flaky over everything not skipped, on each side's own keys, so a
  TestRail comparison (by case) compares case pass rates with case pass rates;
- automated cases and regression share are compared only when both runs counted them the same
  way (over TestRail, or from the mapping alone).
"""

from __future__ import annotations

from collections.abc import Mapping

from tmsaction.coverage import percent
from tmsaction.history.model import (
    LIST_LIMIT,
    ChangedTest,
    ChangeList,
    Changes,
    CoverageDelta,
    Delta,
    Side,
)
from tmsaction.model import Outcome, TestIdentity

_PASSING = frozenset({Outcome.PASSED, Outcome.FLAKY})


class _Collector:
    """A count and the first `LIST_LIMIT` entries."""

    def __init__(self) -> None:
        self.count = 0
        self.tests: list[ChangedTest] = []

    def add(self, changed: ChangedTest) -> None:
        self.count += 1
        if len(self.tests) < LIST_LIMIT:
            self.tests.append(changed)

    def done(self) -> ChangeList:
        return ChangeList(self.count, tuple(self.tests))


def display_from_key(key: str) -> str:
    """`Class › name` from a `TestIdentity.key`; other keys (case ids) are shown as they are."""
    parts = key.split("\x1f")
    if "\x1e" not in parts:
        return key
    split = parts.index("\x1e")
    identity = TestIdentity(tuple(parts[:split]), *_class_and_name(parts[split + 1 :]))
    return identity.display()


def _class_and_name(rest: list[str]) -> tuple[str, str]:
    if not rest:
        return "", ""
    return rest[0], "\x1f".join(rest[1:])


def pass_rate(outcomes: Mapping[str, Outcome]) -> float | None:
    """Passed and flaky over everything that ran (not skipped), in percent."""
    passing = ran = 0
    for outcome in outcomes.values():
        if outcome is Outcome.SKIPPED:
            continue
        ran += 1
        passing += outcome in _PASSING
    return percent(passing, ran)


def coverage_delta(previous: Side, current: Side) -> CoverageDelta:
    before, after = previous.figures, current.figures
    comparable = (
        before.coverage_source is not None and before.coverage_source == after.coverage_source
    )

    def figure(value_before: float | None, value_after: float | None) -> Delta:
        return Delta(value_before if comparable else None, value_after)

    return CoverageDelta(
        automated=figure(_num(before.automated), _num(after.automated)),
        regression_percent=figure(before.regression_percent, after.regression_percent),
        pass_rate=Delta(pass_rate(previous.outcomes), pass_rate(current.outcomes)),
        tests=Delta(float(len(previous.outcomes)), float(len(current.outcomes))),
    )


def _num(value: int | None) -> float | None:
    return None if value is None else float(value)


def compare(previous: Side, current: Side) -> Changes:
    """What changed from `previous` to `current` (both keyed the same way)."""
    if previous.kind != current.kind:
        raise ValueError(f"cannot compare {previous.kind} keys with {current.kind} keys")
    new_failures, fixed, still_failing = _Collector(), _Collector(), _Collector()
    new_tests, removed_tests = _Collector(), _Collector()
    newly_flaky, no_longer_flaky = _Collector(), _Collector()
    before_of = previous.outcomes
    flaky_known = previous.flaky_known and current.flaky_known

    def name(key: str) -> str:
        return current.names.get(key) or previous.names.get(key) or display_from_key(key)

    compared = 0
    for key, after in current.outcomes.items():
        before = before_of.get(key)
        if before is None:
            changed = ChangedTest(key, name(key), None, after, current.messages.get(key))
            new_tests.add(changed)
            if after.is_failure:
                new_failures.add(changed)
            continue
        compared += 1
        if after.is_failure:
            message = current.messages.get(key)
            target = still_failing if before.is_failure else new_failures
            target.add(ChangedTest(key, name(key), before, after, message))
        elif before.is_failure and after in _PASSING:
            fixed.add(ChangedTest(key, name(key), before, after))
        if not flaky_known:
            continue
        if after is Outcome.FLAKY and before is not Outcome.FLAKY:
            newly_flaky.add(ChangedTest(key, name(key), before, after))
        elif before is Outcome.FLAKY and after is Outcome.PASSED:
            no_longer_flaky.add(ChangedTest(key, name(key), before, after))
    current_outcomes = current.outcomes
    for key, before in before_of.items():
        if key not in current_outcomes:
            removed_tests.add(ChangedTest(key, name(key), before, None))
    return Changes(
        kind=current.kind,
        compared=compared,
        new_failures=new_failures.done(),
        fixed=fixed.done(),
        still_failing=still_failing.done(),
        new_tests=new_tests.done(),
        removed_tests=removed_tests.done(),
        newly_flaky=newly_flaky.done(),
        no_longer_flaky=no_longer_flaky.done(),
        coverage=coverage_delta(previous, current),
    )
