"""Jira emulator endpoints for the instance and its configuration: serverInfo, myself, projects,
issue types, priorities, resolutions, statuses, fields and create metadata.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tmsaction.sandbox.jira.call import BadRequest, Call
from tmsaction.sandbox.jira.views import timestamp
from tmsaction.sandbox.jira.world import BROWSE, CREATE, Project
from tmsaction.sandbox.server import Response

if TYPE_CHECKING:
    from tmsaction.sandbox.jira.emulator import JiraEmulator

CREATEMETA_MAX = 200  # "Parameter 'maxResults' must not exceed the limit '200'"


def server_info(emulator: JiraEmulator, call: Call) -> Response:
    cloud = emulator.cloud
    info: dict[str, Any] = {
        "baseUrl": call.view.base_url,
        "displayUrl": call.view.base_url,
        "version": "1001.0.0-SNAPSHOT" if cloud else "9.12.15",
        "versionNumbers": [1001, 0, 0] if cloud else [9, 12, 15],
        "deploymentType": "Cloud" if cloud else "Server",
        "buildNumber": 100289 if cloud else 9120015,
        "buildDate": "2025-12-01T00:00:00.000+0000",
        "serverTime": timestamp(emulator.now()),
        "scmInfo": "57a0ca5b4a0bb0ac5f3fee4764acb1c14e4d7e71",
        "serverTitle": "Jira",
        "defaultLocale": {"locale": "en_US"},
        "serverTimeZone": "Etc/UTC",
    }
    return Response.json(200, info)


def myself(emulator: JiraEmulator, call: Call) -> Response:
    view = call.view.user(call.user.account_id) or {}
    view["locale"] = "en_US"
    view["groups"] = {"size": 1, "items": []}
    view["applicationRoles"] = {"size": 1, "items": []}
    return Response.json(200, view)


def _visible_project(emulator: JiraEmulator, call: Call, id_or_key: str) -> Project:
    project = emulator.world.project(id_or_key)
    if project is None or not emulator.can(call.user, BROWSE):
        raise BadRequest(404, [f"No project could be found with key '{id_or_key}'."])
    return project


def projects(emulator: JiraEmulator, call: Call) -> Response:
    if not emulator.can(call.user, BROWSE):
        return Response.json(200, [])
    return Response.json(200, [call.view.project(p) for p in emulator.world.projects])


def project_search(emulator: JiraEmulator, call: Call) -> Response:
    start = call.int_param("startAt", 0)
    size = call.int_param("maxResults", 50)
    wanted = {k.casefold() for k in call.param_list("keys")}
    found = [
        p
        for p in emulator.world.projects
        if emulator.can(call.user, BROWSE) and (not wanted or p.key.casefold() in wanted)
    ]
    page = found[start : start + size]
    return Response.json(
        200,
        {
            "self": f"{call.view.api}/project/search",
            "maxResults": size,
            "startAt": start,
            "total": len(found),
            "isLast": start + size >= len(found),
            "values": [call.view.project(p) for p in page],
        },
    )


def project(emulator: JiraEmulator, call: Call) -> Response:
    found = _visible_project(emulator, call, call.args[0])
    return Response.json(200, call.view.project(found, full=True))


def project_components(emulator: JiraEmulator, call: Call) -> Response:
    found = _visible_project(emulator, call, call.args[0])
    return Response.json(200, [call.view.component(c) for c in found.components])


def issue_types(emulator: JiraEmulator, call: Call) -> Response:
    return Response.json(200, [call.view.issue_type(t) for t in emulator.world.issue_types])


def priorities(emulator: JiraEmulator, call: Call) -> Response:
    return Response.json(200, [call.view.priority(p) for p in emulator.world.priorities])


def resolutions(emulator: JiraEmulator, call: Call) -> Response:
    return Response.json(200, [call.view.resolution(r) for r in emulator.world.resolutions])


def statuses(emulator: JiraEmulator, call: Call) -> Response:
    return Response.json(200, [call.view.status(s) for s in emulator.world.workflow.statuses])


def fields(emulator: JiraEmulator, call: Call) -> Response:
    return Response.json(200, [call.view.field(f) for f in emulator.world.fields])


def _page(call: Call, items: list[dict[str, Any]], cloud_key: str, cloud: bool) -> dict[str, Any]:
    start = call.int_param("startAt", 0)
    size = call.int_param("maxResults", 50)
    if size > CREATEMETA_MAX:
        raise BadRequest(
            400, [f"Parameter 'maxResults' must not exceed the limit '{CREATEMETA_MAX}'"]
        )
    page = items[start : start + size]
    if cloud:
        return {cloud_key: page, "maxResults": size, "startAt": start, "total": len(items)}
    # Data Center (8.4+/9.x) pages these endpoints as `values` with isLast.
    return {
        "maxResults": size,
        "startAt": start,
        "total": len(items),
        "isLast": start + size >= len(items),
        "values": page,
    }


def createmeta_types(emulator: JiraEmulator, call: Call) -> Response:
    found = _visible_project(emulator, call, call.args[0])
    types = (
        [emulator.world.issue_type_by_id(t) for t in found.issue_types]
        if emulator.can(call.user, CREATE)
        else []
    )
    items = [call.view.issue_type(t) for t in types]
    return Response.json(200, _page(call, items, "issueTypes", emulator.cloud))


def createmeta_fields(emulator: JiraEmulator, call: Call) -> Response:
    found = _visible_project(emulator, call, call.args[0])
    type_id = call.args[1]
    if type_id not in found.issue_types or not emulator.can(call.user, CREATE):
        raise BadRequest(404, [f"Issue type with id '{type_id}' does not exist."])
    items: list[dict[str, Any]] = []
    for screen_field in found.screens.get(type_id, []):
        definition = emulator.world.field(screen_field.field_id)
        if definition is not None:
            items.append(call.view.create_meta_field(screen_field, definition))
    return Response.json(200, _page(call, items, "fields", emulator.cloud))
