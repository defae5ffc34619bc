"""Sending one run's results: `add_results_for_cases` in large batches, every result exactly once.

- Batches of up to `BATCH_SIZE` results; all results of one case travel in the same batch, in
  the plan's order (the worst outcome last, so it becomes the test's status), so batches are
  independent and `WORKERS` of them are sent at once on the shared rate budget.
- Results the run already holds are not sent again: each comment ends with its idempotency key
  (`plan/testrail_keys.py`), and the run's results are read first unless this invocation
  created the run (then there is nothing to read: request economy).
- A batch whose answer was lost (`OutcomeUnknown`) is looked up by key in the results added
  since (TestRail stores a batch whole or not at all, §4.1); only what is missing is resent.
- HTTP 413: the batch is halved and each half sent. A case not in the run (`case_not_in_run`):
  the case is added to the run (in turn, `testrail_runs.py`) and the batch resent; a case
  TestRail does not know any more is left out, its results unsent, the rest sent. Any other
  refusal of a batch is narrowed down by halving, so one bad result never sinks the others.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from tmsaction.clients.testrail import TestRailClient, TestRailError
from tmsaction.errors import OutcomeUnknown
from tmsaction.plan.testrail_keys import key_of
from tmsaction.plan.testrail_model import PlannedResult
from tmsaction.sinks.testrail_kinds import is_fatal
from tmsaction.sinks.testrail_outcome import Delivery
from tmsaction.sinks.testrail_runs import OpenedRun, RunKeeper

BATCH_SIZE = 1000
WORKERS = 4
PER_CASE_READ_LIMIT = 10  # read results case by case below this many tested cases
_RETRIES_AFTER_LOST = 3
#: A refusal that every result of the run would meet: stop sending to this run.
_RUN_WIDE = frozenset({"closed", "forbidden", "plan_run", "required_field", "not_found"})


@dataclass
class Item:
    """One result to send; `body` is rendered by the lane that sends it (see `ResultSender`)."""

    planned: PlannedResult
    case_id: int
    key: str
    body: dict[str, Any] | None = None


#: Renders an item's request body (its comment from the template), or says why it cannot.
Render = Callable[[Item], "dict[str, Any] | str"]


@dataclass(frozen=True)
class Sent:
    status: Delivery
    result_id: int | None = None
    test_id: int | None = None
    error: str | None = None
    attachments: int = 0


def existing_keys(
    client: TestRailClient, opened: OpenedRun, case_ids: Iterable[int]
) -> dict[str, tuple[int, int]]:
    """key -> (result id, test id) of the results tmsaction already sent to the run."""
    if opened.created:
        return {}
    results: list[Mapping[str, Any]] = []
    if opened.tests is not None:
        tested = [
            c for c in dict.fromkeys(case_ids) if c in opened.tests and opened.tests[c][1] != 3
        ]
        if not tested:
            return {}
        if len(tested) <= PER_CASE_READ_LIMIT:
            for case_id in tested:
                results.extend(client.get_results_for_case(opened.run.id, case_id))
        else:
            results = list(client.get_results_for_run(opened.run.id))
    elif opened.run.tested:
        results = list(client.get_results_for_run(opened.run.id))
    found: dict[str, tuple[int, int]] = {}
    for result in results:
        key = key_of(result.get("comment"))
        if key is not None:
            found.setdefault(key, (int(result["id"]), int(result["test_id"])))
    return found


def batches(items: Sequence[Item], size: int = BATCH_SIZE) -> list[list[list[Item]]]:
    """Lanes of batches: each lane is sent in order, lanes in parallel. A case's results stay in
    one batch (or, beyond `size`, in consecutive batches of one lane)."""
    by_case: dict[int, list[Item]] = {}
    for item in items:
        by_case.setdefault(item.case_id, []).append(item)
    lanes: list[list[list[Item]]] = []
    current: list[Item] = []
    for group in by_case.values():
        group.sort(key=lambda i: (i.planned.rank, i.planned.index))
        if len(group) > size:
            lanes.append([group[start : start + size] for start in range(0, len(group), size)])
            continue
        if len(current) + len(group) > size:
            lanes.append([current])
            current = []
        current.extend(group)
    if current:
        lanes.append([current])
    return lanes


class ResultSender:
    """Sends one run's items; `outcomes` maps each item's key to what happened.

    Each lane renders the comments of a batch just before sending it: rendering is CPU work and
    sending mostly waiting, so with several lanes the one overlaps the other.
    """

    def __init__(
        self,
        client: TestRailClient,
        keeper: RunKeeper,
        opened: OpenedRun,
        *,
        render: Render,
        sleep: Callable[[float], None],
        workers: int = WORKERS,
    ) -> None:
        self.client = client
        self.render = render
        self.keeper = keeper
        self.opened = opened
        self.sleep = sleep
        self.workers = workers
        self.outcomes: dict[str, Sent] = {}
        self.server_time = opened.run.created_on
        self._stop: str | None = None
        self._lock = threading.Lock()
        self._fixed: set[int] = set()  # cases added to the run after `case_not_in_run`

    def send(self, items: Sequence[Item]) -> dict[str, Sent]:
        lanes = batches(items)
        if len(lanes) <= 1 or self.workers <= 1:
            for lane in lanes:
                self._lane(lane)
        else:
            with ThreadPoolExecutor(max_workers=self.workers) as pool:
                for future in [pool.submit(self._lane, lane) for lane in lanes]:
                    future.result()
        return self.outcomes

    def _lane(self, lane: list[list[Item]]) -> None:
        for batch in lane:
            ready = []
            for item in batch:
                if item.body is None:
                    body = self.render(item)
                    if isinstance(body, str):
                        self._record([item], Sent(Delivery.UNSENT, error=body))
                        continue
                    item.body = body
                ready.append(item)
            self._post(ready, attempt=0)

    def _record(self, items: Iterable[Item], sent: Sent) -> None:
        with self._lock:
            for item in items:
                self.outcomes[item.key] = sent

    def _post(self, batch: list[Item], attempt: int) -> None:
        if not batch:
            return
        if self._stop is not None:
            self._record(batch, Sent(Delivery.UNSENT, error=self._stop))
            return
        run_id = self.opened.run.id
        try:
            answer = self.client.add_results_for_cases(
                run_id, [item.body for item in batch if item.body is not None]
            )
        except OutcomeUnknown as lost:
            self._after_lost(batch, attempt, str(lost))
            return
        except TestRailError as error:
            self._refused(batch, error, attempt)
            return
        with self._lock:
            for item, result in zip(batch, answer, strict=False):
                self.outcomes[item.key] = Sent(
                    Delivery.SENT, int(result["id"]), int(result["test_id"])
                )
                self.server_time = max(self.server_time, int(result.get("created_on") or 0))

    def _after_lost(self, batch: list[Item], attempt: int, message: str) -> None:
        """The batch may have landed: find its keys among the results added since."""
        try:
            since = self.server_time - 1
            landed = {
                key: result
                for result in self.client.results_since(self.opened.run.id, since)
                if (key := key_of(result.get("comment"))) is not None
            }
        except TestRailError as error:
            self._record(batch, Sent(Delivery.UNSENT, error=str(error)))
            return
        missing = []
        for item in batch:
            result = landed.get(item.key)
            if result is None:
                missing.append(item)
            else:
                self._record([item], Sent(Delivery.SENT, int(result["id"]), int(result["test_id"])))
        if not missing:
            return
        if attempt >= _RETRIES_AFTER_LOST:
            self._record(missing, Sent(Delivery.UNSENT, error=f"{message}; gave up resending"))
            return
        self.sleep(2.0**attempt)
        self._post(missing, attempt + 1)

    def _refused(self, batch: list[Item], error: TestRailError, attempt: int) -> None:
        if is_fatal(error) or error.kind in _RUN_WIDE:
            self._stop = str(error)
            self._record(batch, Sent(Delivery.UNSENT, error=str(error)))
            return
        if error.kind == "case_not_in_run" and error.case_id is not None:
            self._case_not_in_run(batch, error, error.case_id, attempt)
            return
        if len(batch) > 1:
            # 413 (too large) or one refused result: halve until the culprit stands alone.
            middle = len(batch) // 2
            # Keep a case's results together where possible (its status is the last one's).
            cut = middle
            while cut > 0 and batch[cut - 1].case_id == batch[cut].case_id:
                cut -= 1
            cut = cut or middle
            self._post(batch[:cut], attempt)
            self._post(batch[cut:], attempt)
            return
        self._record(batch, Sent(Delivery.UNSENT, error=str(error)))

    def _case_not_in_run(
        self, batch: list[Item], error: TestRailError, case_id: int, attempt: int
    ) -> None:
        affected = [item for item in batch if item.case_id == case_id]
        rest = [item for item in batch if item.case_id != case_id]
        added = False
        with self._lock:
            retry = case_id not in self._fixed
            self._fixed.add(case_id)
        if retry:
            try:
                # Read the run afresh: the case was there when last read, or never was.
                fresh = replace(self.opened, tests=None, created=False)
                opened = self.keeper.ensure_cases(fresh, [case_id], read_back=False)
                added = case_id not in opened.missing_cases
            except TestRailError as problem:
                if is_fatal(problem):
                    self._stop = str(problem)
        if added:
            self._post(batch, attempt)
            return
        self._record(affected, Sent(Delivery.UNSENT, error=str(error)))
        self._post(rest, attempt)
