"""Emulated reference-data endpoints: case/result fields, statuses, case types, priorities, templates,
configurations, milestones and users. Test double; no I/O.

§2: fields, statuses, case types, priorities, templates and configs are bare arrays; milestones and
users are paginated (users are a bare array on legacy servers).
"""

from __future__ import annotations

from typing import Any

from tmsaction.sandbox.testrail import lookup
from tmsaction.sandbox.testrail.defaults import CASE_TYPES, DEFAULT_CASE_TYPE, PRIORITIES
from tmsaction.sandbox.testrail.wire import (
    Call,
    EndpointTable,
    bad,
    check_utf8,
    paginate,
    required,
    text_field,
    timestamp_field,
)
from tmsaction.sandbox.testrail.world import World

table = EndpointTable()


@table.get("get_case_fields")
def get_case_fields(world: World, call: Call) -> Any:
    return world.case_fields


@table.get("get_result_fields")
def get_result_fields(world: World, call: Call) -> Any:
    return world.result_fields


@table.get("get_statuses")
def get_statuses(world: World, call: Call) -> Any:
    return [world.render_status(s) for s in world.active_statuses()]


@table.get("get_case_statuses")
def get_case_statuses(world: World, call: Call) -> Any:
    """[INFER] shape: the docs contradict themselves (§2); a bare array of the default statuses."""
    return [
        {"case_status_id": 1, "name": "Approved", "abbreviation": None, "is_default": True,
         "is_approved": True},
        {"case_status_id": 2, "name": "Draft", "abbreviation": None, "is_default": False,
         "is_approved": False},
    ]  # fmt: skip


@table.get("get_case_types")
def get_case_types(world: World, call: Call) -> Any:
    return [
        {"id": index, "name": name, "is_default": index == DEFAULT_CASE_TYPE}
        for index, name in enumerate(CASE_TYPES, start=1)
    ]


@table.get("get_priorities")
def get_priorities(world: World, call: Call) -> Any:
    return [
        {
            "id": index,
            "name": name,
            "short_name": short,
            "priority": index,
            "is_default": index == 2,
        }
        for index, (name, short) in enumerate(PRIORITIES, start=1)
    ]


@table.get("get_templates")
def get_templates(world: World, call: Call) -> Any:
    lookup.project_arg(world, call)
    return world.templates()


# -- configurations ----------------------------------------------------------------------------------


@table.get("get_configs")
def get_configs(world: World, call: Call) -> Any:
    project = lookup.project_arg(world, call)
    return [g for g in world.config_groups.values() if g["project_id"] == project["id"]]


@table.post("add_config_group", "manage configurations")
def add_config_group(world: World, call: Call) -> Any:
    project = lookup.project_arg(world, call)
    name = text_field(call.body, "name", required_field=True)
    assert name is not None
    return world.add_config_group(project["id"], name)


@table.post("add_config", "manage configurations")
def add_config(world: World, call: Call) -> Any:
    message = "Field :config_group_id is not a valid configuration group."  # [INFER] wording
    group_id = call.arg_id(0, "config_group_id", message)
    group = world.config_groups.get(group_id)
    if group is None or not world.can_see(call.user, group["project_id"]):
        raise bad(message)
    name = text_field(call.body, "name", required_field=True)
    assert name is not None
    return world.add_config(group_id, name)


# -- milestones --------------------------------------------------------------------------------------


@table.get("get_milestones")
def get_milestones(world: World, call: Call) -> Any:
    project = lookup.project_arg(world, call)
    is_completed = call.bool_filter("is_completed")
    is_started = call.bool_filter("is_started")
    milestones = [
        m
        for m in world.milestones.values()
        if m["project_id"] == project["id"]
        and (is_completed is None or m["is_completed"] == is_completed)
        and (is_started is None or m["is_started"] == is_started)
    ]
    return paginate(call, "milestones", milestones, world.render_milestone)


@table.get("get_milestone")
def get_milestone(world: World, call: Call) -> Any:
    milestone_id = call.arg_id(0, "milestone_id", lookup.INVALID_MILESTONE)
    found = world.milestones.get(milestone_id)
    if found is None or not world.can_see(call.user, found["project_id"]):
        raise bad(lookup.INVALID_MILESTONE)
    return world.render_milestone(found)


@table.post("add_milestone", "add milestones")
def add_milestone(world: World, call: Call) -> Any:
    project = lookup.project_arg(world, call)
    check_utf8(call.body)
    name = text_field(call.body, "name", required_field=True)
    assert name is not None
    milestone = world.add_milestone(
        project["id"],
        name,
        description=text_field(call.body, "description", max_length=None),
        due_on=timestamp_field(call.body, "due_on"),
        refs=text_field(call.body, "refs"),
    )
    return world.render_milestone(milestone)


# -- users -------------------------------------------------------------------------------------------


@table.get("get_users")
def get_users(world: World, call: Call) -> Any:
    """`get_users/{project_id}`: the users with access to the project."""
    users = list(world.users.values())
    if call.route.args:
        project = lookup.project_arg(world, call)
        users = [u for u in users if world.can_see(u, project["id"])]
    return paginate(call, "users", users, world.render_user)


@table.get("get_user")
def get_user(world: World, call: Call) -> Any:
    user_id = call.arg_id(0, "user_id", lookup.INVALID_USER)
    if user_id not in world.users:
        raise bad(lookup.INVALID_USER)
    return world.render_user(world.users[user_id])


@table.get("get_current_user")
def get_current_user(world: World, call: Call) -> Any:
    """6.6+; accepted with or without the `/{user_id}` segment (§3.13)."""
    return world.render_user(call.user)


@table.get("get_user_by_email")
def get_user_by_email(world: World, call: Call) -> Any:
    email = call.param("email")
    if not email:
        raise required("email")
    found = world.user_by_email(email)
    if found is None:
        raise bad("Field :email is not a valid email address.")
    return world.render_user(found)
