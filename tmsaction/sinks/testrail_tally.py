"""What the TestRail phases did, tallied into the `TestRailOutcome`: each test's delivery, each
run's figures, and one sync problem per distinct error with the number of tests it kept from
TestRail. Pure; no I/O."""

from __future__ import annotations

from collections.abc import Sequence

from tmsaction.plan.testrail_keys import result_key
from tmsaction.plan.testrail_model import PlannedResult, RunKind, TestRailPlan
from tmsaction.runreport import SyncProblem
from tmsaction.sinks.testrail_outcome import (
    Delivery,
    ResultDelivery,
    RunOutcome,
    TestRailOutcome,
)
from tmsaction.sinks.testrail_prepared import Prepared, PreparedRun


def build_outcome(
    prepared: Prepared,
    *,
    problems: Sequence[str],
    notes: Sequence[str],
    attachments: int,
    requests: int,
) -> TestRailOutcome:
    """Per-test deliveries, per-run figures, and one problem per distinct error (with the number
    of tests it kept from TestRail)."""
    plan = prepared.plan
    deliveries: dict[int, list[ResultDelivery]] = {}
    unsent: dict[int, str] = dict(plan.unsent)
    runs: list[RunOutcome] = []
    for run in prepared.runs:
        counts = dict.fromkeys(Delivery, 0)
        run_id = (
            run.opened.run.id
            if run.opened
            else (run.plan.existing.id if run.plan.existing else None)
        )
        for planned in run.plan.results:
            case_id = run.case_of(planned)
            delivery = _delivery(plan, run, planned, case_id, run_id)
            counts[delivery.status] += 1
            deliveries.setdefault(planned.index, []).append(delivery)
            if delivery.status is Delivery.UNSENT:
                unsent.setdefault(planned.index, delivery.error or "not sent")
        runs.append(_run_outcome(plan, run, run_id, counts))
    found: list[SyncProblem] = []
    by_message: dict[str, int] = {}
    for message in unsent.values():
        by_message[message] = by_message.get(message, 0) + 1
    for message, count in by_message.items():
        found.append(SyncProblem("testrail", message, unsent=count))
    for message in (*plan.problems, *problems):
        if message not in by_message:
            found.append(SyncProblem("testrail", message))
    return TestRailOutcome(
        runs=tuple(runs),
        deliveries={index: tuple(items) for index, items in deliveries.items()},
        skipped=plan.skipped,
        unsent_tests=unsent,
        problems=tuple(found),
        notes=tuple(dict.fromkeys((*plan.notes, *notes))),
        attachments=attachments,
        dry_run=plan.dry_run,
        requests=requests,
    )


def _delivery(
    plan: TestRailPlan,
    run: PreparedRun,
    planned: PlannedResult,
    case_id: int | None,
    run_id: int | None,
) -> ResultDelivery:
    created = planned.case_id is None and case_id is not None
    if plan.dry_run:
        return ResultDelivery(planned.case_id, Delivery.PLANNED, run_id)
    if run.error:
        return ResultDelivery(case_id, Delivery.UNSENT, run_id, error=run.error)
    if case_id is None:
        reason = run.made.failed.get(planned.new_case, "the case could not be created")
        return ResultDelivery(None, Delivery.UNSENT, run_id, error=reason)
    if run.opened is not None and case_id in run.opened.missing_cases:
        return ResultDelivery(
            case_id,
            Delivery.UNSENT,
            run_id,
            error=f"TestRail case C{case_id} does not exist in {run.plan.label} (or is in another "
            "suite): fix or remove the case id in the test or the mapping config",
            case_created=created,
        )
    sent = run.sent.get(result_key(planned.key_base, case_id))
    if sent is None:
        return ResultDelivery(
            case_id,
            Delivery.UNSENT,
            run_id,
            error="not sent (the sync stopped)",
            case_created=created,
        )
    return ResultDelivery(
        case_id,
        sent.status,
        run_id,
        sent.test_id,
        sent.result_id,
        sent.error,
        created,
        sent.attachments,
    )


def _run_outcome(
    plan: TestRailPlan, run: PreparedRun, run_id: int | None, counts: dict[Delivery, int]
) -> RunOutcome:
    target = run.plan.target
    opened = run.opened
    if plan.dry_run:
        existing = run.plan.existing
        how = {
            RunKind.REUSE: "reused",
            RunKind.PLAN_ENTRY: "plan entry" if existing is None else "found",
            RunKind.CREATE: "would create" if existing is None else "found",
        }[target.kind]
        return RunOutcome(
            label=run.plan.label,
            run_id=existing.id if existing else target.run_id,
            name=existing.name if existing else target.name,
            url=existing.url if existing else None,
            how=how,
            plan_id=target.plan_id,
            planned=counts[Delivery.PLANNED],
            new_cases_planned=len(run.plan.new_cases),
            new_sections_planned=len(run.plan.new_sections),
        )
    return RunOutcome(
        label=run.plan.label,
        run_id=run_id if opened is not None else None,
        name=opened.run.name if opened else target.name,
        url=opened.run.url if opened else None,
        how=opened.how if opened else "not opened",
        plan_id=opened.run.plan_id if opened else target.plan_id,
        closed=run.closed,
        created_sections=tuple(run.made.sections),
        created_cases=tuple(run.made.cases),
        sent=counts[Delivery.SENT],
        present=counts[Delivery.PRESENT],
        unsent=counts[Delivery.UNSENT],
    )
