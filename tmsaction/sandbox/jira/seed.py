"""The demo Jira: project SHOP with stories SHOP-3 (Login), SHOP-12 (Cart), SHOP-14 (Discounts),
SHOP-15 (Card payment), SHOP-16 (Order confirmation) and SHOP-19 (Quantity validation), a Bug
issue type with a realistic create screen, Jira's default link types plus Xray's "Test" type, and
a workflow with Done/Won't Fix resolutions and Reopen.

Credentials: Cloud `demo@example.com` / API token `demo-token`; Data Center PAT `demo-pat` (user
`demo`, password `demo-password`). `viewer@example.com` / `viewer-token` (PAT `viewer-pat`) may
only browse, for permission errors.
"""

from __future__ import annotations

from typing import Any

from tmsaction.sandbox.jira.emulator import JiraEmulator
from tmsaction.sandbox.jira.world import (
    BROWSE,
    CATEGORY_DONE,
    CATEGORY_IN_PROGRESS,
    CATEGORY_TODO,
    Component,
    Deployment,
    FieldDef,
    Issue,
    IssueType,
    LinkType,
    Priority,
    Project,
    Resolution,
    RichValue,
    ScreenField,
    Status,
    Transition,
    User,
    Workflow,
    World,
)

DEMO_EMAIL = "demo@example.com"
DEMO_TOKEN = "demo-token"  # noqa: S105 - the sandbox's documented demo credential
DEMO_PAT = "demo-pat"
DEMO_ACCOUNT = "712020:5d7c1f0e-demo-4b1a-9d43-000000000001"

TODO, IN_PROGRESS, DONE = "10000", "10001", "10002"

DEFAULT_WORKFLOW = Workflow(
    statuses=(
        Status(TODO, "To Do", CATEGORY_TODO),
        Status(IN_PROGRESS, "In Progress", CATEGORY_IN_PROGRESS),
        Status(DONE, "Done", CATEGORY_DONE),
    ),
    transitions=(
        Transition("11", "To Do", TODO, frozenset({IN_PROGRESS})),
        Transition("21", "In Progress", IN_PROGRESS, frozenset({TODO})),
        Transition("31", "Done", DONE, frozenset({TODO, IN_PROGRESS}), resolution_screen=True),
        Transition("41", "Reopen", TODO, frozenset({DONE})),
    ),
    initial_status=TODO,
)

RESOLUTIONS = [
    Resolution("10000", "Done", "Work has been completed on this issue."),
    Resolution("10001", "Won't Do", "This issue won't be actioned."),
    Resolution("10002", "Duplicate", "The problem is a duplicate of an existing issue."),
    Resolution("10003", "Cannot Reproduce", "All attempts at reproducing this issue failed."),
    Resolution("10004", "Fixed", "A fix for this issue is checked into the tree and tested."),
    Resolution(
        "10005", "Won't Fix", "The problem described is an issue which will never be fixed."
    ),
]

LINK_TYPES = [
    LinkType("10000", "Blocks", "is blocked by", "blocks"),
    LinkType("10001", "Cloners", "is cloned by", "clones"),
    LinkType("10002", "Duplicate", "is duplicated by", "duplicates"),
    LinkType("10003", "Relates", "relates to", "relates to"),
    LinkType("10004", "Test", "is tested by", "tests"),  # Xray's coverage link type
]

SEVERITY_OPTIONS = tuple(
    {"id": str(10100 + index), "value": value}
    for index, value in enumerate(("S1 - Critical", "S2 - Major", "S3 - Minor", "S4 - Trivial"))
)

FIELDS = [
    FieldDef("summary", "Summary", {"type": "string", "system": "summary"}),
    FieldDef("issuetype", "Issue Type", {"type": "issuetype", "system": "issuetype"}),
    FieldDef("project", "Project", {"type": "project", "system": "project"}),
    FieldDef(
        "description", "Description", {"type": "string", "system": "description"}, rich_text=True
    ),
    FieldDef(
        "environment", "Environment", {"type": "string", "system": "environment"}, rich_text=True
    ),
    FieldDef("priority", "Priority", {"type": "priority", "system": "priority"}),
    FieldDef("labels", "Labels", {"type": "array", "items": "string", "system": "labels"}),
    FieldDef(
        "components", "Components", {"type": "array", "items": "component", "system": "components"}
    ),
    FieldDef("assignee", "Assignee", {"type": "user", "system": "assignee"}),
    FieldDef("reporter", "Reporter", {"type": "user", "system": "reporter"}),
    FieldDef(
        "customfield_10020",
        "Severity",
        {
            "type": "option",
            "custom": "com.atlassian.jira.plugin.system.customfieldtypes:select",
            "customId": 10020,
        },
        allowed_values=SEVERITY_OPTIONS,
    ),
    FieldDef(
        "customfield_10021",
        "Test environment",
        {
            "type": "string",
            "custom": "com.atlassian.jira.plugin.system.customfieldtypes:textfield",
            "customId": 10021,
        },
    ),
    FieldDef(
        "customfield_10022",
        "Failure details",
        {
            "type": "string",
            "custom": "com.atlassian.jira.plugin.system.customfieldtypes:textarea",
            "customId": 10022,
        },
        rich_text=True,
    ),
]

_COMMON_SCREEN = [
    ScreenField("project", required=True),
    ScreenField("issuetype", required=True),
    ScreenField("summary", required=True),
    ScreenField("description"),
    ScreenField("priority", default="3"),
    ScreenField("labels"),
    ScreenField("components"),
    ScreenField("assignee"),
    ScreenField("reporter"),
]
BUG_SCREEN = [
    *_COMMON_SCREEN,
    ScreenField("environment"),
    ScreenField("customfield_10020"),
    ScreenField("customfield_10021"),
    ScreenField("customfield_10022"),
]

STORIES = (
    (3, "Login", DONE, "Users sign in with email and password; lockout after 5 failures."),
    (12, "Cart", IN_PROGRESS, "Shoppers add, remove and update products in the cart."),
    (14, "Discounts", TODO, "Percentage and fixed discount codes apply at checkout."),
    (15, "Card payment", IN_PROGRESS, "Checkout charges the card exactly once per order."),
    (16, "Order confirmation", TODO, "Shoppers get a confirmation email for every order."),
    (19, "Quantity validation", IN_PROGRESS, "Quantities are whole numbers between 1 and 99."),
)


def demo_world(deployment: Deployment = "cloud", base_url: str = "http://127.0.0.1") -> World:
    """A fresh demo world; every call returns independent state."""
    users = [
        User(
            account_id=DEMO_ACCOUNT,
            name="demo",
            email=DEMO_EMAIL,
            display_name="Demo QA Bot",
            api_tokens={DEMO_TOKEN},
            personal_access_tokens={DEMO_PAT},
            password="demo-password",  # noqa: S106 - the sandbox's documented demo credential
        ),
        User(
            account_id="712020:5d7c1f0e-view-4b1a-9d43-000000000002",
            name="viewer",
            email="viewer@example.com",
            display_name="Read-only Viewer",
            api_tokens={"viewer-token"},
            personal_access_tokens={"viewer-pat"},
            permissions={BROWSE},
        ),
    ]
    issue_types = [
        IssueType(
            "10000", "Epic", "A big user story that needs to be broken down.", hierarchy_level=1
        ),
        IssueType("10001", "Story", "Functionality or a feature expressed as a user goal."),
        IssueType("10002", "Task", "A small, distinct piece of work."),
        IssueType(
            "10003",
            "Sub-task",
            "A small piece of work that's part of a larger task.",
            subtask=True,
            hierarchy_level=-1,
        ),
        IssueType("10004", "Bug", "A problem or error."),
    ]
    project = Project(
        id="10000",
        key="SHOP",
        name="Shop",
        issue_types=[t.id for t in issue_types],
        components=[
            Component("10100", "Checkout"),
            Component("10101", "Cart"),
            Component("10102", "Accounts"),
            Component("10103", "Pricing"),
        ],
        screens={
            "10000": list(_COMMON_SCREEN),
            "10001": list(_COMMON_SCREEN),
            "10002": list(_COMMON_SCREEN),
            "10003": list(_COMMON_SCREEN),
            "10004": list(BUG_SCREEN),
        },
    )
    world = World(
        deployment=deployment,
        base_url=base_url,
        users=users,
        projects=[project],
        issue_types=issue_types,
        fields=list(FIELDS),
        priorities=[
            Priority("1", "Highest"),
            Priority("2", "High"),
            Priority("3", "Medium"),
            Priority("4", "Low"),
            Priority("5", "Lowest"),
        ],
        default_priority="3",
        resolutions=list(RESOLUTIONS),
        workflow=DEFAULT_WORKFLOW,
        link_types=list(LINK_TYPES),
    )
    created = 1_735_689_600.0  # 2025-01-01T00:00:00Z
    for number, summary, status, description in STORIES:
        issue_id = world.new_id("next_id")
        issue = Issue(
            id=issue_id,
            key=f"SHOP-{number}",
            project_id=project.id,
            issue_type_id="10001",
            status_id=status,
            reporter=DEMO_ACCOUNT,
            created=created + number * 3600,
            updated=created + number * 3600,
            fields={
                "summary": summary,
                "description": RichValue(wiki=description),
                "priority": "3",
                "labels": ["demo"],
            },
        )
        if status == DONE:
            issue.resolution_id = "10000"
            issue.resolution_date = issue.updated
        world.issues[issue_id] = issue
    project.counter = max(number for number, *_ in STORIES)
    return world


def seed_demo(deployment: Deployment = "cloud", **options: Any) -> JiraEmulator:
    """The emulator the sandbox and the demo serve (`options` go to `JiraEmulator`)."""
    return JiraEmulator(demo_world(deployment), **options)
