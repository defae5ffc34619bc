"""The run a suite's results go to, found or created once per workflow run, and cases added to it
without any job losing another job's cases or results.

One run per workflow run (re-runs, retries and matrix shards included):
- A new run's description carries the workflow run's marker line (`runmarker.py`). Before
  creating, the sink lists the suite's runs holding the marker (`find_runs`, newest month only:
  GitHub re-runs a workflow run at most 30 days later) and joins the lowest-id one.
- Shards starting together may each create one. After creating, a shard lists again and joins
  the lowest-id run with the marker; empty runs with the marker other than that one are deleted
  (by whoever sees them: they are never written to). Ids grow with creation time and a run is
  listed once created, so every shard sees the lowest one, which nobody deletes: all converge.

Adding cases to a run (`update_run` with `case_ids`) *replaces* the run's selection, so those
writes take turns with every other job (`testrail_turns.py`): no job drops another's cases.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from tmsaction.clients.testrail import TestRailClient, TestRailError
from tmsaction.errors import SyncError
from tmsaction.http import write_once
from tmsaction.plan.testrail_model import ExistingRun, RunKind, RunPlan
from tmsaction.sinks.testrail_kinds import is_fatal
from tmsaction.sinks.testrail_turns import Turns, delete_quietly

LOOKBACK_SECONDS = 31 * 24 * 3600


def find_marked_runs(
    client: TestRailClient, project_id: int, suite_id: int | None, marker: str, since: int
) -> list[ExistingRun]:
    """Standalone runs of the suite holding the marker, lowest id first."""
    runs = client.find_runs(
        project_id,
        marker,
        created_after=since if since > 0 else None,
        suite_id=suite_id,
        include_plan_runs=False,
    )
    return sorted((ExistingRun.of(run) for run in runs), key=lambda run: run.id)


def find_marked_entry_runs(
    client: TestRailClient,
    plan_id: int,
    suite_id: int,
    marker: str,
    config_ids: Sequence[int] | None,
) -> list[ExistingRun]:
    """Runs of the plan's entries for the suite holding the marker (with exactly these
    configurations, unless None), lowest id first."""
    found = []
    for entry in client.find_plan_entries(plan_id, marker):
        if entry.get("suite_id") != suite_id:
            continue
        for raw in entry.get("runs") or []:
            run = ExistingRun.of({**raw, "entry_id": entry["id"]})
            if config_ids is None or sorted(run.config_ids) == sorted(config_ids):
                found.append(run)
    return sorted(found, key=lambda run: run.id)


@dataclass
class OpenedRun:
    """The run one suite's results go to."""

    run: ExistingRun
    created: bool  # by this invocation (so it holds no result from elsewhere)
    how: str  # "created", "found", "reused", "plan entry"
    tests: dict[int, tuple[int, int]] | None = None  # case id -> (test id, status id), when read
    missing_cases: set[int] = field(default_factory=set)  # cases TestRail refused (deleted since)


class RunKeeper:
    """Opens runs and adds cases to them, for every suite of one invocation. Thread-safe."""

    def __init__(
        self,
        client: TestRailClient,
        *,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
        since: int,
        problems: list[str],
        notes: list[str],
    ) -> None:
        self.client = client
        self.sleep = sleep
        self.clock = clock
        self.since = since
        self.problems = problems
        self.notes = notes
        self._writes = threading.Lock()  # one selection write at a time within this process
        self.turns = Turns(client, sleep=sleep, clock=clock, since=since, notes=notes)
        self._suite_cases: dict[tuple[int, int | None], set[int]] = {}

    # -- finding or creating the run ---------------------------------------------------------
    def open(self, plan: RunPlan, case_ids: Sequence[int]) -> OpenedRun:
        """The run for `plan`, with `case_ids` when this call creates it. Raises TestRailError
        or SyncError when it can be neither found nor created."""
        target = plan.target
        if target.kind is RunKind.REUSE:
            assert target.run_id is not None
            run = plan.existing or ExistingRun.of(self.client.get_run(target.run_id))
            return OpenedRun(run, created=False, how="reused")
        if target.kind is RunKind.PLAN_ENTRY:
            return self._open_entry(plan, case_ids)
        if target.marker is None:
            run, unknown = self._known_cases(plan, case_ids, lambda ids: self._add_run(plan, ids))
            return OpenedRun(run, created=True, how="created", missing_cases=unknown)
        marker = target.marker
        runs = find_marked_runs(self.client, plan.project_id, plan.suite_id, marker, self.since)
        if runs:
            self._remove_duplicates(runs[0], runs[1:])
            return OpenedRun(runs[0], created=False, how="found")
        mine = write_once(
            lambda: (
                *self._known_cases(plan, case_ids, lambda ids: self._add_run(plan, ids)),
                True,
            ),
            lambda: self._first(
                find_marked_runs(self.client, plan.project_id, plan.suite_id, marker, self.since)
            ),
            sleep=self.sleep,
        )
        runs = find_marked_runs(self.client, plan.project_id, plan.suite_id, marker, self.since)
        winner = runs[0] if runs else mine[0]
        self._remove_duplicates(winner, [r for r in runs if r.id != winner.id])
        created = mine[2] and winner.id == mine[0].id
        return OpenedRun(
            winner,
            created=created,
            how="created" if created else "found",
            missing_cases=mine[1] if created else set(),
        )

    @staticmethod
    def _first(runs: list[ExistingRun]) -> tuple[ExistingRun, set[int], bool] | None:
        # After a lost answer the run found may be another job's: treat it as not ours.
        return (runs[0], set(), False) if runs else None

    def _known_cases(
        self,
        plan: RunPlan,
        case_ids: Sequence[int],
        create: Callable[[list[int]], ExistingRun],
    ) -> tuple[ExistingRun, set[int]]:
        """Create with `case_ids`; when TestRail refuses ids it does not know (the suite's cases
        were not read, or a case was deleted since), leave those out and say which."""
        try:
            return create(list(case_ids)), set()
        except TestRailError as error:
            if error.kind != "not_found" or not case_ids:
                raise
            unknown = set(case_ids) - self.case_ids_in(plan.project_id, plan.suite_id)
            if not unknown:
                raise
        return create([c for c in case_ids if c not in unknown]), unknown

    def case_ids_in(self, project_id: int, suite_id: int | None) -> set[int]:
        """Every case id of the suite (read once, only when TestRail refused an id)."""
        key = (project_id, suite_id)
        if key not in self._suite_cases:
            self._suite_cases[key] = {
                int(case["id"]) for case in self.client.iter_cases(project_id, suite_id)
            }
        return self._suite_cases[key]

    def _add_run(self, plan: RunPlan, case_ids: Sequence[int]) -> ExistingRun:
        target = plan.target
        raw = self.client.add_run(
            plan.project_id,
            target.name,
            list(case_ids),
            suite_id=plan.suite_id,
            description=target.description,
            milestone_id=target.milestone_id,
            refs=target.refs,
        )
        return ExistingRun.of(raw)

    def _open_entry(self, plan: RunPlan, case_ids: Sequence[int]) -> OpenedRun:
        target = plan.target
        assert target.plan_id is not None
        assert plan.suite_id is not None
        plan_id, suite_id, marker = target.plan_id, plan.suite_id, target.marker

        def find() -> list[ExistingRun]:
            if marker is None:
                return []
            return find_marked_entry_runs(self.client, plan_id, suite_id, marker, target.config_ids)

        runs = find()
        if runs:
            self._remove_duplicate_entries(plan_id, runs[0], runs[1:])
            return OpenedRun(runs[0], created=False, how="plan entry")

        def add(ids: list[int]) -> ExistingRun:
            entry = self.client.add_plan_entry(
                plan_id,
                suite_id,
                target.name,
                ids,
                description=target.description,
                config_ids=target.config_ids,
                refs=target.refs,
            )
            first = sorted(entry["runs"], key=lambda r: r["id"])[0]
            return ExistingRun.of({**first, "entry_id": entry["id"]})

        mine = write_once(
            lambda: (*self._known_cases(plan, case_ids, add), True),
            lambda: self._first(find()) if marker is not None else None,
            sleep=self.sleep,
        )
        runs = find() or [mine[0]]
        winner = runs[0]
        self._remove_duplicate_entries(plan_id, winner, [r for r in runs if r.id != winner.id])
        created = mine[2] and winner.id == mine[0].id
        return OpenedRun(
            winner,
            created=created,
            how="plan entry",
            missing_cases=mine[1] if created else set(),
        )

    def _remove_duplicates(self, winner: ExistingRun, others: Sequence[ExistingRun]) -> None:
        """Empty runs with this workflow run's marker other than the lowest: shards that created
        theirs at the same moment, or a create whose answer was lost. Nobody writes to them."""
        for run in others:
            if run.is_completed:
                continue  # closed: read-only, takes no results; nothing to clean
            if run.tested:
                self._problem(
                    f"TestRail holds two runs of this workflow run: results go to R{winner.id}, "
                    f"and R{run.id} already holds results too; merge them by hand in TestRail"
                )
                continue
            self._delete("delete_run", run.id, f"deleting the duplicate run R{run.id}")

    def _remove_duplicate_entries(
        self, plan_id: int, winner: ExistingRun, others: Sequence[ExistingRun]
    ) -> None:
        for run in others:
            if run.tested or run.entry_id is None or run.entry_id == winner.entry_id:
                continue
            self._delete(
                f"delete_plan_entry/{plan_id}",
                run.entry_id,
                f"deleting the duplicate plan entry of R{run.id}",
            )

    def _delete(self, endpoint: str, key: int | str, what: str) -> bool:
        """Best effort: a duplicate left behind takes no results (everyone joins the lowest)."""
        try:
            return delete_quietly(self.client, f"{endpoint}/{key}", what, self.notes)
        except (TestRailError, SyncError) as error:
            if isinstance(error, TestRailError) and is_fatal(error):
                raise
            self._note(f"{what} failed: {error}")
            return False

    # -- the run's cases ---------------------------------------------------------------------
    def read_tests(self, run: ExistingRun) -> dict[int, tuple[int, int]]:
        return {
            int(t["case_id"]): (int(t["id"]), int(t["status_id"]))
            for t in self.client.get_tests(run.id)
        }

    def ensure_cases(
        self, opened: OpenedRun, case_ids: Sequence[int], *, read_back: bool
    ) -> OpenedRun:
        """Add the cases the run lacks, in turn with every other job (see the module docstring).
        With `read_back` the run's tests are read afterwards, for their ids."""
        wanted = list(dict.fromkeys(case_ids))
        if opened.created and not read_back:
            return opened  # created with every case it needs
        tests = opened.tests if opened.tests is not None else self.read_tests(opened.run)
        missing = [c for c in wanted if c not in tests]
        refused: set[int] = set()
        if missing:
            with self._writes, self.turns.turn(opened.run):
                tests = self.read_tests(opened.run)
                missing = [c for c in wanted if c not in tests]
                if missing:
                    refused = self._write_selection(opened.run, [*tests, *missing], missing)
            if read_back or refused:
                tests = self.read_tests(opened.run)
        return replace(opened, tests=tests, missing_cases=opened.missing_cases | refused)

    def _write_selection(self, run: ExistingRun, case_ids: list[int], added: list[int]) -> set[int]:
        """Replace the run's case selection (inside a turn). Returns the added cases TestRail
        does not know (deleted since they were read), which are left out."""
        refused: set[int] = set()
        while True:
            selection = [c for c in case_ids if c not in refused]
            try:
                self._write(run, {"include_all": False, "case_ids": selection})
                return refused
            except TestRailError as error:
                if error.kind != "not_found" or refused:
                    raise
                refused = set(added) - self.case_ids_in(run.project_id, run.suite_id)
                if not refused:
                    raise

    def _write(self, run: ExistingRun, fields: dict[str, Any]) -> None:
        """`update_run`, or the plan endpoints for a run inside a plan (§3.6, §3.7)."""
        if run.plan_id is None:
            self.client.update_run(run.id, fields)
        elif run.config_ids:
            self.client.update_run_in_plan_entry(run.id, fields)
        else:
            assert run.entry_id is not None
            self.client.update_plan_entry(run.plan_id, run.entry_id, fields)

    # -- closing -------------------------------------------------------------------------------
    def close(self, run: ExistingRun) -> bool:
        """Close a standalone run; a run inside a plan is closed with its plan (noted)."""
        if run.plan_id is not None:
            self._note(
                f"R{run.id} is inside plan {run.plan_id}: runs in a plan are closed with the "
                "plan (close it in TestRail once every entry is done)"
            )
            return False
        run_id = run.id

        def verify() -> bool | None:
            # A 503 or reset before TestRail applied the close leaves the run open: send again.
            return True if self.client.get_run(run_id)["is_completed"] else None

        return write_once(lambda: bool(self.client.close_run(run_id)), verify, sleep=self.sleep)

    def _note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def _problem(self, text: str) -> None:
        if text not in self.problems:
            self.problems.append(text)
