"""The values "what changed" is made of: one side of the comparison, the previous run it came
from, and the differences. Pure; no I/O.

A side maps a key to an outcome. Keys are test identities (`TestIdentity.key`) when the previous
run is a `results_json` file, and TestRail case ids (`C123`) when it is a TestRail run, whose
tests are cases, not test results.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from tmsaction.model import Outcome

KeyKind = Literal["test", "case"]
Source = Literal["testrail", "github"]

#: No list of changed tests holds more than this; the counts are always complete.
LIST_LIMIT = 1000


@dataclass(frozen=True)
class Figures:
    """Run-level figures compared as the coverage delta; None when unknown for that run.

    `coverage_source` says how `automated` was counted ("testrail": over the TestRail snapshot,
    "mapping": only what the mapping knows), since the two must not be compared with each other.
    """

    automated: int | None = None
    cases: int | None = None
    regression_percent: float | None = None
    coverage_source: str | None = None


@dataclass(frozen=True)
class Side:
    """One run's outcomes by key, with what is needed to show a key to a person."""

    kind: KeyKind
    outcomes: Mapping[str, Outcome]
    names: Mapping[str, str] = field(default_factory=dict)  # display name; else from the key
    messages: Mapping[str, str] = field(default_factory=dict)  # failure message by key
    figures: Figures = field(default_factory=Figures)
    # False when flaky cannot be told from passed (a TestRail run where both send Passed): then
    # no test is "newly flaky" or "no longer flaky" against it.
    flaky_known: bool = True


@dataclass(frozen=True)
class PreviousRun:
    """Which run "what changed" compares with, and where a reader finds it."""

    source: Source
    label: str  # "CI #41 on main", or the TestRail run's name
    url: str | None  # the TestRail run, or the workflow run
    run_url: str | None = None  # the GitHub workflow run (also for a TestRail run, via its marker)
    branch: str = ""
    sha: str = ""


@dataclass(frozen=True)
class ChangedTest:
    key: str
    name: str  # for display; untrusted (escape when rendering)
    before: Outcome | None  # None: not in the previous run
    after: Outcome | None  # None: not in this run
    message: str | None = None  # this run's failure message, for new failures


@dataclass(frozen=True)
class ChangeList:
    """How many tests changed one way, and the first `LIST_LIMIT` of them in report order."""

    count: int = 0
    tests: tuple[ChangedTest, ...] = ()

    @property
    def more(self) -> int:
        return self.count - len(self.tests)

    def __bool__(self) -> bool:
        return self.count > 0


@dataclass(frozen=True)
class Delta:
    """One figure before and after; `change` only when both are known."""

    before: float | None
    after: float | None

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return round(self.after - self.before, 1)

    @property
    def known(self) -> bool:
        return self.before is not None and self.after is not None


@dataclass(frozen=True)
class CoverageDelta:
    automated: Delta = field(default_factory=lambda: Delta(None, None))
    regression_percent: Delta = field(default_factory=lambda: Delta(None, None))
    pass_rate: Delta = field(default_factory=lambda: Delta(None, None))
    tests: Delta = field(default_factory=lambda: Delta(None, None))


@dataclass(frozen=True)
class Changes:
    """This run against the previous one. `compared` counts the keys present in both."""

    kind: KeyKind
    compared: int
    new_failures: ChangeList = field(default_factory=ChangeList)  # failing now, not before
    fixed: ChangeList = field(default_factory=ChangeList)  # failed before, pass now
    still_failing: ChangeList = field(default_factory=ChangeList)
    new_tests: ChangeList = field(default_factory=ChangeList)
    removed_tests: ChangeList = field(default_factory=ChangeList)
    newly_flaky: ChangeList = field(default_factory=ChangeList)
    no_longer_flaky: ChangeList = field(default_factory=ChangeList)  # flaky before, passed now
    coverage: CoverageDelta = field(default_factory=CoverageDelta)

    @property
    def anything(self) -> bool:
        """Whether any test changed state, appeared or went (still failing is no change)."""
        return any(
            (
                self.new_failures,
                self.fixed,
                self.new_tests,
                self.removed_tests,
                self.newly_flaky,
                self.no_longer_flaky,
            )
        )


@dataclass(frozen=True)
class PreviousResults:
    """What a reader found: the previous run and its outcomes."""

    run: PreviousRun
    side: Side


@dataclass(frozen=True)
class NoHistory:
    """Why there is nothing to compare with, as one calm sentence for the summary."""

    note: str
