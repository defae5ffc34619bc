"""JSON representations the Jira emulator answers with (shapes from the OpenAPI spec's schemas:
IssueBean, Comment, IssueLink, RemoteIssueLink, Attachment, FieldCreateMetadata...). Pure; no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from typing import Any

from tmsaction.sandbox.jira.adf import adf_to_wiki, wiki_to_adf
from tmsaction.sandbox.jira.world import (
    Attachment,
    Comment,
    Component,
    FieldDef,
    Issue,
    IssueLink,
    IssueType,
    LinkType,
    Priority,
    Project,
    RemoteLink,
    Resolution,
    RichValue,
    ScreenField,
    Status,
    StatusCategory,
    Transition,
    World,
)

# Fields left out of `*navigable` (Jira's non-navigable system fields).
NON_NAVIGABLE = frozenset({"comment", "worklog"})


def timestamp(seconds: float) -> str:
    """Jira's wire format for dates: 2024-01-31T10:15:30.123+0000."""
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


@dataclass(frozen=True)
class View:
    world: World
    base_url: str  # http://host:port of the request, so `self` links work on any port
    version: int  # 2 or 3; `latest` is served as 2

    @property
    def api(self) -> str:
        return f"{self.base_url}/rest/api/{self.version}"

    @property
    def cloud(self) -> bool:
        return self.world.deployment == "cloud"

    # -- small resources ---------------------------------------------------------------------
    def user(self, account_id: str | None) -> dict[str, Any] | None:
        user = self.world.user_by_account(account_id) if account_id else None
        if user is None:
            return None
        if self.cloud:
            return {
                "self": f"{self.api}/user?accountId={user.account_id}",
                "accountId": user.account_id,
                "accountType": "atlassian",
                "emailAddress": user.email,
                "displayName": user.display_name,
                "active": True,
                "timeZone": "Etc/UTC",
            }
        return {
            "self": f"{self.api}/user?username={user.name}",
            "name": user.name,
            "key": user.name,
            "emailAddress": user.email,
            "displayName": user.display_name,
            "active": True,
            "timeZone": "Etc/UTC",
        }

    def category(self, category: StatusCategory) -> dict[str, Any]:
        return {
            "self": f"{self.api}/statuscategory/{category.id}",
            "id": category.id,
            "key": category.key,
            "colorName": category.color,
            "name": category.name,
        }

    def status(self, status: Status) -> dict[str, Any]:
        return {
            "self": f"{self.api}/status/{status.id}",
            "description": "",
            "iconUrl": f"{self.base_url}/images/icons/statuses/generic.png",
            "name": status.name,
            "id": status.id,
            "statusCategory": self.category(status.category),
        }

    def issue_type(self, issue_type: IssueType) -> dict[str, Any]:
        return {
            "self": f"{self.api}/issuetype/{issue_type.id}",
            "id": issue_type.id,
            "description": issue_type.description,
            "iconUrl": f"{self.base_url}/images/icons/issuetypes/{issue_type.name.lower()}.svg",
            "name": issue_type.name,
            "subtask": issue_type.subtask,
            "hierarchyLevel": issue_type.hierarchy_level,
        }

    def priority(self, priority: Priority) -> dict[str, Any]:
        return {
            "self": f"{self.api}/priority/{priority.id}",
            "iconUrl": f"{self.base_url}/images/icons/priorities/{priority.name.lower()}.svg",
            "name": priority.name,
            "id": priority.id,
        }

    def resolution(self, resolution: Resolution) -> dict[str, Any]:
        return {
            "self": f"{self.api}/resolution/{resolution.id}",
            "id": resolution.id,
            "description": resolution.description,
            "name": resolution.name,
        }

    def component(self, component: Component) -> dict[str, Any]:
        return {
            "self": f"{self.api}/component/{component.id}",
            "id": component.id,
            "name": component.name,
        }

    def project(self, project: Project, *, full: bool = False) -> dict[str, Any]:
        view: dict[str, Any] = {
            "self": f"{self.api}/project/{project.id}",
            "id": project.id,
            "key": project.key,
            "name": project.name,
            "projectTypeKey": "software",
            "simplified": False,
        }
        if full:
            view["components"] = [self.component(c) for c in project.components]
            view["issueTypes"] = [
                self.issue_type(self.world.issue_type_by_id(t)) for t in project.issue_types
            ]
            view["versions"] = []
            view["lead"] = self.user(self.world.users[0].account_id) if self.world.users else None
            view["description"] = ""
        return view

    def link_type(self, link_type: LinkType) -> dict[str, Any]:
        return {
            "id": link_type.id,
            "name": link_type.name,
            "inward": link_type.inward,
            "outward": link_type.outward,
            "self": f"{self.api}/issueLinkType/{link_type.id}",
        }

    def rich(self, value: RichValue | None) -> Any:
        """v3 answers ADF, v2 a wiki string, converting what the other API version wrote."""
        if value is None:
            return None
        if self.version == 3:
            return value.adf if value.adf is not None else wiki_to_adf(value.wiki or "")
        return value.wiki if value.wiki is not None else adf_to_wiki(value.adf or {})

    # -- issues --------------------------------------------------------------------------------
    def linked_issue(self, issue: Issue) -> dict[str, Any]:
        """The short form embedded in issuelinks: key, summary, status, priority, issuetype."""
        fields: dict[str, Any] = {
            "summary": issue.summary,
            "status": self.status(self.world.workflow.status(issue.status_id)),
            "issuetype": self.issue_type(self.world.issue_type_by_id(issue.issue_type_id)),
        }
        priority = self.world.priority(str(issue.fields.get("priority") or ""))
        if priority:
            fields["priority"] = self.priority(priority)
        return {
            "id": str(issue.id),
            "key": issue.key,
            "self": f"{self.api}/issue/{issue.id}",
            "fields": fields,
        }

    def issue_link(self, link: IssueLink, perspective: int | None) -> dict[str, Any]:
        """From an issue's point of view only the other end is shown: on the source (A in "A blocks
        B") as `outwardIssue: B`, on the destination as `inwardIssue: A`."""
        link_type = self.world.link_type(link.type_id)
        assert link_type is not None
        view: dict[str, Any] = {
            "id": link.id,
            "self": f"{self.api}/issueLink/{link.id}",
            "type": self.link_type(link_type),
        }
        source = self.world.issues[link.source]
        destination = self.world.issues[link.destination]
        if perspective is None or perspective != link.source:
            view["inwardIssue"] = self.linked_issue(source)
        if perspective is None or perspective != link.destination:
            view["outwardIssue"] = self.linked_issue(destination)
        return view

    def comment(self, issue: Issue, comment: Comment) -> dict[str, Any]:
        view = {
            "self": f"{self.api}/issue/{issue.id}/comment/{comment.id}",
            "id": comment.id,
            "author": self.user(comment.author),
            "body": self.rich(comment.body),
            "updateAuthor": self.user(comment.update_author or comment.author),
            "created": timestamp(comment.created),
            "updated": timestamp(comment.updated),
        }
        if self.cloud:
            view["jsdPublic"] = True
        return view

    def comments_page(
        self, issue: Issue, comments: list[Comment], start: int, size: int
    ) -> dict[str, Any]:
        return {
            "comments": [self.comment(issue, c) for c in comments[start : start + size]],
            "maxResults": size,
            "total": len(comments),
            "startAt": start,
        }

    def attachment(self, attachment: Attachment) -> dict[str, Any]:
        return {
            "self": f"{self.api}/attachment/{attachment.id}",
            "id": attachment.id,
            "filename": attachment.filename,
            "author": self.user(attachment.author),
            "created": timestamp(attachment.created),
            "size": len(attachment.content),
            "mimeType": attachment.mime_type,
            "content": f"{self.api}/attachment/content/{attachment.id}",
        }

    def remote_link(self, issue: Issue, link: RemoteLink) -> dict[str, Any]:
        view: dict[str, Any] = {
            "id": link.id,
            "self": f"{self.api}/issue/{issue.key}/remotelink/{link.id}",
            "object": link.object,
        }
        if link.global_id is not None:
            view["globalId"] = link.global_id
        if link.application is not None:
            view["application"] = link.application
        if link.relationship is not None:
            view["relationship"] = link.relationship
        return view

    def all_fields(self, issue: Issue) -> dict[str, Any]:
        world = self.world
        resolution = world.resolution(issue.resolution_id) if issue.resolution_id else None
        project = world.project_by_id(issue.project_id)
        fields: dict[str, Any] = {
            "summary": issue.summary,
            "issuetype": self.issue_type(world.issue_type_by_id(issue.issue_type_id)),
            "project": self.project(project),
            "status": self.status(world.workflow.status(issue.status_id)),
            "statuscategorychangedate": timestamp(issue.updated),
            "resolution": self.resolution(resolution) if resolution else None,
            "resolutiondate": timestamp(issue.resolution_date) if issue.resolution_date else None,
            "created": timestamp(issue.created),
            "updated": timestamp(issue.updated),
            "reporter": self.user(issue.reporter),
            "creator": self.user(issue.reporter),
            "assignee": self.user(issue.fields.get("assignee")),
            "labels": issue.labels,
            "issuelinks": [self.issue_link(link, issue.id) for link in world.links_of(issue.id)],
            "attachment": [self.attachment(a) for a in issue.attachments],
            "comment": self.comments_page(issue, issue.comments, 0, 5000),
            "description": None,
            "environment": None,
            "priority": None,
            "components": [],
            "fixVersions": [],
            "versions": [],
            "subtasks": [],
        }
        for field_id, value in issue.fields.items():
            if field_id in ("summary", "labels", "assignee"):
                continue
            if field_id == "priority":
                priority = world.priority(str(value))
                fields["priority"] = self.priority(priority) if priority else None
            elif field_id == "components":
                components = {c.id: c for c in project.components}
                fields["components"] = [
                    self.component(components[c]) for c in value or [] if c in components
                ]
            elif isinstance(value, RichValue):
                fields[field_id] = self.rich(value)
            else:
                fields[field_id] = value
        for definition in world.fields:
            if definition.custom:
                fields.setdefault(definition.id, None)
        return fields

    def issue(
        self,
        issue: Issue,
        requested: Iterable[str] | None,
        *,
        default: str = "*all",
        expand: str = "",
        properties: Iterable[str] = (),
    ) -> dict[str, Any]:
        """IssueBean. `requested` follows the `fields` parameter rules (*all, *navigable, ids,
        -exclusions); a request for `id` alone yields only the id, as search/jql does."""
        wanted = [f for f in (requested or []) if f] or [default]
        if wanted == ["id"]:
            return {"id": str(issue.id)}
        view: dict[str, Any] = {
            "expand": "renderedFields,names,schema,operations,editmeta,changelog,"
            "versionedRepresentations",
            "id": str(issue.id),
            "self": f"{self.api}/issue/{issue.id}",
            "key": issue.key,
        }
        everything = self.all_fields(issue)
        view["fields"] = select_fields(everything, wanted)
        expansions = {e.strip() for e in expand.split(",") if e.strip()}
        if "names" in expansions:
            names = {f.id: f.name for f in self.world.fields}
            view["names"] = {k: names.get(k, k) for k in view["fields"]}
        if "renderedFields" in expansions:
            view["renderedFields"] = {
                "description": _html(self.world, issue.fields.get("description"))
            }
        if "transitions" in expansions:
            view["transitions"] = [
                self.transition(t, False) for t in self.world.workflow.available(issue.status_id)
            ]
        selected = list(properties)
        if selected:
            keys = list(issue.properties) if "*all" in selected else selected
            view["properties"] = {k: issue.properties[k] for k in keys if k in issue.properties}
        return view

    def transition(self, transition: Transition, with_fields: bool) -> dict[str, Any]:
        view: dict[str, Any] = {
            "id": transition.id,
            "name": transition.name,
            "to": self.status(self.world.workflow.status(transition.to_status)),
            "hasScreen": transition.resolution_screen,
            "isGlobal": transition.from_statuses is None,
            "isInitial": False,
            "isAvailable": True,
            "isConditional": False,
            "isLooped": False,
        }
        if with_fields:
            view["fields"] = {}
            if transition.resolution_screen:
                view["fields"]["resolution"] = {
                    "required": True,
                    "schema": {"type": "resolution", "system": "resolution"},
                    "name": "Resolution",
                    "key": "resolution",
                    "hasDefaultValue": True,
                    "operations": ["set"],
                    "allowedValues": [self.resolution(r) for r in self.world.resolutions],
                }
        return view

    # -- metadata ------------------------------------------------------------------------------
    def field(self, definition: FieldDef) -> dict[str, Any]:
        clause = definition.id
        if definition.custom:
            clause_names = [f"cf[{definition.id.split('_', 1)[1]}]", definition.name]
        elif clause == "issuetype":
            clause_names = ["issuetype", "type"]
        else:
            clause_names = [clause]
        return {
            "id": definition.id,
            "key": definition.id,
            "name": definition.name,
            "custom": definition.custom,
            "orderable": True,
            "navigable": definition.navigable,
            "searchable": True,
            "clauseNames": clause_names,
            "schema": definition.schema,
        }

    def create_meta_field(self, screen_field: ScreenField, definition: FieldDef) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "required": screen_field.required,
            "schema": definition.schema,
            "name": definition.name,
            "key": definition.id,
            "fieldId": definition.id,
            "hasDefaultValue": screen_field.default is not None,
            "operations": ["set", "add", "remove"] if definition.id == "labels" else ["set"],
        }
        allowed = self._allowed_values(definition)
        if allowed is not None:
            meta["allowedValues"] = allowed
        if screen_field.default is not None and definition.id == "priority":
            priority = self.world.priority(str(screen_field.default))
            if priority:
                meta["defaultValue"] = self.priority(priority)
        return meta

    def _allowed_values(self, definition: FieldDef) -> list[dict[str, Any]] | None:
        if definition.id == "priority":
            return [self.priority(p) for p in self.world.priorities]
        if definition.id == "components":
            return [self.component(c) for p in self.world.projects for c in p.components]
        if definition.id == "issuetype":
            return [self.issue_type(t) for t in self.world.issue_types]
        if definition.allowed_values is not None:
            return [
                {"self": f"{self.api}/customFieldOption/{o['id']}", **o}
                for o in definition.allowed_values
            ]
        return None


def select_fields(everything: dict[str, Any], wanted: list[str]) -> dict[str, Any]:
    chosen: set[str] = set()
    excluded: set[str] = set()
    for item in wanted:
        for part in item.split(","):
            name = part.strip()
            if name == "*all":
                chosen.update(everything)
            elif name == "*navigable":
                chosen.update(k for k in everything if k not in NON_NAVIGABLE)
            elif name.startswith("-"):
                excluded.add(name[1:])
            elif name in everything:
                chosen.add(name)
    return {k: v for k, v in everything.items() if k in chosen and k not in excluded}


def _html(world: World, value: Any) -> str | None:
    if not isinstance(value, RichValue):
        return None
    view = View(world, "", 2)
    text = view.rich(value) or ""
    return "".join(f"<p>{escape(line)}</p>" for line in str(text).splitlines() if line)
