"""Jira emulator endpoints for issues: create, get, edit, delete, comments and transitions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tmsaction.sandbox.jira.adf import adf_size, validate_adf
from tmsaction.sandbox.jira.call import BadRequest, Call
from tmsaction.sandbox.jira.fields import (
    CONTENT_LIMIT,
    INVALID_INPUT,
    NOT_ON_SCREEN,
    TEXT_TOO_LONG,
    FieldContext,
    Problems,
    apply_update_ops,
    resolve_issue_type,
    resolve_project,
    validate_fields,
)
from tmsaction.sandbox.jira.world import (
    COMMENT,
    CREATE,
    EDIT,
    TRANSITION,
    Comment,
    Issue,
    RichValue,
    Transition,
)
from tmsaction.sandbox.server import Response

if TYPE_CHECKING:
    from tmsaction.sandbox.jira.emulator import JiraEmulator


def create_issue(emulator: JiraEmulator, call: Call) -> Response:
    world = emulator.world
    body = call.json_object()
    fields = body.get("fields") or {}
    update = body.get("update") or {}
    if not isinstance(fields, dict) or not isinstance(update, dict):
        raise BadRequest(400, ["The request body has no valid 'fields' object."])
    context = FieldContext(world, call.version, creating=True)
    problems = Problems()
    project = resolve_project(context, fields.get("project"), problems)
    if project is not None and not emulator.can(call.user, CREATE):
        raise BadRequest(400, ["You do not have permission to create issues in this project."])
    issue_type = resolve_issue_type(context, project, fields.get("issuetype"), problems)
    if project is None or issue_type is None:
        raise BadRequest(400, problems.messages, problems.errors)
    for name in set(fields) & set(update):
        problems.errors[name] = f"Field '{name}' cannot be set in both 'fields' and 'update'."
    values = {**fields, **apply_update_ops(context, {}, update, problems)}
    normalised = validate_fields(context, project.screens.get(issue_type.id, []), values, problems)
    own_components = {c.id for c in project.components}
    for component_id in normalised.get("components") or []:
        if component_id not in own_components:
            problems.errors["components"] = f"Component with id '{component_id}' does not exist."
    if problems:
        if problems.content_limit and emulator.cloud:
            # JRACLOUD-78553: a v3 create rejected for content length still uses up an issue key.
            project.counter += 1
        raise BadRequest(400, problems.messages, problems.errors, problems.detail)
    on_screen = {f.field_id for f in project.screens.get(issue_type.id, [])}
    if "priority" not in normalised and "priority" in on_screen and world.default_priority:
        normalised["priority"] = world.default_priority
    project.counter += 1
    now = emulator.now()
    issue = Issue(
        id=world.new_id("next_id"),
        key=f"{project.key}-{project.counter}",
        project_id=project.id,
        issue_type_id=issue_type.id,
        status_id=world.workflow.initial_status,
        reporter=call.user.account_id,
        created=now,
        updated=now,
        fields={k: v for k, v in normalised.items() if v is not None},
    )
    world.issues[issue.id] = issue
    _set_properties(issue, body.get("properties"))
    emulator.touched(issue)
    return Response.json(
        201, {"id": str(issue.id), "key": issue.key, "self": f"{call.view.api}/issue/{issue.id}"}
    )


def _set_properties(issue: Issue, properties: Any) -> None:
    if isinstance(properties, list):
        for item in properties:
            if isinstance(item, Mapping) and isinstance(item.get("key"), str):
                issue.properties[item["key"]] = item.get("value")


def get_issue(emulator: JiraEmulator, call: Call) -> Response:
    issue = emulator.issue_for(call, call.args[0])
    view = call.view.issue(
        issue,
        call.param_list("fields") or None,
        expand=call.param("expand", "") or "",
        properties=call.param_list("properties"),
    )
    return Response.json(200, view)


def edit_issue(emulator: JiraEmulator, call: Call) -> Response:
    world = emulator.world
    issue = emulator.issue_for(call, call.args[0])
    if not emulator.can(call.user, EDIT):
        raise BadRequest(400, ["You do not have permission to edit issues in this project."])
    body = call.json_object()
    fields = body.get("fields") or {}
    update = body.get("update") or {}
    if not isinstance(fields, dict) or not isinstance(update, dict):
        raise BadRequest(400, ["The request body has no valid 'fields' or 'update' object."])
    context = FieldContext(world, call.version, creating=False)
    problems = Problems()
    for name in set(fields) & set(update):
        problems.errors[name] = f"Field '{name}' cannot be set in both 'fields' and 'update'."
    current = dict(issue.fields)
    if "components" in current:
        current["components"] = [{"id": c} for c in current["components"]]
    values = {**fields, **apply_update_ops(context, current, update, problems)}
    project = world.project_by_id(issue.project_id)
    screen = project.screens.get(issue.issue_type_id, [])
    normalised = validate_fields(context, screen, values, problems)
    if problems:
        raise BadRequest(400, problems.messages, problems.errors, problems.detail)
    for field_id, value in normalised.items():
        if value is None or value == []:
            issue.fields.pop(field_id, None)
        else:
            issue.fields[field_id] = value
    _set_properties(issue, body.get("properties"))
    emulator.touched(issue)
    if call.param("returnIssue") == "true":
        return Response.json(
            200, call.view.issue(issue, None, expand=call.param("expand", "") or "")
        )
    return Response(204)


def delete_issue(emulator: JiraEmulator, call: Call) -> Response:
    world = emulator.world
    issue = emulator.issue_for(call, call.args[0])
    if not emulator.can(call.user, EDIT):
        raise BadRequest(403, ["You do not have permission to delete issues in this project."])
    for link in world.links_of(issue.id):
        del world.links[link.id]
    del world.issues[issue.id]
    emulator.index.remove(issue.id)
    return Response(204)


# -- comments ---------------------------------------------------------------------------------


def rich_body(emulator: JiraEmulator, call: Call, raw: Any, *, field: str = "comment") -> RichValue:
    """A comment body: ADF on v3, a string on v2, within the text limit."""
    limit = emulator.world.limits.text
    if call.version == 3:
        if not isinstance(raw, Mapping):
            raise BadRequest(400, [], {field: "Comment body is not valid!"})
        problem = validate_adf(raw)
        if problem:
            raise BadRequest(400, [INVALID_INPUT], detail=problem)
        if adf_size(raw) > limit:
            raise BadRequest(400, [CONTENT_LIMIT])
        return RichValue(adf=dict(raw))
    if not isinstance(raw, str) or not raw.strip():
        raise BadRequest(400, [], {field: "Comment body can not be empty!"})
    if len(raw) > limit:
        raise BadRequest(400, [], {field: TEXT_TOO_LONG.format(limit=limit)})
    return RichValue(wiki=raw)


def append_comment(emulator: JiraEmulator, call: Call, issue: Issue, body: RichValue) -> Comment:
    world = emulator.world
    if len(issue.comments) >= world.limits.comments:
        # The 413 status is documented; the wording of its message is not (unverified).
        raise BadRequest(
            413, [f"The issue has reached the limit of {world.limits.comments} comments."]
        )
    now = emulator.now()
    comment = Comment(
        id=str(world.new_id("next_comment_id")),
        author=call.user.account_id,
        body=body,
        created=now,
        updated=now,
    )
    issue.comments.append(comment)
    emulator.touched(issue)
    return comment


def list_comments(emulator: JiraEmulator, call: Call) -> Response:
    issue = emulator.issue_for(call, call.args[0])
    order = call.param("orderBy", "created") or "created"
    if order not in ("created", "+created", "-created"):
        raise BadRequest(400, ["orderBy must be 'created', '+created' or '-created'."])
    comments = sorted(issue.comments, key=lambda c: (c.created, int(c.id)))
    if order == "-created":
        comments.reverse()
    start = call.int_param("startAt", 0)
    size = min(call.int_param("maxResults", 100), 5000)
    return Response.json(200, call.view.comments_page(issue, comments, start, size))


def add_comment(emulator: JiraEmulator, call: Call) -> Response:
    issue = emulator.issue_for(call, call.args[0])
    if not emulator.can(call.user, COMMENT):
        raise BadRequest(400, ["You do not have the permission to comment on this issue."])
    body = rich_body(emulator, call, call.json_object().get("body"))
    comment = append_comment(emulator, call, issue, body)
    return Response.json(201, call.view.comment(issue, comment))


def _comment(issue: Issue, comment_id: str) -> Comment:
    found = next((c for c in issue.comments if c.id == comment_id), None)
    if found is None:
        raise BadRequest(404, [f"Can not find a comment for the id: {comment_id}."])
    return found


def get_comment(emulator: JiraEmulator, call: Call) -> Response:
    issue = emulator.issue_for(call, call.args[0])
    return Response.json(200, call.view.comment(issue, _comment(issue, call.args[1])))


def update_comment(emulator: JiraEmulator, call: Call) -> Response:
    issue = emulator.issue_for(call, call.args[0])
    comment = _comment(issue, call.args[1])
    if not emulator.can(call.user, COMMENT):
        raise BadRequest(400, ["You do not have the permission to edit this comment."])
    comment.body = rich_body(emulator, call, call.json_object().get("body"))
    comment.updated = emulator.now()
    comment.update_author = call.user.account_id
    emulator.touched(issue)
    return Response.json(200, call.view.comment(issue, comment))


def delete_comment(emulator: JiraEmulator, call: Call) -> Response:
    issue = emulator.issue_for(call, call.args[0])
    comment = _comment(issue, call.args[1])
    issue.comments.remove(comment)
    emulator.touched(issue)
    return Response(204)


# -- transitions ------------------------------------------------------------------------------


def list_transitions(emulator: JiraEmulator, call: Call) -> Response:
    issue = emulator.issue_for(call, call.args[0])
    transitions: list[Transition] = []
    if emulator.can(call.user, TRANSITION):
        transitions = emulator.world.workflow.available(issue.status_id)
    wanted = call.param("transitionId")
    if wanted:
        transitions = [t for t in transitions if t.id == wanted]
    with_fields = "transitions.fields" in (call.param("expand", "") or "")
    return Response.json(
        200,
        {
            "expand": "transitions",
            "transitions": [call.view.transition(t, with_fields) for t in transitions],
        },
    )


def do_transition(emulator: JiraEmulator, call: Call) -> Response:
    world = emulator.world
    issue = emulator.issue_for(call, call.args[0])
    body = call.json_object()
    reference = body.get("transition")
    if not isinstance(reference, Mapping) or not reference.get("id"):
        raise BadRequest(400, ["Missing 'transition' identifier"])
    if not emulator.can(call.user, TRANSITION):
        raise BadRequest(400, ["You do not have permission to transition this issue."])
    transition_id = str(reference["id"])
    transition = next(
        (t for t in world.workflow.available(issue.status_id) if t.id == transition_id), None
    )
    if transition is None:
        raise BadRequest(400, [f"Transition id '{transition_id}' is not valid for this issue."])
    fields = body.get("fields") or {}
    update = body.get("update") or {}
    if not isinstance(fields, Mapping) or not isinstance(update, Mapping):
        raise BadRequest(400, ["'fields' and 'update' must be objects."])
    errors: dict[str, str] = {}
    for name in set(fields) & set(update):
        errors[name] = f"Field '{name}' cannot be set in both 'fields' and 'update'."
    resolution_id: str | None = None
    for name, value in fields.items():
        if name != "resolution" or not transition.resolution_screen:
            errors[name] = NOT_ON_SCREEN.format(field=name)
            continue
        wanted = value.get("id") or value.get("name") if isinstance(value, Mapping) else None
        resolution = world.resolution(str(wanted)) if wanted else None
        if resolution is None:
            errors[name] = f"Could not find resolution with name '{wanted}'."
        else:
            resolution_id = resolution.id
    comment_body: RichValue | None = None
    for name, operations in update.items():
        if name != "comment":
            errors[name] = NOT_ON_SCREEN.format(field=name)
            continue
        for operation in operations if isinstance(operations, list) else []:
            add = operation.get("add") if isinstance(operation, Mapping) else None
            if isinstance(add, Mapping):
                comment_body = rich_body(emulator, call, add.get("body"))
    if errors:
        raise BadRequest(400, [], errors)
    target = world.workflow.status(transition.to_status)
    issue.status_id = target.id
    if target.category.key == "done":
        issue.resolution_id = resolution_id or world.resolutions[0].id
        issue.resolution_date = emulator.now()
    else:
        issue.resolution_id = None
        issue.resolution_date = None
    if comment_body is not None:
        append_comment(emulator, call, issue, comment_body)
    emulator.touched(issue)
    return Response(204)
