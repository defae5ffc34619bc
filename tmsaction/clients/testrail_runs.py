"""TestRail calls about execution: runs, tests, results, attachments and plans, with the
read-backs a sink uses after `OutcomeUnknown` (`find_runs`, `find_plan_entries`, `results_since`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import IO, Any, cast

from tmsaction.clients.testrail_transport import TestRailTransport, without_none
from tmsaction.clients.testrail_types import Attachment, Plan, PlanEntry, Result, Run, RunTest
from tmsaction.errors import OutcomeUnknown


class RunCalls(TestRailTransport):
    """Typed reads and writes of runs, results and plans."""

    # -- runs and tests ---------------------------------------------------------------------------
    def add_run(
        self,
        project_id: int,
        name: str,
        case_ids: Sequence[int],
        *,
        suite_id: int | None = None,
        description: str | None = None,
        milestone_id: int | None = None,
        refs: str | None = None,
        assignedto_id: int | None = None,
    ) -> Run:
        """A run holding exactly `case_ids`: `include_all` is always sent as false, since TestRail's
        default (true) would pull in the whole suite (§3.6, §5.3)."""
        body = {
            "name": name,
            "suite_id": suite_id,
            "description": description,
            "milestone_id": milestone_id,
            "refs": refs,
            "assignedto_id": assignedto_id,
            "include_all": False,
            "case_ids": list(case_ids),
        }
        return cast(
            Run,
            self.post(
                f"add_run/{project_id}",
                without_none(body),
                what=f"creating run '{name}'",
                subject={"project": project_id, "suite": suite_id, "milestone_id": milestone_id},
            ),
        )

    def update_run(self, run_id: int, fields: Mapping[str, Any]) -> Run:
        """Partial update; `case_ids` *replaces* the run's cases (use `add_cases_to_run`)."""
        return cast(
            Run,
            self.post(
                f"update_run/{run_id}",
                dict(fields),
                what=f"updating run R{run_id}",
                subject={"run_id": run_id},
                idempotent=True,  # a full selection sent twice leaves the same run
            ),
        )

    def add_cases_to_run(self, run_id: int, case_ids: Iterable[int]) -> Run | None:
        """Add cases to a standalone run, keeping the ones it has (§3.6: read tests, union, update).
        None when every case is already there (nothing sent)."""
        current = [t["case_id"] for t in self.get_tests(run_id)]
        wanted = list(dict.fromkeys([*current, *case_ids]))
        if len(wanted) == len(current):
            return None
        return self.update_run(run_id, {"include_all": False, "case_ids": wanted})

    def get_run(self, run_id: int) -> Run:
        return cast(
            Run,
            self.get(
                f"get_run/{run_id}", what=f"reading run R{run_id}", subject={"run_id": run_id}
            ),
        )

    def get_runs(
        self,
        project_id: int,
        *,
        created_after: int | None = None,
        created_by: Sequence[int] | None = None,
        is_completed: bool | None = None,
        suite_id: int | None = None,
        milestone_id: int | None = None,
        refs: str | None = None,
        include_plan_runs: bool | None = None,
    ) -> list[Run]:
        """Newest first; plan runs only with `include_plan_runs` (§3.6)."""
        params = {
            "created_after": created_after,
            "created_by": created_by,
            "is_completed": is_completed,
            "suite_id": suite_id,
            "milestone_id": milestone_id,
            "refs": refs,
            "include_plan_runs": include_plan_runs,
        }
        items = self.paginate(
            f"get_runs/{project_id}",
            "runs",
            params,
            what="listing runs",
            subject={"project": project_id},
        )
        return cast(list[Run], list(items))

    def iter_runs(self, project_id: int, *, include_plan_runs: bool = True) -> Iterator[Run]:
        """Runs newest first, one page at a time: a caller looking for a recent run (the previous
        run of a workflow) stops after the first page instead of listing every run (§2, §3.6)."""
        items = self.paginate(
            f"get_runs/{project_id}",
            "runs",
            {"include_plan_runs": include_plan_runs},
            what="listing runs",
            subject={"project": project_id},
        )
        return cast(Iterator[Run], items)

    def find_runs(
        self,
        project_id: int,
        marker: str,
        *,
        created_after: int | None = None,
        suite_id: int | None = None,
        include_plan_runs: bool = True,
    ) -> list[Run]:
        """Runs whose description or refs hold `marker`: how a sink finds the run of a workflow
        run again (a re-run, a retry after `OutcomeUnknown`, another matrix shard)."""
        return [
            run
            for run in self.get_runs(
                project_id,
                created_after=created_after,
                suite_id=suite_id,
                include_plan_runs=include_plan_runs,
            )
            if marker in (run.get("description") or "") or marker in (run.get("refs") or "")
        ]

    def close_run(self, run_id: int) -> Run:
        """Close for good. After a lost answer the run is read back rather than closed again
        (a second close_run would be refused as "already completed")."""
        try:
            return cast(
                Run,
                self.post(
                    f"close_run/{run_id}",
                    {},
                    what=f"closing run R{run_id}",
                    subject={"run_id": run_id},
                ),
            )
        except OutcomeUnknown:
            run = self.get_run(run_id)
            if run["is_completed"]:
                return run
            raise

    def get_tests(self, run_id: int, *, status_id: Sequence[int] | None = None) -> list[RunTest]:
        items = self.paginate(
            f"get_tests/{run_id}",
            "tests",
            {"status_id": status_id},
            what=f"listing the tests of run R{run_id}",
            subject={"run_id": run_id},
        )
        return cast(list[RunTest], list(items))

    # -- results ----------------------------------------------------------------------------------
    def add_results_for_cases(
        self, run_id: int, results: Sequence[Mapping[str, Any]]
    ) -> list[Result]:
        """One batch, all or nothing (§4.1); the answer lists one result per item, in order.

        A refused batch raises `TestRailError`; `error.case_id` names the case TestRail rejected
        (kind `case_not_in_run`), so the sink can add it to the run or drop it and resend.
        """
        answer = self.post(
            f"add_results_for_cases/{run_id}",
            {"results": [dict(r) for r in results]},
            what=f"adding {len(results)} results to run R{run_id}",
            subject={"run_id": run_id},
        )
        return cast(list[Result], answer)

    def add_results(self, run_id: int, results: Sequence[Mapping[str, Any]]) -> list[Result]:
        """Like `add_results_for_cases`, with test ids (`test_id`) instead of case ids."""
        answer = self.post(
            f"add_results/{run_id}",
            {"results": [dict(r) for r in results]},
            what=f"adding {len(results)} results to run R{run_id}",
            subject={"run_id": run_id},
        )
        return cast(list[Result], answer)

    def get_results_for_run(
        self,
        run_id: int,
        *,
        created_after: int | None = None,
        created_by: Sequence[int] | None = None,
        status_id: Sequence[int] | None = None,
        defects_filter: str | None = None,
    ) -> list[Result]:
        """Newest first (§2)."""
        params = {
            "created_after": created_after,
            "created_by": created_by,
            "status_id": status_id,
            "defects_filter": defects_filter,
        }
        items = self.paginate(
            f"get_results_for_run/{run_id}",
            "results",
            params,
            what=f"listing the results of run R{run_id}",
            subject={"run_id": run_id},
        )
        return cast(list[Result], list(items))

    def results_since(
        self, run_id: int, created_after: int, *, created_by: int | None = None
    ) -> list[Result]:
        """Results added to the run after a moment (server clock), optionally by one user: the
        read-back after a lost `add_results_for_cases`, whose batches land whole or not at all."""
        return self.get_results_for_run(
            run_id,
            created_after=created_after,
            created_by=[created_by] if created_by is not None else None,
        )

    def get_results_for_case(self, run_id: int, case_id: int) -> list[Result]:
        items = self.paginate(
            f"get_results_for_case/{run_id}/{case_id}",
            "results",
            what=f"listing the results of case C{case_id} in run R{run_id}",
            subject={"run_id": run_id, "case_id": case_id},
        )
        return cast(list[Result], list(items))

    # -- attachments ------------------------------------------------------------------------------
    def add_attachment_to_result(
        self, result_id: int, filename: str, content: IO[bytes] | bytes
    ) -> int | str:
        """Upload one file as the multipart part `attachment` (§3.12); the id is opaque."""
        answer = self.call(
            "POST",
            f"add_attachment_to_result/{result_id}",
            files={"attachment": (filename, content)},
            what=f"uploading {filename} to result {result_id}",
        )
        attachment_id: int | str = answer["attachment_id"]
        return attachment_id

    def get_attachments_for_test(self, test_id: int) -> list[Attachment]:
        items = self.paginate(
            f"get_attachments_for_test/{test_id}",
            "attachments",
            what=f"listing the attachments of test T{test_id}",
        )
        return cast(list[Attachment], list(items))

    # -- plans ------------------------------------------------------------------------------------
    def add_plan(
        self,
        project_id: int,
        name: str,
        *,
        description: str | None = None,
        milestone_id: int | None = None,
        entries: Sequence[Mapping[str, Any]] = (),
    ) -> Plan:
        body = {
            "name": name,
            "description": description,
            "milestone_id": milestone_id,
            "entries": [dict(e) for e in entries] or None,
        }
        return cast(
            Plan,
            self.post(
                f"add_plan/{project_id}",
                without_none(body),
                what=f"creating plan '{name}'",
                subject={"project": project_id, "milestone_id": milestone_id},
            ),
        )

    def get_plan(self, plan_id: int) -> Plan:
        return cast(
            Plan,
            self.get(
                f"get_plan/{plan_id}", what=f"reading plan {plan_id}", subject={"plan_id": plan_id}
            ),
        )

    def get_plans(self, project_id: int, *, created_after: int | None = None) -> list[Plan]:
        items = self.paginate(
            f"get_plans/{project_id}",
            "plans",
            {"created_after": created_after},
            what="listing plans",
            subject={"project": project_id},
        )
        return cast(list[Plan], list(items))

    def add_plan_entry(
        self,
        plan_id: int,
        suite_id: int,
        name: str,
        case_ids: Sequence[int],
        *,
        description: str | None = None,
        config_ids: Sequence[int] = (),
        runs: Sequence[Mapping[str, Any]] = (),
        refs: str | None = None,
    ) -> PlanEntry:
        """An entry with exactly `case_ids` (`include_all: false`); `suite_id` is always sent
        (§3.7: required even where add_run would not need it). With `config_ids` and no `runs`,
        TestRail makes one run per configuration combination."""
        body = {
            "suite_id": suite_id,
            "name": name,
            "description": description,
            "include_all": False,
            "case_ids": list(case_ids),
            "config_ids": list(config_ids) or None,
            "runs": [dict(r) for r in runs] or None,
            "refs": refs,
        }
        return cast(
            PlanEntry,
            self.post(
                f"add_plan_entry/{plan_id}",
                without_none(body),
                what=f"adding entry '{name}' to plan {plan_id}",
                subject={"plan_id": plan_id, "suite": suite_id},
            ),
        )

    def update_plan_entry(
        self, plan_id: int, entry_id: str, fields: Mapping[str, Any]
    ) -> PlanEntry:
        """`case_ids` replaces the selection of every run in the entry (no `runs`/`config_ids`)."""
        return cast(
            PlanEntry,
            self.post(
                f"update_plan_entry/{plan_id}/{entry_id}",
                dict(fields),
                what=f"updating entry {entry_id} of plan {plan_id}",
                subject={"plan_id": plan_id},
                idempotent=True,
            ),
        )

    def update_run_in_plan_entry(self, run_id: int, fields: Mapping[str, Any]) -> Run:
        """One run of an entry with configurations (6.4+)."""
        return cast(
            Run,
            self.post(
                f"update_run_in_plan_entry/{run_id}",
                dict(fields),
                what=f"updating run R{run_id} in its plan",
                subject={"run_id": run_id},
                idempotent=True,
            ),
        )

    def find_plan_entries(self, plan_id: int, marker: str) -> list[PlanEntry]:
        """Entries whose description (or a run's) holds `marker`: the read-back after a lost
        `add_plan_entry`."""
        plan = self.get_plan(plan_id)
        return [
            entry
            for entry in plan.get("entries") or []
            if marker in (entry.get("description") or "")
            or any(marker in (run.get("description") or "") for run in entry.get("runs") or [])
        ]

    def close_plan(self, plan_id: int) -> Plan:
        """Close the plan and all its runs; after a lost answer the plan is read back."""
        try:
            return cast(
                Plan,
                self.post(
                    f"close_plan/{plan_id}",
                    {},
                    what=f"closing plan {plan_id}",
                    subject={"plan_id": plan_id},
                ),
            )
        except OutcomeUnknown:
            plan = self.get_plan(plan_id)
            if plan["is_completed"]:
                return plan
            raise
