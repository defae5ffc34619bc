"""Emulated project, suite and section endpoints. Test double; no I/O.

§3.1-3.3: suite modes decide whether `suite_id` is needed; `get_suites` paginates only since 9.3.1
(`suites_as_array` emulates older servers); section names need not be unique; `display_order` is the
pre-order position in the suite's tree and `depth` starts at 0.
"""

from __future__ import annotations

from typing import Any

from tmsaction.sandbox.testrail import lookup
from tmsaction.sandbox.testrail.wire import (
    Call,
    EndpointTable,
    bad,
    check_utf8,
    denied,
    id_field,
    paginate,
    text_field,
)
from tmsaction.sandbox.testrail.world import World

table = EndpointTable()


@table.get("get_projects")
def get_projects(world: World, call: Call) -> Any:
    is_completed = call.bool_filter("is_completed")
    projects = [
        p
        for p in world.projects.values()
        if world.can_see(call.user, p["id"])
        and (is_completed is None or p["is_completed"] == is_completed)
    ]
    return paginate(call, "projects", projects, world.render_project)


@table.get("get_project")
def get_project(world: World, call: Call) -> Any:
    return world.render_project(lookup.project_arg(world, call))


@table.post("add_project", "add projects")
def add_project(world: World, call: Call) -> Any:
    if not call.user["_admin"]:
        raise denied("You are not allowed to add projects (insufficient permissions).")
    check_utf8(call.body)
    name = text_field(call.body, "name", required_field=True)
    assert name is not None
    mode = call.body.get("suite_mode", 1)
    if mode not in (1, 2, 3):
        raise bad("Field :suite_mode is not a valid suite mode.")  # [INFER] wording
    project = world.add_project(
        name, suite_mode=mode, announcement=text_field(call.body, "announcement", max_length=None)
    )
    return world.render_project(project)


# -- suites ----------------------------------------------------------------------------------------


@table.get("get_suites")
def get_suites(world: World, call: Call) -> Any:
    project = lookup.project_arg(world, call)
    suites = world.project_suites(project["id"])
    if call.legacy_arrays or world.suites_as_array:
        return [world.render_suite(s) for s in suites]
    return paginate(call, "suites", suites, world.render_suite)


@table.get("get_suite")
def get_suite(world: World, call: Call) -> Any:
    suite = lookup.suite(world, call, call.arg_id(0, "suite_id", lookup.INVALID_SUITE))
    return world.render_suite(suite)


@table.post("add_suite", "add test suites")
def add_suite(world: World, call: Call) -> Any:
    """Only multi-suite projects take new suites ([INFER] text for modes 1 and 2)."""
    project = lookup.project_arg(world, call)
    check_utf8(call.body)
    name = text_field(call.body, "name", required_field=True)
    assert name is not None
    if project["suite_mode"] != 3:
        raise bad(
            "Field :project_id is a single-suite project; it cannot hold additional test suites."
        )
    description = text_field(call.body, "description", max_length=None)
    return world.render_suite(world.add_suite(project["id"], name, description=description))


@table.post("delete_suite", "delete test suites")
def delete_suite(world: World, call: Call) -> Any:
    suite = lookup.suite(world, call, call.arg_id(0, "suite_id", lookup.INVALID_SUITE))
    if call.param("soft") == "1":
        cases = world.suite_cases(suite["id"])
        return {
            "suites": 1,
            "sections": len(world.suite_sections(suite["id"])),
            "cases": len(cases),
        }
    for case in world.suite_cases(suite["id"]):
        world.delete_case(case["id"])
    for section in world.suite_sections(suite["id"]):
        del world.sections[section["id"]]
    del world.suites[suite["id"]]
    return None


# -- sections --------------------------------------------------------------------------------------


@table.get("get_sections")
def get_sections(world: World, call: Call) -> Any:
    project = lookup.project_arg(world, call)
    suite = lookup.suite_for(world, call, project, call.int_filter("suite_id"))
    return paginate(call, "sections", world.suite_sections(suite["id"]), world.render_section)


@table.get("get_section")
def get_section(world: World, call: Call) -> Any:
    section = lookup.section(world, call, call.arg_id(0, "section_id", lookup.INVALID_SECTION))
    return world.render_section(section)


@table.post("add_section", "add sections")
def add_section(world: World, call: Call) -> Any:
    """`suite_id` is ignored in single-suite mode, required otherwise (§3.1)."""
    project = lookup.project_arg(world, call)
    body = call.body
    check_utf8(body)
    name = text_field(body, "name", required_field=True)
    assert name is not None
    if project["suite_mode"] == 1:
        suite = world.project_suites(project["id"])[0]
    else:
        suite_id = id_field(body, "suite_id", lookup.INVALID_SUITE, lambda i: i > 0)
        suite = lookup.suite_for(world, call, project, suite_id)
    # [INFER] a parent outside the suite reads as an invalid section (research §4 row 6).
    parent_id = id_field(
        body,
        "parent_id",
        lookup.INVALID_SECTION,
        lambda i: i in world.sections and world.sections[i]["suite_id"] == suite["id"],
    )
    description = text_field(body, "description", max_length=None)
    section = world.add_section(suite["id"], name, parent_id=parent_id, description=description)
    return world.render_section(section)


@table.post("update_section", "edit sections")
def update_section(world: World, call: Call) -> Any:
    section = lookup.section(world, call, call.arg_id(0, "section_id", lookup.INVALID_SECTION))
    check_utf8(call.body)
    if "name" in call.body:
        name = text_field(call.body, "name", required_field=True)
        section["name"] = name
    if "description" in call.body:
        section["description"] = text_field(call.body, "description", max_length=None)
    return world.render_section(section)


@table.post("delete_section", "delete sections")
def delete_section(world: World, call: Call) -> Any:
    """Deletes the section, its child sections and their cases."""
    section = lookup.section(world, call, call.arg_id(0, "section_id", lookup.INVALID_SECTION))
    subtree = world.section_subtree(section["id"])
    cases = [c["id"] for c in world.cases.values() if c["section_id"] in subtree]
    if call.param("soft") == "1":
        return {"sections": len(subtree), "cases": len(cases)}
    for case_id in cases:
        world.delete_case(case_id)
    for section_id in subtree:
        del world.sections[section_id]
    world.renumber_sections(section["suite_id"])
    return None
