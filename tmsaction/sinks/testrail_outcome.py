"""What the TestRail sync did: the runs results went to, what was created, and each test's
delivery. Pure values, recorded on `RunReport.testrail`; the summary, `results_json` and the
outputs read them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tmsaction.runreport import SyncProblem


class Delivery(StrEnum):
    """What happened to one result (one test for one case)."""

    SENT = "sent"  # posted by this invocation
    PRESENT = "present"  # already in the run (an earlier attempt or a lost answer that landed)
    UNSENT = "unsent"  # could not be sent: `error` says why
    PLANNED = "planned"  # dry run: would be sent


@dataclass(frozen=True, slots=True)
class ResultDelivery:
    case_id: int | None
    status: Delivery
    run_id: int | None = None
    test_id: int | None = None
    result_id: int | None = None
    error: str | None = None
    case_created: bool = False
    attachments: int = 0  # files uploaded to this result


@dataclass(frozen=True)
class CreatedCase:
    id: int
    title: str
    section_path: tuple[str, ...]


@dataclass(frozen=True)
class RunOutcome:
    """One TestRail run the sync wrote to (or would, in a dry run)."""

    label: str  # "Shop › Backend"
    run_id: int | None
    name: str
    url: str | None
    how: str  # "created", "found" (this workflow run's), "reused" (testrail_run_id), "plan entry"
    plan_id: int | None = None
    closed: bool = False
    created_sections: tuple[tuple[str, ...], ...] = ()
    created_cases: tuple[CreatedCase, ...] = ()
    sent: int = 0
    present: int = 0
    unsent: int = 0
    planned: int = 0
    new_cases_planned: int = 0  # dry run: cases that would be created
    new_sections_planned: int = 0


@dataclass(frozen=True)
class UnsentTest:
    index: int
    error: str


@dataclass(frozen=True)
class TestRailOutcome:
    """The TestRail sync's result. `deliveries` has an entry for every test that targets a case;
    `skipped` says why the others send nothing (unmatched, or an outcome that sends no status)."""

    __test__ = False

    runs: tuple[RunOutcome, ...] = ()
    deliveries: Mapping[int, tuple[ResultDelivery, ...]] = field(default_factory=dict)
    skipped: Mapping[int, str] = field(default_factory=dict)
    unsent_tests: Mapping[int, str] = field(default_factory=dict)  # index -> first error
    problems: tuple[SyncProblem, ...] = ()
    notes: tuple[str, ...] = ()
    attachments: int = 0  # files uploaded
    dry_run: bool = False
    requests: int = 0  # HTTP requests this invocation sent to TestRail

    @property
    def first_run(self) -> RunOutcome | None:
        """The first route's run: the `run_id` and `run_url` outputs."""
        return next((run for run in self.runs if run.run_id is not None), None)

    @property
    def sent(self) -> int:
        return sum(run.sent for run in self.runs)

    @property
    def unsent(self) -> int:
        return len(self.unsent_tests)

    def unsent_rows(self, limit: int) -> list[tuple[int, str]]:
        """The first `limit` tests that could not be sent, in report order, with the reason."""
        return sorted(self.unsent_tests.items())[: max(0, limit)]

    @property
    def created_cases(self) -> tuple[CreatedCase, ...]:
        return tuple(case for run in self.runs for case in run.created_cases)

    def sync_entry(self, index: int) -> dict[str, Any] | None:
        """The `sync.testrail` object of one test in results_json (None: TestRail not used)."""
        deliveries = self.deliveries.get(index)
        if not deliveries:
            reason = self.unsent_tests.get(index)
            if reason is not None:
                return _entry(Delivery.UNSENT.value, None, reason)
            skipped = self.skipped.get(index)
            return _entry("skipped", None, skipped) if skipped is not None else None
        first = deliveries[0]
        statuses = {d.status for d in deliveries}
        status = (
            Delivery.UNSENT
            if Delivery.UNSENT in statuses
            else (Delivery.SENT if Delivery.SENT in statuses else first.status)
        )
        entry = _entry(status.value, first, first.error or self.unsent_tests.get(index))
        if len(deliveries) > 1:
            entry["results"] = [_entry(d.status.value, d, d.error) for d in deliveries]
        return entry


def _entry(status: str, delivery: ResultDelivery | None, error: str | None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "status": status,
        "case_id": delivery.case_id if delivery else None,
        "run_id": delivery.run_id if delivery else None,
        "test_id": delivery.test_id if delivery else None,
        "result_id": delivery.result_id if delivery else None,
        "error": error if status != "skipped" else None,
    }
    if status == "skipped":
        entry["reason"] = error
    if delivery is not None and delivery.case_created:
        entry["case_created"] = True
    if delivery is not None and delivery.attachments:
        entry["attachments"] = delivery.attachments
    return entry
