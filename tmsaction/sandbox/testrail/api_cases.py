"""Emulated case endpoints: get_cases (filters, pagination), get_case, add_case, update_case,
update_cases, delete_case(s). Test double; no I/O.

§3.4: every custom field applying to the project is present on every case as `custom_<name>`
(null when unset); `add_case` takes the suite from the section; required custom fields are enforced.
"""

from __future__ import annotations

from typing import Any

from tmsaction.sandbox.testrail import lookup
from tmsaction.sandbox.testrail.custom_fields import custom_values
from tmsaction.sandbox.testrail.timespan import parse_timespan
from tmsaction.sandbox.testrail.wire import (
    Call,
    EndpointTable,
    Record,
    bad,
    check_utf8,
    id_field,
    id_list_field,
    paginate,
    required,
    text_field,
)
from tmsaction.sandbox.testrail.world import World

table = EndpointTable()

MAX_CASE_REFS = 2000  # [INFER] newer servers allow 2,000 characters in case refs


def _case_fields(world: World, call: Call, project_id: int, *, creating: bool) -> Record:
    """Validated standard and custom fields of an add_case / update_case body."""
    body = call.body
    check_utf8(body)
    values: Record = {}
    title = text_field(body, "title", required_field=creating)
    if title is not None:
        if title == "":
            raise required("title")
        values["title"] = title
    checks: tuple[tuple[str, str, Any], ...] = (
        (
            "template_id",
            "Field :template_id is not a valid template.",
            lambda i: any(t["id"] == i for t in world.templates()),
        ),
        ("type_id", "Field :type_id is not a valid case type.", lambda i: 1 <= i <= 12),
        ("priority_id", "Field :priority_id is not a valid priority.", lambda i: 1 <= i <= 4),
        (
            "milestone_id",
            lookup.INVALID_MILESTONE,
            lambda i: lookup.milestone_in(world, project_id, i),
        ),
    )
    for name, message, valid in checks:
        if name in body:
            values[name] = id_field(body, name, message, valid)
    if "estimate" in body:
        estimate = body["estimate"]
        if estimate in (None, ""):
            values["estimate"] = None
        elif parse_timespan(estimate) is None:
            raise bad("Field :estimate is not in a valid time span format.")
        else:
            values["estimate"] = str(estimate)
    if "refs" in body:
        values["refs"] = text_field(body, "refs", max_length=MAX_CASE_REFS) or None
    values.update(custom_values(world, "case", project_id, body, check_required=creating))
    return values


def _case_sort_key(world: World, case: Record) -> tuple[int, int, int]:
    section = world.sections.get(case["section_id"])
    return (section["display_order"] if section else 0, case["display_order"], case["id"])


@table.get("get_cases")
def get_cases(world: World, call: Call) -> Any:
    """Filters: section_id, type_id, priority_id, template_id, milestone_id, created_by (lists),
    created/updated after/before, refs (one reference), filter (title contains)."""
    project = lookup.project_arg(world, call)
    suite = lookup.suite_for(world, call, project, call.int_filter("suite_id"))
    cases = world.suite_cases(suite["id"])
    section_id = call.int_filter("section_id")
    if section_id is not None:
        cases = [c for c in cases if c["section_id"] == section_id]
    for name in ("type_id", "priority_id", "template_id", "milestone_id", "created_by"):
        wanted = call.id_list_filter(name)
        if wanted is not None:
            cases = [c for c in cases if c[name] in wanted]
    for name, key, after in (
        ("created_after", "created_on", True),
        ("created_before", "created_on", False),
        ("updated_after", "updated_on", True),
        ("updated_before", "updated_on", False),
    ):
        stamp = call.timestamp_filter(name)
        if stamp is not None:
            cases = [c for c in cases if (c[key] > stamp if after else c[key] < stamp)]
    refs = call.param("refs")
    if refs:
        cases = [c for c in cases if refs in _split_refs(c["refs"])]
    text = call.param("filter")
    if text:
        cases = [c for c in cases if text.casefold() in c["title"].casefold()]
    cases.sort(key=lambda c: _case_sort_key(world, c))
    return paginate(call, "cases", cases, world.render_case)


def _split_refs(refs: str | None) -> set[str]:
    return {part.strip() for part in (refs or "").split(",") if part.strip()}


@table.get("get_case")
def get_case(world: World, call: Call) -> Any:
    found = lookup.case(world, call, call.arg_id(0, "case_id", lookup.INVALID_CASE))
    return world.render_case(found)


@table.post("add_case", "add test cases")
def add_case(world: World, call: Call) -> Any:
    section = lookup.section(world, call, call.arg_id(0, "section_id", lookup.INVALID_SECTION))
    project_id = world.project_of_suite(section["suite_id"])
    values = _case_fields(world, call, project_id, creating=True)
    title = values.pop("title")
    case = world.add_case(section["id"], title, created_by=call.user["id"], **values)
    return world.render_case(case)


@table.post("update_case", "edit test cases")
def update_case(world: World, call: Call) -> Any:
    case = lookup.case(world, call, call.arg_id(0, "case_id", lookup.INVALID_CASE))
    project_id = world.project_of_suite(case["suite_id"])
    values = _case_fields(world, call, project_id, creating=False)
    _move(world, call, case)
    _apply(world, case, values, call.user["id"])
    return world.render_case(case)


def _move(world: World, call: Call, case: Record) -> None:
    """`section_id` moves a case within its suite (6.5.2+)."""
    if call.body.get("section_id") is None:
        return
    target = id_field(
        call.body, "section_id", lookup.INVALID_SECTION, lambda i: i in world.sections
    )
    assert target is not None
    if world.sections[target]["suite_id"] != case["suite_id"]:
        raise bad(lookup.INVALID_SECTION)
    case["section_id"] = target


def _apply(world: World, case: Record, values: Record, user_id: int) -> None:
    case.update(world.stored_values(values))
    case["updated_by"] = user_id
    case["updated_on"] = world.now()


@table.post("update_cases", "edit test cases")
def update_cases(world: World, call: Call) -> Any:
    """The same values for every id in `case_ids` (§3.4)."""
    suite = lookup.suite(world, call, call.arg_id(0, "suite_id", lookup.INVALID_SUITE))
    ids = id_list_field(call.body, "case_ids")
    if not ids:
        raise required("case_ids")
    cases = [world.cases.get(i) for i in ids]
    if any(c is None or c["suite_id"] != suite["id"] for c in cases):
        raise bad("Field :case_ids contains unrecognized case IDs.")
    values = _case_fields(world, call, suite["project_id"], creating=False)
    values.pop("title", None)  # [INFER] titles are per case; update_cases leaves them
    updated = []
    for found in cases:
        assert found is not None
        _apply(world, found, values, call.user["id"])
        updated.append(world.render_case(found))
    return {"updated_cases": updated}


@table.post("delete_case", "delete test cases")
def delete_case(world: World, call: Call) -> Any:
    case = lookup.case(world, call, call.arg_id(0, "case_id", lookup.INVALID_CASE))
    if call.param("soft") == "1":
        return _deletion_counts(world, [case["id"]])
    world.delete_case(case["id"])
    return None


@table.post("delete_cases", "delete test cases")
def delete_cases(world: World, call: Call) -> Any:
    """`delete_cases/{suite_id}&soft=1` is a dry run (§3.4); the body is `{"case_ids": [...]}`."""
    suite = lookup.suite(world, call, call.arg_id(0, "suite_id", lookup.INVALID_SUITE))
    ids = id_list_field(call.body, "case_ids") or []
    if not ids:
        raise required("case_ids")
    if any(world.cases.get(i, {}).get("suite_id") != suite["id"] for i in ids):
        raise bad("Field :case_ids contains unrecognized case IDs.")
    if call.param("soft") == "1":
        return _deletion_counts(world, ids)
    for case_id in ids:
        world.delete_case(case_id)
    return None


def _deletion_counts(world: World, case_ids: list[int]) -> Record:
    tests = [
        test_id
        for tests_by_case in world.run_tests.values()
        for case_id, test_id in tests_by_case.items()
        if case_id in case_ids
    ]
    results = sum(len(world.test_results.get(t, [])) for t in tests)
    return {"cases": len(case_ids), "tests": len(tests), "results": results}
