"""Emulated test plan endpoints: plans, entries (GUID ids, configurations, `runs`), runs in entries,
closing and deleting. Test double; no I/O.

§3.7: `add_plan_entry` needs `suite_id`; top-level `include_all`/`case_ids`/`assignedto_id` are
defaults each element of `runs` may override; the top-level `config_ids` hold the union of the runs'
configurations, one per group; without `runs`, configurations give one run per combination.
`update_plan_entry` takes no `runs` or `config_ids`. Plan runs are edited through these endpoints.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from tmsaction.sandbox.testrail import lookup
from tmsaction.sandbox.testrail.api_runs import case_selection, run_fields
from tmsaction.sandbox.testrail.wire import (
    CLOSED_PLAN,
    Call,
    EndpointTable,
    Record,
    bad,
    denied,
    id_field,
    id_list_field,
    paginate,
    required,
)
from tmsaction.sandbox.testrail.world import World

table = EndpointTable()

INVALID_CONFIGS = "Field :config_ids contains an invalid configuration."  # [INFER] wording


@dataclass(frozen=True)
class RunSpec:
    include_all: bool
    case_ids: list[int]
    config_ids: list[int]
    fields: Record


@dataclass(frozen=True)
class EntrySpec:
    suite_id: int
    fields: Record  # name, description, refs, include_all
    runs: list[RunSpec]


def _configs(world: World, project_id: int, ids: list[int]) -> list[int]:
    """Configuration ids of this project, at most one per group (§3.7)."""
    groups: set[int] = set()
    for config_id in ids:
        config = world.configs.get(config_id)
        if config is None or world.config_groups[config["group_id"]]["project_id"] != project_id:
            raise bad(INVALID_CONFIGS)
        groups.add(config["group_id"])
    return ids


def _one_per_group(world: World, ids: list[int]) -> None:
    groups = [world.configs[i]["group_id"] for i in ids]
    if len(groups) != len(set(groups)):
        raise bad("Field :runs.config_ids may hold one configuration per group.")  # [INFER]


def entry_spec(world: World, call: Call, project_id: int, body: Record) -> EntrySpec:
    """Validate an entry body completely before anything is created (add_plan is all or nothing)."""
    if not isinstance(body, dict):
        raise bad("Field :entries is not a valid array.")  # [INFER] wording
    suite_id = id_field(body, "suite_id", lookup.INVALID_SUITE, lambda i: i in world.suites)
    if suite_id is None:
        raise required("suite_id")
    if world.suites[suite_id]["project_id"] != project_id:
        raise bad(lookup.INVALID_SUITE)
    values = run_fields(world, call, project_id, body, creating=False)
    values["name"] = values.get("name") or world.suites[suite_id]["name"]
    include_all, ids = case_selection(world, suite_id, body, True)
    top_configs = _configs(world, project_id, id_list_field(body, "config_ids") or [])
    runs: list[RunSpec] = []
    raw_runs = body.get("runs")
    if raw_runs is not None and not isinstance(raw_runs, list):
        raise bad("Field :runs is not a valid array.")  # [INFER] wording
    for raw in raw_runs or []:
        if not isinstance(raw, dict):
            raise bad("Field :runs is not a valid array.")  # [INFER] wording
        merged = {"include_all": include_all, "case_ids": ids, **raw}
        run_include_all, run_ids = case_selection(world, suite_id, merged, include_all)
        run_configs = _configs(world, project_id, id_list_field(raw, "config_ids") or [])
        if not set(run_configs) <= set(top_configs):
            raise bad(
                "Field :config_ids must contain every configuration of :runs.config_ids."
            )  # [INFER]
        _one_per_group(world, run_configs)
        run_values = run_fields(world, call, project_id, raw, creating=False)
        runs.append(RunSpec(run_include_all, run_ids or [], run_configs, {**values, **run_values}))
    if not runs:
        by_group: dict[int, list[int]] = {}
        for config_id in top_configs:
            by_group.setdefault(world.configs[config_id]["group_id"], []).append(config_id)
        combinations = list(itertools.product(*by_group.values())) if by_group else [()]
        runs = [RunSpec(include_all, ids or [], list(combo), values) for combo in combinations]
    entry_fields = {
        "name": values["name"],
        "description": values.get("description"),
        "refs": values.get("refs"),
        "include_all": include_all,
    }
    return EntrySpec(suite_id, entry_fields, runs)


def create_entry(world: World, call: Call, plan: Record, spec: EntrySpec) -> Record:
    entry = world.add_entry(plan, {"suite_id": spec.suite_id, **spec.fields})
    for run_spec in spec.runs:
        run = world.create_run(
            plan["project_id"],
            spec.suite_id,
            {**run_spec.fields, "milestone_id": plan["milestone_id"]},
            include_all=run_spec.include_all,
            case_ids=run_spec.case_ids,
            created_by=call.user["id"],
            plan=plan,
            entry=entry,
            config_ids=run_spec.config_ids,
        )
        entry["_runs"].append(run["id"])
    return entry


def open_plan(plan: Record) -> None:
    if plan["is_completed"]:
        raise denied(CLOSED_PLAN)


@table.post("add_plan", "add test plans")
def add_plan(world: World, call: Call) -> Any:
    project = lookup.project_arg(world, call)
    values = run_fields(world, call, project["id"], call.body, creating=True)
    raw_entries = call.body.get("entries") or []
    if not isinstance(raw_entries, list):
        raise bad("Field :entries is not a valid array.")  # [INFER] wording
    specs = [entry_spec(world, call, project["id"], raw) for raw in raw_entries]
    plan = world.add_plan(project["id"], values, call.user["id"])
    for spec in specs:
        create_entry(world, call, plan, spec)
    return world.render_plan(plan)


@table.post("update_plan", "edit test plans")
def update_plan(world: World, call: Call) -> Any:
    plan = lookup.plan_arg(world, call)
    open_plan(plan)
    values = run_fields(world, call, plan["project_id"], call.body, creating=False)
    values.pop("assignedto_id", None)
    plan.update(values)
    return world.render_plan(plan)


@table.get("get_plan")
def get_plan(world: World, call: Call) -> Any:
    return world.render_plan(lookup.plan_arg(world, call))


@table.get("get_plans")
def get_plans(world: World, call: Call) -> Any:
    """Newest first, without `entries` (§2)."""
    project = lookup.project_arg(world, call)
    plans = [p for p in world.plans.values() if p["project_id"] == project["id"]]
    is_completed = call.bool_filter("is_completed")
    if is_completed is not None:
        plans = [p for p in plans if p["is_completed"] == is_completed]
    for name in ("created_by", "milestone_id"):
        wanted = call.id_list_filter(name)
        if wanted is not None:
            plans = [p for p in plans if p[name] in wanted]
    after = call.timestamp_filter("created_after")
    if after is not None:
        plans = [p for p in plans if p["created_on"] > after]
    before = call.timestamp_filter("created_before")
    if before is not None:
        plans = [p for p in plans if p["created_on"] < before]
    plans.sort(key=lambda p: p["id"], reverse=True)
    return paginate(call, "plans", plans, lambda p: world.render_plan(p, with_entries=False))


@table.post("add_plan_entry", "add test plans")
def add_plan_entry(world: World, call: Call) -> Any:
    plan = lookup.plan_arg(world, call)
    open_plan(plan)
    spec = entry_spec(world, call, plan["project_id"], call.body)
    return world.render_entry(create_entry(world, call, plan, spec))


def _entry_of(world: World, call: Call) -> tuple[Record, Record]:
    plan = lookup.plan_arg(world, call)
    return plan, lookup.entry(world, plan, call.arg(1, "entry_id"))


def _update_runs(world: World, call: Call, runs: list[Record], body: Record) -> None:
    for run in runs:
        values = run_fields(world, call, run["project_id"], body, creating=False)
        run.update(values)
        if "include_all" in body or "case_ids" in body:
            include_all, ids = case_selection(world, run["suite_id"], body, run["include_all"])
            if ids is None:
                ids = list(world.run_tests[run["id"]])
            world.set_run_cases(run, include_all, ids)
        run["updated_on"] = world.now()


@table.post("update_plan_entry", "edit test plans")
def update_plan_entry(world: World, call: Call) -> Any:
    """Name, description, assignee, refs, dates and the case selection, for every run of the entry."""
    plan, entry = _entry_of(world, call)
    open_plan(plan)
    body = {k: v for k, v in call.body.items() if k not in ("runs", "config_ids", "suite_id")}
    runs = [world.runs[r] for r in entry["_runs"]]
    _update_runs(world, call, runs, body)
    for key in ("name", "description", "refs", "include_all"):
        if key in body:
            entry[key] = runs[0][key] if runs else body[key]
    return world.render_entry(entry)


@table.post("update_run_in_plan_entry", "edit test plans")
def update_run_in_plan_entry(world: World, call: Call) -> Any:
    """6.4+: one run of an entry with configurations."""
    run = lookup.run_arg(world, call)
    if run["plan_id"] is None:
        raise bad("Field :run_id is not a valid test run in a test plan.")  # [INFER] wording
    open_plan(world.plans[run["plan_id"]])
    body = {k: v for k, v in call.body.items() if k not in ("name", "config_ids")}
    _update_runs(world, call, [run], body)
    return world.render_run(run)


@table.post("add_run_to_plan_entry", "add test plans")
def add_run_to_plan_entry(world: World, call: Call) -> Any:
    plan, entry = _entry_of(world, call)
    open_plan(plan)
    config_ids = id_list_field(call.body, "config_ids")
    if not config_ids:
        raise required("config_ids")
    _one_per_group(world, _configs(world, plan["project_id"], config_ids))
    include_all, ids = case_selection(world, entry["suite_id"], call.body, entry["include_all"])
    values = run_fields(world, call, plan["project_id"], call.body, creating=False)
    run = world.create_run(
        plan["project_id"],
        entry["suite_id"],
        {"name": entry["name"], "description": entry["description"], **values,
         "milestone_id": plan["milestone_id"]},
        include_all=include_all,
        case_ids=ids or [],
        created_by=call.user["id"],
        plan=plan,
        entry=entry,
        config_ids=config_ids,
    )  # fmt: skip
    entry["_runs"].append(run["id"])
    return world.render_entry(entry)


@table.post("delete_plan_entry", "delete test plans")
def delete_plan_entry(world: World, call: Call) -> Any:
    plan, entry = _entry_of(world, call)
    open_plan(plan)
    for run_id in entry["_runs"]:
        world.delete_run(run_id)
    plan["_entries"].remove(entry["id"])
    del world.entries[entry["id"]]
    return None


@table.post("close_plan", "close test plans")
def close_plan(world: World, call: Call) -> Any:
    """Closes the plan and every run in it, irreversibly."""
    plan = lookup.plan_arg(world, call)
    open_plan(plan)
    for run_id in world.plan_runs(plan):
        if not world.runs[run_id]["is_completed"]:
            world.close_run(world.runs[run_id])
    plan["is_completed"] = True
    plan["completed_on"] = world.now()
    return world.render_plan(plan)


@table.post("delete_plan", "delete test plans")
def delete_plan(world: World, call: Call) -> Any:
    plan = lookup.plan_arg(world, call)
    for entry_id in plan["_entries"]:
        for run_id in world.entries[entry_id]["_runs"]:
            world.delete_run(run_id)
        del world.entries[entry_id]
    del world.plans[plan["id"]]
    return None
