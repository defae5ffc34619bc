"""The Jira emulator's state: users, projects, issue types, fields, workflow, link types, issues and
everything hanging off an issue. Plain data with a few lookups; the HTTP layer lives elsewhere.
Pure; no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Deployment = Literal["cloud", "datacenter"]

# Project permissions the emulator checks (names as in Jira's permission schemes).
BROWSE = "BROWSE_PROJECTS"
CREATE = "CREATE_ISSUES"
EDIT = "EDIT_ISSUES"
COMMENT = "ADD_COMMENTS"
TRANSITION = "TRANSITION_ISSUES"
LINK = "LINK_ISSUES"
ATTACH = "CREATE_ATTACHMENTS"
ALL_PERMISSIONS = frozenset({BROWSE, CREATE, EDIT, COMMENT, TRANSITION, LINK, ATTACH})


@dataclass
class User:
    account_id: str  # Cloud accountId; Data Center uses `name` and `key` instead
    name: str  # DC user name (and key)
    email: str
    display_name: str
    api_tokens: set[str] = field(default_factory=set)  # Cloud: basic auth email:token
    personal_access_tokens: set[str] = field(default_factory=set)  # DC: Authorization: Bearer
    password: str | None = None  # DC basic auth (off by default in Jira 11)
    permissions: set[str] = field(default_factory=lambda: set(ALL_PERMISSIONS))


@dataclass(frozen=True)
class StatusCategory:
    id: int
    key: str  # "new", "indeterminate", "done"
    name: str  # "To Do", "In Progress", "Done"
    color: str


CATEGORY_TODO = StatusCategory(2, "new", "To Do", "blue-gray")
CATEGORY_IN_PROGRESS = StatusCategory(4, "indeterminate", "In Progress", "yellow")
CATEGORY_DONE = StatusCategory(3, "done", "Done", "green")


@dataclass(frozen=True)
class Status:
    id: str
    name: str
    category: StatusCategory


@dataclass(frozen=True)
class Transition:
    id: str
    name: str
    to_status: str  # status id
    from_statuses: frozenset[str] | None  # None: a global transition (from any other status)
    resolution_screen: bool = False  # the transition screen shows the Resolution field


@dataclass(frozen=True)
class Workflow:
    statuses: tuple[Status, ...]
    transitions: tuple[Transition, ...]
    initial_status: str

    def status(self, status_id: str) -> Status:
        return next(s for s in self.statuses if s.id == status_id)

    def available(self, status_id: str) -> list[Transition]:
        """Transitions offered from `status_id` (looped global transitions are not offered)."""
        return [
            t
            for t in self.transitions
            if (t.from_statuses is None and t.to_status != status_id)
            or (t.from_statuses is not None and status_id in t.from_statuses)
        ]


@dataclass(frozen=True)
class Resolution:
    id: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class Priority:
    id: str
    name: str


@dataclass(frozen=True)
class IssueType:
    id: str
    name: str
    description: str = ""
    subtask: bool = False
    hierarchy_level: int = 0


@dataclass(frozen=True)
class Component:
    id: str
    name: str


@dataclass(frozen=True)
class FieldDef:
    """A field as Jira describes it in /field and createmeta."""

    id: str  # "summary", "customfield_10020"
    name: str
    schema: dict[
        str, Any
    ]  # {"type": "string", "system": "summary"} or {"type","custom","customId"}
    allowed_values: tuple[dict[str, Any], ...] | None = None  # option fields: [{"id","value"}]
    navigable: bool = True
    rich_text: bool = False  # ADF on v3 (description, environment, textarea custom fields)

    @property
    def custom(self) -> bool:
        return self.id.startswith("customfield_")


@dataclass(frozen=True)
class ScreenField:
    """A field on an issue type's create screen: required, and its default."""

    field_id: str
    required: bool = False
    default: Any = None


@dataclass
class Project:
    id: str
    key: str
    name: str
    issue_types: list[str]  # issue type ids usable in the project
    components: list[Component] = field(default_factory=list)
    screens: dict[str, list[ScreenField]] = field(default_factory=dict)  # issue type id -> fields
    counter: int = 0  # last issue number handed out (failed creates can bump it, JRACLOUD-78553)


@dataclass(frozen=True)
class LinkType:
    id: str
    name: str
    inward: str
    outward: str


@dataclass
class RichValue:
    """A rich-text field as stored: ADF (written through v3) or wiki markup (v2, Data Center)."""

    adf: dict[str, Any] | None = None
    wiki: str | None = None


@dataclass
class Comment:
    id: str
    author: str  # account id
    body: RichValue
    created: float
    updated: float
    update_author: str = ""


@dataclass
class IssueLink:
    """`source` <type.outward> `destination`: {inwardIssue: A, outwardIssue: B} reads "A blocks B"."""

    id: str
    type_id: str
    source: int  # issue id shown with type.outward ("blocks")
    destination: int  # issue id shown with type.inward ("is blocked by")


@dataclass
class RemoteLink:
    id: int
    global_id: str | None
    application: dict[str, Any] | None
    relationship: str | None
    object: dict[str, Any]


@dataclass
class Attachment:
    id: str
    filename: str
    content: bytes
    mime_type: str
    author: str
    created: float


@dataclass
class Issue:
    """An issue; `fields` holds the settable fields in normalised form (summary: str, labels: list,
    priority: id, components: [ids], description/environment/textareas: RichValue, custom: raw)."""

    id: int
    key: str
    project_id: str
    issue_type_id: str
    status_id: str
    reporter: str
    created: float
    updated: float
    fields: dict[str, Any] = field(default_factory=dict)  # summary, labels, priority, custom...
    resolution_id: str | None = None
    resolution_date: float | None = None
    comments: list[Comment] = field(default_factory=list)
    remote_links: list[RemoteLink] = field(default_factory=list)
    properties: dict[str, Any] = field(default_factory=dict)
    attachments: list[Attachment] = field(default_factory=list)

    @property
    def number(self) -> int:
        return int(self.key.rsplit("-", 1)[1])

    @property
    def labels(self) -> list[str]:
        return list(self.fields.get("labels") or [])

    @property
    def summary(self) -> str:
        return str(self.fields.get("summary", ""))


@dataclass(frozen=True)
class Limits:
    """Per-issue limits (Jira Cloud, 2024) and text limits; tests lower them to reach the 413s."""

    comments: int = 5000
    attachments: int = 2000
    issue_links: int = 2000
    remote_links: int = 2000
    text: int = 32767  # description, environment, comment, textarea custom fields
    summary: int = 255
    label: int = 255
    property_value: int = 32768
    files_per_request: int = 60
    attachment_bytes: int = 10 * 1024 * 1024


@dataclass
class World:
    """Everything the emulator knows; guarded by the emulator's lock."""

    deployment: Deployment
    base_url: str
    users: list[User]
    projects: list[Project]
    issue_types: list[IssueType]
    fields: list[FieldDef]
    priorities: list[Priority]
    default_priority: str | None  # priority id new issues get when none is given
    resolutions: list[Resolution]
    workflow: Workflow
    link_types: list[LinkType]
    limits: Limits = field(default_factory=Limits)
    issues: dict[int, Issue] = field(default_factory=dict)
    links: dict[str, IssueLink] = field(default_factory=dict)
    next_id: int = 10000
    next_link_id: int = 10000
    next_comment_id: int = 10000
    next_remote_link_id: int = 10000
    next_attachment_id: int = 10000
    linking_enabled: bool = True

    def new_id(self, counter: str) -> int:
        value: int = getattr(self, counter) + 1
        setattr(self, counter, value)
        return value

    # -- lookups (None when absent) -------------------------------------------------------------
    def user_by_email(self, email: str) -> User | None:
        return next((u for u in self.users if u.email.casefold() == email.casefold()), None)

    def user_by_name(self, name: str) -> User | None:
        return next((u for u in self.users if u.name == name), None)

    def user_by_account(self, account_id: str) -> User | None:
        return next((u for u in self.users if u.account_id == account_id), None)

    def project(self, id_or_key: str) -> Project | None:
        wanted = id_or_key.casefold()
        return next(
            (p for p in self.projects if p.id == id_or_key or p.key.casefold() == wanted), None
        )

    def project_by_id(self, project_id: str) -> Project:
        return next(p for p in self.projects if p.id == project_id)

    def issue_type(self, id_or_name: str) -> IssueType | None:
        return next(
            (
                t
                for t in self.issue_types
                if t.id == id_or_name or t.name.casefold() == id_or_name.casefold()
            ),
            None,
        )

    def issue_type_by_id(self, type_id: str) -> IssueType:
        return next(t for t in self.issue_types if t.id == type_id)

    def field(self, field_id: str) -> FieldDef | None:
        return next((f for f in self.fields if f.id == field_id), None)

    def field_by_name(self, name: str) -> FieldDef | None:
        wanted = name.casefold()
        return next((f for f in self.fields if f.name.casefold() == wanted), None)

    def priority(self, id_or_name: str) -> Priority | None:
        return next(
            (
                p
                for p in self.priorities
                if p.id == id_or_name or p.name.casefold() == id_or_name.casefold()
            ),
            None,
        )

    def resolution(self, id_or_name: str) -> Resolution | None:
        return next(
            (
                r
                for r in self.resolutions
                if r.id == id_or_name or r.name.casefold() == id_or_name.casefold()
            ),
            None,
        )

    def link_type(self, id_or_name: str) -> LinkType | None:
        return next(
            (
                t
                for t in self.link_types
                if t.id == id_or_name or t.name.casefold() == id_or_name.casefold()
            ),
            None,
        )

    def issue(self, id_or_key: str) -> Issue | None:
        """By id, or by key case-insensitively (as GET /issue does)."""
        if id_or_key.isdigit():
            return self.issues.get(int(id_or_key))
        wanted = id_or_key.upper()
        return next((i for i in self.issues.values() if i.key.upper() == wanted), None)

    def links_of(self, issue_id: int) -> list[IssueLink]:
        return [link for link in self.links.values() if issue_id in (link.source, link.destination)]
