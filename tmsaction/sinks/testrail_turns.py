"""Taking turns to write a TestRail run's case selection, so that concurrent jobs (matrix shards)
never drop each other's cases.

`update_run` with `case_ids` *replaces* a run's case selection, and a case dropped from it loses
its results (research/testrail-api.md §3.6). Two jobs that read the run's cases, then write their
union, can each drop what the other added in between. So these writes take turns, in ticket
order:
- a job that must add cases creates a *ticket*: an empty run named "tmsaction: adding cases to
  R<n> (temporary)" whose description says `tmsaction-turn: run=<n> ticket=<random>`;
- it waits until no lower-id live ticket for the same run remains, then reads the run's cases
  (fresh, inside its turn), writes the union and deletes its ticket.
Within a turn nobody else writes the selection, so the union read is the current one and no case
is ever dropped: results posted for any case stay. A run's creator includes its own cases when
creating, and every other job only adds; the creator's results are safe without a turn.

Residual risks (README "Matrix shards"): a job that stalls inside its turn for longer than
`LEASE_SECONDS` (10 minutes) is presumed dead and the next job goes ahead; another tool that sets
the run's case list (the TestRail UI, trcli) while shards report can still drop cases. The final
job of the recommended matrix workflow re-sends every shard's reports alone, after all shards, so
it repairs anything lost that way (idempotency keys stop it from duplicating what is there).

A job that may not delete runs marks its ticket released (edits its description) instead; a
ticket older than `LEASE_SECONDS` when the next job takes its own is presumed dead.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from tmsaction.clients.testrail import TestRailClient, TestRailError
from tmsaction.errors import OutcomeUnknown, SyncError
from tmsaction.http import write_once
from tmsaction.plan.testrail_model import ExistingRun

LEASE_SECONDS = 600.0
POLL_SECONDS = 0.5
TURN_PREFIX = "tmsaction-turn:"
RELEASED = "(released)"


def delete_quietly(client: TestRailClient, endpoint: str, what: str, notes: list[str]) -> bool:
    """Delete one run or entry (`delete_run/12`); gone already counts as deleted. False, with a
    note, when the user may not delete."""
    for _ in range(4):
        try:
            client.post(endpoint, {}, what=what)
            return True
        except OutcomeUnknown:
            continue  # deleting twice is harmless: the next try answers "not valid" if gone
        except TestRailError as error:
            if error.kind == "not_found":
                return True
            if error.kind == "forbidden":
                note = (
                    f"TestRail user '{client.user}' may not delete runs, so the empty run or "
                    f"entry tmsaction made ({endpoint.rsplit('/', 1)[-1]}) remains; delete it in "
                    "TestRail (and give the user's role the permission to delete runs)"
                )
                if note not in notes:
                    notes.append(note)
                return False
            raise
    raise SyncError(f"TestRail did not answer while {what}")


class Turns:
    """Tickets in TestRail, one turn at a time per run."""

    def __init__(
        self,
        client: TestRailClient,
        *,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
        since: int,
        notes: list[str],
    ) -> None:
        self.client = client
        self.sleep = sleep
        self.clock = clock
        self.since = since
        self.notes = notes
        self._rng = random.Random()

    @contextmanager
    def turn(self, run: ExistingRun) -> Iterator[None]:
        """Hold the turn to write `run`'s case selection (see the module docstring)."""
        nonce = uuid.uuid4().hex[:16]
        line = f"{TURN_PREFIX} run={run.id} ticket={nonce} "
        description = (
            f"{line}\ntmsaction adds cases to run R{run.id} one job at a time; this empty run "
            "is its place in the queue and is deleted in a moment."
        )

        def create() -> ExistingRun:
            raw = self.client.add_run(
                run.project_id,
                f"tmsaction: adding cases to R{run.id} (temporary)",
                [],
                suite_id=run.suite_id,
                description=description,
            )
            return ExistingRun.of(raw)

        def find() -> ExistingRun | None:
            for raw in self._tickets(run, self.since):
                if line in (raw.get("description") or ""):
                    return ExistingRun.of(raw)
            return None

        ticket = write_once(create, find, sleep=self.sleep)
        try:
            self._wait_for_turn(run, ticket)
            yield
        finally:
            self._release(ticket)

    def _tickets(self, run: ExistingRun, after: int) -> list[dict[str, Any]]:
        key = f"{TURN_PREFIX} run={run.id} "
        runs = self.client.get_runs(
            run.project_id,
            created_after=after if after > 0 else None,
            suite_id=run.suite_id,
            include_plan_runs=False,
        )
        return [dict(r) for r in runs if key in (r.get("description") or "")]

    def _wait_for_turn(self, run: ExistingRun, ticket: ExistingRun) -> None:
        started = self.clock()
        lease = int(LEASE_SECONDS)
        while True:
            ahead = []
            for raw in self._tickets(run, ticket.created_on - 2 * lease - 1):
                other = ExistingRun.of(raw)
                if other.id >= ticket.id or other.is_completed:
                    continue
                if RELEASED in (raw.get("description") or ""):
                    continue
                if other.created_on < ticket.created_on - lease:
                    # Stale: its job died inside its turn. Clean it up (best effort).
                    self._try_release(other)
                    continue
                ahead.append(other)
            if not ahead:
                return
            if self.clock() - started > LEASE_SECONDS:
                self._note(
                    f"a job held the turn to add cases to R{run.id} for over "
                    f"{lease // 60} minutes (ticket runs {', '.join(f'R{t.id}' for t in ahead)}); "
                    "it is presumed dead and this job went ahead"
                )
                return
            self.sleep(POLL_SECONDS * (0.5 + self._rng.random()))

    def _release(self, ticket: ExistingRun) -> None:
        try:
            self._try_release(ticket)
        except (TestRailError, SyncError) as error:
            self._note(f"the temporary run R{ticket.id} could not be removed: {error}")

    def _try_release(self, ticket: ExistingRun) -> None:
        what = f"removing the temporary run R{ticket.id}"
        if delete_quietly(self.client, f"delete_run/{ticket.id}", what, self.notes):
            return
        # Not allowed to delete runs: mark the ticket released (editing runs is allowed to
        # anyone who may add cases to a run, which this job just did).
        self.client.update_run(
            ticket.id, {"description": f"{TURN_PREFIX} run=- {RELEASED}", "name": "tmsaction"}
        )

    def _note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)
