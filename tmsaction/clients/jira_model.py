"""Values the Jira client returns, parsed from Jira's JSON (v2 and v3 shapes alike). Pure; no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal


class Flavour(StrEnum):
    CLOUD = "cloud"  # REST v3, ADF, Basic email:api_token, search/jql
    DATA_CENTER = "datacenter"  # REST v2, wiki markup, Bearer PAT, /search with startAt


DONE = "done"  # statusCategory.key of resolved work; "new" and "indeterminate" are open


@dataclass(frozen=True)
class ServerInfo:
    deployment: str  # "Cloud", or "Server"/"DataCenter" on self-hosted Jira
    version: str
    base_url: str  # the site URL browse links use (differs from the API URL with scoped tokens)

    @property
    def cloud(self) -> bool:
        return self.deployment == "Cloud"


@dataclass(frozen=True)
class IssueTypeRef:
    id: str
    name: str
    subtask: bool = False


@dataclass(frozen=True)
class ProjectRef:
    id: str
    key: str
    name: str
    issue_types: tuple[IssueTypeRef, ...] = ()
    components: tuple[str, ...] = ()


@dataclass(frozen=True)
class LinkedIssue:
    """The other end of an issue link, as embedded in `issuelinks`."""

    id: str
    key: str
    summary: str
    status: str
    status_category: str
    issue_type: str | None = None
    priority: str | None = None

    @property
    def open(self) -> bool:
        return self.status_category != DONE


@dataclass(frozen=True)
class IssueLinkRef:
    """A link read from one issue: `phrase` is how Jira words it from that issue ("blocks" on the
    blocker, "is blocked by" on the other one)."""

    id: str
    type_name: str
    phrase: str
    direction: Literal["outward", "inward"]
    other: LinkedIssue


@dataclass(frozen=True)
class JiraIssue:
    id: int
    key: str
    summary: str = ""
    status: str = ""
    status_category: str = ""
    resolution: str | None = None
    labels: tuple[str, ...] = ()
    issue_type: str | None = None
    priority: str | None = None
    links: tuple[IssueLinkRef, ...] = ()
    updated: str | None = None
    fields: Mapping[str, Any] = field(default_factory=dict, repr=False)
    properties: Mapping[str, Any] = field(default_factory=dict, repr=False)  # those asked for

    @property
    def open(self) -> bool:
        """Not in the Done status category (portable across custom workflows)."""
        return self.status_category != DONE

    def linked(self, key: str) -> list[IssueLinkRef]:
        return [link for link in self.links if link.other.key == key]

    @staticmethod
    def from_json(raw: Mapping[str, Any]) -> JiraIssue:
        fields: Mapping[str, Any] = raw.get("fields") or {}
        status = fields.get("status") or {}
        resolution = fields.get("resolution") or {}
        return JiraIssue(
            id=int(raw["id"]),
            key=str(raw.get("key", "")),
            summary=str(fields.get("summary") or ""),
            status=str(status.get("name") or ""),
            status_category=str((status.get("statusCategory") or {}).get("key") or ""),
            resolution=resolution.get("name") if resolution else None,
            labels=tuple(fields.get("labels") or ()),
            issue_type=_name(fields.get("issuetype")),
            priority=_name(fields.get("priority")),
            links=tuple(_link(item) for item in fields.get("issuelinks") or ()),
            updated=fields.get("updated"),
            fields=fields,
            properties=dict(raw.get("properties") or {}),
        )


def _name(value: Any) -> str | None:
    return str(value["name"]) if isinstance(value, Mapping) and value.get("name") else None


def _linked(raw: Mapping[str, Any]) -> LinkedIssue:
    fields: Mapping[str, Any] = raw.get("fields") or {}
    status = fields.get("status") or {}
    return LinkedIssue(
        id=str(raw.get("id", "")),
        key=str(raw.get("key", "")),
        summary=str(fields.get("summary") or ""),
        status=str(status.get("name") or ""),
        status_category=str((status.get("statusCategory") or {}).get("key") or ""),
        issue_type=_name(fields.get("issuetype")),
        priority=_name(fields.get("priority")),
    )


def _link(raw: Mapping[str, Any]) -> IssueLinkRef:
    link_type = raw.get("type") or {}
    # On the issue that is the link's source, Jira shows the other end as `outwardIssue` and the
    # type's outward phrase applies ("A blocks B" read from A).
    if raw.get("outwardIssue"):
        return IssueLinkRef(
            id=str(raw.get("id", "")),
            type_name=str(link_type.get("name", "")),
            phrase=str(link_type.get("outward", "")),
            direction="outward",
            other=_linked(raw["outwardIssue"]),
        )
    return IssueLinkRef(
        id=str(raw.get("id", "")),
        type_name=str(link_type.get("name", "")),
        phrase=str(link_type.get("inward", "")),
        direction="inward",
        other=_linked(raw.get("inwardIssue") or {}),
    )


@dataclass(frozen=True)
class LinkType:
    id: str
    name: str
    inward: str  # "is blocked by"
    outward: str  # "blocks"

    def describe(self) -> str:
        return f"{self.name} ({self.outward} / {self.inward})"


@dataclass(frozen=True)
class LinkRole:
    """A link type and the direction in which `from_key <phrase> to_key` reads."""

    type: LinkType
    reverse: bool = False  # the configured phrase was the inward one ("is blocked by")

    @property
    def phrase(self) -> str:
        return self.type.inward if self.reverse else self.type.outward


@dataclass(frozen=True)
class AllowedValue:
    id: str
    name: str  # `name` for priorities/components, `value` for options


@dataclass(frozen=True)
class FieldMeta:
    id: str
    name: str
    required: bool
    has_default: bool
    schema_type: str  # "string", "option", "array", "priority", "user", ...
    items: str | None = None  # element type of arrays ("string", "component", "option")
    custom: str | None = None  # the custom field type key, e.g. ...:textarea
    allowed: tuple[AllowedValue, ...] | None = None

    @property
    def rich_text(self) -> bool:
        """Takes ADF on v3: description, environment and multi-line (textarea) custom fields."""
        return self.id in ("description", "environment") or bool(
            self.custom and self.custom.endswith(":textarea")
        )

    def allows(self, value: str) -> bool:
        if self.allowed is None:
            return True
        wanted = value.casefold()
        return any(wanted in (a.name.casefold(), a.id) for a in self.allowed)


@dataclass(frozen=True)
class CreateMeta:
    """The create screen of one issue type in one project (createmeta/{project}/issuetypes/{id})."""

    project: str
    issue_type: IssueTypeRef
    fields: Mapping[str, FieldMeta]

    def field(self, name_or_id: str) -> FieldMeta | None:
        if name_or_id in self.fields:
            return self.fields[name_or_id]
        wanted = name_or_id.casefold()
        return next((f for f in self.fields.values() if f.name.casefold() == wanted), None)


@dataclass(frozen=True)
class TransitionRef:
    id: str
    name: str
    to_status: str
    to_category: str
    resolution_field: bool = False  # the transition screen offers Resolution


@dataclass(frozen=True)
class CommentRef:
    id: str
    text: str  # plain text of the body
    created: str = ""


@dataclass(frozen=True)
class RemoteLinkRef:
    id: int
    global_id: str | None
    url: str
    title: str
    resolved: bool | None = None


@dataclass(frozen=True)
class CreatedIssue:
    id: int
    key: str
