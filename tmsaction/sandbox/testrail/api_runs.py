"""Emulated run and test endpoints: add_run, update_run, get_run(s), close_run, delete_run,
get_test(s). Test double; no I/O.

§3.6: `include_all` defaults to true; `case_ids` only counts when it is false and then *replaces* the
selection (tests of dropped cases go, with their results); runs inside a plan refuse update_run,
close_run and delete_run; closed runs are read-only for good.
"""

from __future__ import annotations

from typing import Any

from tmsaction.sandbox.testrail import lookup
from tmsaction.sandbox.testrail.wire import (
    CLOSED_RUN,
    Call,
    EndpointTable,
    Record,
    bad,
    bool_field,
    check_utf8,
    denied,
    id_field,
    id_list_field,
    paginate,
    text_field,
    timestamp_field,
)
from tmsaction.sandbox.testrail.world import World

table = EndpointTable()

MAX_RUN_REFS = 250  # trcli MAX_RUN_REFERENCES_LENGTH
PLAN_RUN_EDIT = (
    "This operation is not allowed. The test run belongs to a test plan and cannot be edited "
    "independently."
)
PLAN_RUN_CLOSE = (
    "This operation is not allowed. The test run belongs to a test plan and cannot be closed "
    "independently."
)
PLAN_RUN_DELETE = (  # [INFER] by analogy with the two texts above
    "This operation is not allowed. The test run belongs to a test plan and cannot be deleted "
    "independently."
)
INVALID_ASSIGNEE = "Field :assignedto_id is not a valid user."


def run_fields(
    world: World, call: Call, project_id: int, body: Record, *, creating: bool
) -> Record:
    """Validated name, description, milestone, assignee, refs and dates of a run or plan body."""
    check_utf8(body)
    values: Record = {}
    if creating or "name" in body:
        # [INFER] the API requires a name (the UI would default one).
        name = text_field(body, "name", required_field=True)
        values["name"] = name
    if "description" in body:
        values["description"] = text_field(body, "description", max_length=None)
    if "milestone_id" in body:
        values["milestone_id"] = id_field(
            body,
            "milestone_id",
            lookup.INVALID_MILESTONE,
            lambda i: lookup.milestone_in(world, project_id, i),
        )
    if "assignedto_id" in body:
        values["assignedto_id"] = id_field(
            body, "assignedto_id", INVALID_ASSIGNEE, lambda i: lookup.user_exists(world, i)
        )
    if "refs" in body:
        values["refs"] = text_field(body, "refs", max_length=MAX_RUN_REFS) or None
    for name in ("start_on", "due_on"):
        if name in body:
            values[name] = timestamp_field(body, name)
    return values


def case_selection(
    world: World, suite_id: int, body: Record, default_include_all: bool
) -> tuple[bool, list[int] | None]:
    """(include_all, case_ids); `case_ids` without `include_all: false` is ignored (§3.6)."""
    include_all = bool_field(body, "include_all", default_include_all)
    ids = id_list_field(body, "case_ids")
    if (
        ids is not None
        and not include_all
        and any(world.cases.get(i, {}).get("suite_id") != suite_id for i in ids)
    ):
        raise bad("Field :case_ids contains unrecognized case IDs.")
    return include_all, ids


def writable_run(run: Record, plan_message: str | None) -> None:
    if plan_message and run["plan_id"] is not None:
        raise denied(plan_message)
    if run["is_completed"]:
        raise denied(CLOSED_RUN)


def reselect(world: World, run: Record, body: Record) -> None:
    """Apply `include_all` / `case_ids` of an update body; without `case_ids` the tests stay."""
    if "include_all" not in body and "case_ids" not in body:
        return
    include_all, ids = case_selection(world, run["suite_id"], body, run["include_all"])
    if ids is None:
        ids = list(world.run_tests[run["id"]])
    world.set_run_cases(run, include_all, ids)


@table.post("add_run", "add test runs")
def add_run(world: World, call: Call) -> Any:
    project = lookup.project_arg(world, call)
    body = call.body
    suite_id = id_field(body, "suite_id", lookup.INVALID_SUITE, lambda i: i > 0)
    suite = lookup.suite_for(world, call, project, suite_id)
    values = run_fields(world, call, project["id"], body, creating=True)
    include_all, ids = case_selection(world, suite["id"], body, True)
    run = world.create_run(
        project["id"],
        suite["id"],
        values,
        include_all=include_all,
        case_ids=ids or [],
        created_by=call.user["id"],
    )
    return world.render_run(run)


@table.post("update_run", "edit test runs")
def update_run(world: World, call: Call) -> Any:
    run = lookup.run_arg(world, call)
    writable_run(run, PLAN_RUN_EDIT)
    run.update(run_fields(world, call, run["project_id"], call.body, creating=False))
    reselect(world, run, call.body)
    run["updated_on"] = world.now()
    return world.render_run(run)


@table.post("close_run", "close test runs")
def close_run(world: World, call: Call) -> Any:
    run = lookup.run_arg(world, call)
    writable_run(run, PLAN_RUN_CLOSE)
    world.close_run(run)
    return world.render_run(run)


@table.post("delete_run", "delete test runs")
def delete_run(world: World, call: Call) -> Any:
    """`&soft=1` only counts what would go."""
    run = lookup.run_arg(world, call)
    writable_run(run, PLAN_RUN_DELETE)
    if call.param("soft") == "1":
        tests = len(world.run_tests[run["id"]])
        return {"tests": tests, "results": len(world.run_results[run["id"]])}
    world.delete_run(run["id"])
    return None


@table.get("get_run")
def get_run(world: World, call: Call) -> Any:
    return world.render_run(lookup.run_arg(world, call, lookup.INVALID_RUN_GET))


@table.get("get_runs")
def get_runs(world: World, call: Call) -> Any:
    """Newest first; plan runs only with `include_plan_runs=1` (§3.6)."""
    project = lookup.project_arg(world, call)
    runs = [r for r in world.runs.values() if r["project_id"] == project["id"]]
    if not call.bool_filter("include_plan_runs"):
        runs = [r for r in runs if r["plan_id"] is None]
    is_completed = call.bool_filter("is_completed")
    if is_completed is not None:
        runs = [r for r in runs if r["is_completed"] == is_completed]
    for name in ("created_by", "milestone_id", "suite_id"):
        wanted = call.id_list_filter(name)
        if wanted is not None:
            runs = [r for r in runs if r[name] in wanted]
    after = call.timestamp_filter("created_after")
    if after is not None:
        runs = [r for r in runs if r["created_on"] > after]
    before = call.timestamp_filter("created_before")
    if before is not None:
        runs = [r for r in runs if r["created_on"] < before]
    refs = call.param("refs")
    if refs:
        runs = [r for r in runs if refs in {x.strip() for x in (r["refs"] or "").split(",")}]
    runs.sort(key=lambda r: r["id"], reverse=True)
    return paginate(call, "runs", runs, world.render_run)


# -- tests -------------------------------------------------------------------------------------------


def _test_order(world: World, test: Record) -> tuple[int, int, int]:
    case = test.get("_case") or world.cases.get(test["case_id"]) or {}
    section = world.sections.get(case.get("section_id", 0))
    return (
        section["display_order"] if section else 0,
        int(case.get("display_order", 0)),
        test["id"],
    )


@table.get("get_tests")
def get_tests(world: World, call: Call) -> Any:
    run = lookup.run_arg(world, call)
    tests = [world.tests[t] for t in world.run_tests[run["id"]].values()]
    wanted = call.id_list_filter("status_id")
    if wanted is not None:
        tests = [t for t in tests if t["status_id"] in wanted]
    tests.sort(key=lambda t: _test_order(world, t))
    return paginate(call, "tests", tests, world.render_test)


@table.get("get_test")
def get_test(world: World, call: Call) -> Any:
    test = lookup.test(world, call, call.arg_id(0, "test_id", lookup.INVALID_TEST))
    return world.render_test(test)
