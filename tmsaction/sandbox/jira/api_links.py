"""Jira emulator endpoints hanging off issues: issue link types, issue links, remote links, issue
properties and attachments.
"""

from __future__ import annotations

from collections.abc import Mapping
from email.parser import BytesParser
from email.policy import HTTP
from typing import TYPE_CHECKING, Any

from tmsaction.sandbox.jira.api_issues import append_comment, rich_body
from tmsaction.sandbox.jira.call import BadRequest, Call
from tmsaction.sandbox.jira.world import (
    ATTACH,
    EDIT,
    LINK,
    Attachment,
    Issue,
    IssueLink,
    RemoteLink,
)
from tmsaction.sandbox.server import Response

if TYPE_CHECKING:
    from tmsaction.sandbox.jira.emulator import JiraEmulator

LINKING_DISABLED = "Issue linking is currently disabled."


def _linking_enabled(emulator: JiraEmulator, status: int = 404) -> None:
    if not emulator.world.linking_enabled:
        raise BadRequest(status, [LINKING_DISABLED])


# -- issue link types and issue links ---------------------------------------------------------


def link_types(emulator: JiraEmulator, call: Call) -> Response:
    _linking_enabled(emulator)
    types = [call.view.link_type(t) for t in emulator.world.link_types]
    return Response.json(200, {"issueLinkTypes": types})


def link_type(emulator: JiraEmulator, call: Call) -> Response:
    _linking_enabled(emulator)
    found = next((t for t in emulator.world.link_types if t.id == call.args[0]), None)
    if found is None:
        raise BadRequest(404, [f"No issue link type with id '{call.args[0]}' found."])
    return Response.json(200, call.view.link_type(found))


def _linked_issue(emulator: JiraEmulator, call: Call, reference: Any) -> Issue:
    wanted = (
        str(reference.get("key") or reference.get("id") or "")
        if isinstance(reference, Mapping)
        else ""
    )
    issue = emulator.world.issue(wanted) if wanted else None
    if issue is None:
        raise BadRequest(404, ["Issue Does Not Exist"])
    return issue


def create_link(emulator: JiraEmulator, call: Call) -> Response:
    """{type, inwardIssue: A, outwardIssue: B} stores "A <type.outward> B" (A blocks B).

    Jira accepts a link that already exists and answers 201 without adding a second one; the
    optional comment goes to the request's outwardIssue ("the from (outward) issue", OpenAPI).
    """
    world = emulator.world
    _linking_enabled(emulator)
    body = call.json_object()
    reference = body.get("type")
    wanted = (
        str(reference.get("id") or reference.get("name") or "")
        if isinstance(reference, Mapping)
        else ""
    )
    found_type = world.link_type(wanted) if wanted else None
    if found_type is None:
        raise BadRequest(404, [f"No issue link type with name '{wanted}' found."])
    source = _linked_issue(emulator, call, body.get("inwardIssue"))
    destination = _linked_issue(emulator, call, body.get("outwardIssue"))
    if not emulator.can(call.user, LINK):
        project = world.project_by_id(destination.project_id)
        raise BadRequest(
            404, [f"You do not have the permission to link issues in project '{project.key}'."]
        )
    comment = body.get("comment")
    comment_body = (
        rich_body(emulator, call, comment.get("body")) if isinstance(comment, Mapping) else None
    )
    existing = next(
        (
            link
            for link in world.links.values()
            if link.type_id == found_type.id
            and link.source == source.id
            and link.destination == destination.id
        ),
        None,
    )
    if existing is None:
        for issue in (source, destination):
            if len(world.links_of(issue.id)) >= world.limits.issue_links:
                raise BadRequest(
                    413,
                    [
                        f"Issue {issue.key} has reached the limit of {world.limits.issue_links} "
                        "issue links."
                    ],
                )
        link = IssueLink(
            str(world.new_id("next_link_id")), found_type.id, source.id, destination.id
        )
        world.links[link.id] = link
    if comment_body is not None:
        append_comment(emulator, call, destination, comment_body)
    emulator.touched(source)
    emulator.touched(destination)
    return Response(201)


def get_link(emulator: JiraEmulator, call: Call) -> Response:
    _linking_enabled(emulator)
    link = emulator.world.links.get(call.args[0])
    if link is None:
        raise BadRequest(404, [f"No issue link with id '{call.args[0]}' exists."])
    return Response.json(200, call.view.issue_link(link, None))


def delete_link(emulator: JiraEmulator, call: Call) -> Response:
    _linking_enabled(emulator)
    link = emulator.world.links.pop(call.args[0], None)
    if link is None:
        raise BadRequest(404, [f"No issue link with id '{call.args[0]}' exists."])
    for issue_id in (link.source, link.destination):
        issue = emulator.world.issues.get(issue_id)
        if issue is not None:
            emulator.touched(issue)
    return Response(204)


# -- remote links -----------------------------------------------------------------------------


def list_remote_links(emulator: JiraEmulator, call: Call) -> Response:
    _linking_enabled(emulator, 403)
    issue = emulator.issue_for(call, call.args[0])
    global_id = call.param("globalId")
    if global_id is not None:
        found = next((r for r in issue.remote_links if r.global_id == global_id), None)
        if found is None:
            raise BadRequest(404, [f"No remote link with global id '{global_id}' exists."])
        return Response.json(200, call.view.remote_link(issue, found))
    return Response.json(200, [call.view.remote_link(issue, r) for r in issue.remote_links])


def _remote_link_fields(body: Mapping[str, Any]) -> tuple[dict[str, Any], str | None]:
    target = body.get("object")
    if not isinstance(target, Mapping) or not target.get("title"):
        raise BadRequest(400, [], {"title": "'title' is required."})
    global_id = body.get("globalId")
    return dict(target), str(global_id) if global_id is not None else None


def upsert_remote_link(emulator: JiraEmulator, call: Call) -> Response:
    """Create or update by `globalId`; on update, fields left out become null (OpenAPI)."""
    world = emulator.world
    _linking_enabled(emulator, 403)
    issue = emulator.issue_for(call, call.args[0])
    if not emulator.can(call.user, LINK):
        raise BadRequest(403, ["You do not have permission to link issues."])
    body = call.json_object()
    target, global_id = _remote_link_fields(body)
    existing = (
        next((r for r in issue.remote_links if r.global_id == global_id), None)
        if global_id is not None
        else None
    )
    application = body.get("application")
    relationship = body.get("relationship")
    if existing is not None:
        existing.object = target
        existing.application = dict(application) if isinstance(application, Mapping) else None
        existing.relationship = str(relationship) if relationship is not None else None
        link, status = existing, 200
    else:
        if len(issue.remote_links) >= world.limits.remote_links:
            raise BadRequest(
                413,
                [
                    f"Issue {issue.key} has reached the limit of {world.limits.remote_links} "
                    "remote links."
                ],
            )
        link = RemoteLink(
            id=world.new_id("next_remote_link_id"),
            global_id=global_id,
            application=dict(application) if isinstance(application, Mapping) else None,
            relationship=str(relationship) if relationship is not None else None,
            object=target,
        )
        issue.remote_links.append(link)
        status = 201
    emulator.touched(issue)
    return Response.json(
        status, {"id": link.id, "self": f"{call.view.api}/issue/{issue.key}/remotelink/{link.id}"}
    )


def _remote_link(issue: Issue, link_id: str) -> RemoteLink:
    found = next((r for r in issue.remote_links if str(r.id) == link_id), None)
    if found is None:
        raise BadRequest(404, [f"No remote link with id '{link_id}' exists."])
    return found


def get_remote_link(emulator: JiraEmulator, call: Call) -> Response:
    issue = emulator.issue_for(call, call.args[0])
    return Response.json(200, call.view.remote_link(issue, _remote_link(issue, call.args[1])))


def update_remote_link(emulator: JiraEmulator, call: Call) -> Response:
    issue = emulator.issue_for(call, call.args[0])
    link = _remote_link(issue, call.args[1])
    body = call.json_object()
    link.object, link.global_id = _remote_link_fields(body)
    application = body.get("application")
    link.application = dict(application) if isinstance(application, Mapping) else None
    relationship = body.get("relationship")
    link.relationship = str(relationship) if relationship is not None else None
    emulator.touched(issue)
    return Response(204)


def delete_remote_link(emulator: JiraEmulator, call: Call) -> Response:
    issue = emulator.issue_for(call, call.args[0])
    issue.remote_links.remove(_remote_link(issue, call.args[1]))
    emulator.touched(issue)
    return Response(204)


def delete_remote_link_by_global_id(emulator: JiraEmulator, call: Call) -> Response:
    issue = emulator.issue_for(call, call.args[0])
    global_id = call.param("globalId")
    found = [r for r in issue.remote_links if r.global_id == global_id]
    if not global_id or not found:
        raise BadRequest(404, [f"No remote link with global id '{global_id}' exists."])
    for link in found:
        issue.remote_links.remove(link)
    emulator.touched(issue)
    return Response(204)


# -- issue properties -------------------------------------------------------------------------


def list_properties(emulator: JiraEmulator, call: Call) -> Response:
    issue = emulator.issue_for(call, call.args[0])
    keys = [
        {"key": key, "self": f"{call.view.api}/issue/{issue.key}/properties/{key}"}
        for key in issue.properties
    ]
    return Response.json(200, {"keys": keys})


def get_property(emulator: JiraEmulator, call: Call) -> Response:
    issue = emulator.issue_for(call, call.args[0])
    key = call.args[1]
    if key not in issue.properties:
        raise BadRequest(404, [f"The property with key '{key}' does not exist."])
    return Response.json(200, {"key": key, "value": issue.properties[key]})


def set_property(emulator: JiraEmulator, call: Call) -> Response:
    limits = emulator.world.limits
    issue = emulator.issue_for(call, call.args[0])
    if not emulator.can(call.user, EDIT):
        raise BadRequest(403, ["You do not have permission to edit this issue."])
    key = call.args[1]
    if len(key) > 255:
        raise BadRequest(400, ["The property key cannot be longer than 255 characters."])
    raw = call.request.body.decode("utf-8", errors="replace")
    if not raw.strip():
        raise BadRequest(400, ["The property value must be a valid, non-empty JSON."])
    if len(raw) > limits.property_value:
        raise BadRequest(
            400, [f"The property value cannot be longer than {limits.property_value} characters."]
        )
    value = call.json()
    created = key not in issue.properties
    issue.properties[key] = value
    emulator.touched(issue)
    return Response(201 if created else 200)


def delete_property(emulator: JiraEmulator, call: Call) -> Response:
    issue = emulator.issue_for(call, call.args[0])
    if issue.properties.pop(call.args[1], None) is None:
        raise BadRequest(404, [f"The property with key '{call.args[1]}' does not exist."])
    emulator.touched(issue)
    return Response(204)


# -- attachments ------------------------------------------------------------------------------


def _file_parts(content_type: str, body: bytes) -> list[tuple[str, bytes, str]]:
    """(filename, content, mime type) of every multipart part named `file`."""
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    if not message.is_multipart():
        return []
    parts: list[tuple[str, bytes, str]] = []
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") != "file":
            continue
        payload = part.get_payload(decode=True)
        parts.append(
            (
                part.get_filename() or "attachment",
                payload if isinstance(payload, bytes) else b"",
                part.get_content_type(),
            )
        )
    return parts


def add_attachments(emulator: JiraEmulator, call: Call) -> Response:
    """Multipart parts named `file`; blocked without `X-Atlassian-Token: no-check` (XSRF)."""
    world = emulator.world
    limits = world.limits
    if call.request.header("x-atlassian-token").lower() != "no-check":
        return Response(403, b"XSRF check failed", {"Content-Type": "text/plain;charset=UTF-8"})
    issue = emulator.issue_for(call, call.args[0])
    if not emulator.can(call.user, ATTACH):
        raise BadRequest(403, ["You do not have permission to create attachments for this issue."])
    files = _file_parts(call.request.header("content-type"), call.request.body)
    if not files:
        raise BadRequest(400, ["No attachment was found in a part named 'file'."])
    if len(files) > limits.files_per_request:
        raise BadRequest(
            413, [f"At most {limits.files_per_request} files can be uploaded at once."]
        )
    if len(issue.attachments) + len(files) > limits.attachments:
        raise BadRequest(
            413, [f"Issue {issue.key} has reached the limit of {limits.attachments} attachments."]
        )
    too_big = next(
        (name for name, content, _ in files if len(content) > limits.attachment_bytes), None
    )
    if too_big:
        raise BadRequest(413, [f"The file '{too_big}' is larger than the attachment size limit."])
    created: list[Attachment] = []
    for name, content, mime in files:
        attachment = Attachment(
            id=str(world.new_id("next_attachment_id")),
            filename=name,
            content=content,
            mime_type=mime,
            author=call.user.account_id,
            created=emulator.now(),
        )
        issue.attachments.append(attachment)
        created.append(attachment)
    emulator.touched(issue)
    return Response.json(200, [call.view.attachment(a) for a in created])


def _attachment(emulator: JiraEmulator, attachment_id: str) -> Attachment:
    for issue in emulator.world.issues.values():
        for attachment in issue.attachments:
            if attachment.id == attachment_id:
                return attachment
    raise BadRequest(404, [f"The attachment with id '{attachment_id}' does not exist."])


def get_attachment(emulator: JiraEmulator, call: Call) -> Response:
    return Response.json(200, call.view.attachment(_attachment(emulator, call.args[0])))


def attachment_content(emulator: JiraEmulator, call: Call) -> Response:
    attachment = _attachment(emulator, call.args[0])
    return Response(200, attachment.content, {"Content-Type": attachment.mime_type})
