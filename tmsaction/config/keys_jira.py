"""The `jira:` section of the config, declared once (see `config/keys.py`). Pure declarations.

The defect keys are defined and validated here; the Jira defect lifecycle (issue 5) acts on them.
"""

from __future__ import annotations

from typing import Any

from tmsaction.config import convert
from tmsaction.config.model import (
    DefectConfig,
    DefectLink,
    JiraConfig,
    ReopenPolicy,
    ResolvePolicy,
    StorySources,
)
from tmsaction.config.nodes import texts
from tmsaction.config.shapes import Key, ListOf, MapOf, Obj
from tmsaction.config.spec import AnyValue, At, Bool, Int, Str

#: Finds `@SHOP-12` in names, as Playwright and Cucumber print tags there; a key alone (`SHOP-12`)
#: is not taken, because names also hold things like UTF-8 and ISO-8601.
DEFAULT_NAME_PATTERN = r"(?<![\w@])@([A-Z][A-Z0-9_]+-[0-9]+)(?![\w-])"

STORIES = Obj(
    (
        Key(
            "properties",
            texts("Report properties whose value holds story keys (comma-separated)."),
            list(StorySources().properties),
        ),
        Key(
            "tags", Bool(help="Take story keys from tags: SHOP-12, @SHOP-12, story:SHOP-12."), True
        ),
        Key(
            "name_pattern",
            Str(
                nullable=True,
                convert=convert.name_pattern,
                fmt="regex",
                help="Regex finding story keys in test names (group 1, or the whole match); "
                "null turns it off.",
            ),
            DEFAULT_NAME_PATTERN,
        ),
        Key("case_refs", Bool(help="Add the refs of the TestRail cases a test maps to."), True),
        Key(
            "projects",
            texts(
                "Accept only keys of these Jira projects (empty: any).",
                convert.jira_project,
                pattern=r"^[A-Z][A-Z0-9_]+$",
            ),
            [],
        ),
    ),
    help="Where the Jira stories a test covers are read from.",
    build=lambda v, at: StorySources(
        v["properties"], v["tags"], v["name_pattern"], v["case_refs"], frozenset(v["projects"])
    ),
)

LINK = Obj(
    (
        Key("type", Str(help="Issue link type name (or its inward/outward phrase)."), "Relates"),
        Key(
            "direction",
            Str(
                choices=("defect-to-story", "story-to-defect"),
                help="defect-to-story: the defect is the outward side ('DEF-1 blocks SHOP-12').",
            ),
            "defect-to-story",
        ),
    ),
    nullable=True,
    help="How a defect is linked to the stories its test covers; null: no links.",
    build=lambda v, at: DefectLink(v["type"], v["direction"]),
)

RESOLVE = Obj(
    (
        Key("comment", Bool(help="Comment on the defect when its test passes again."), True),
        Key(
            "transitions",
            texts("Transitions tried, by name, when the test passes again (first available)."),
            [],
        ),
        Key("resolution", Str(nullable=True, help="Resolution set by the transition (Fixed).")),
    ),
    help="What happens to a defect when its test passes again.",
    build=lambda v, at: ResolvePolicy(v["comment"], v["transitions"], v["resolution"]),
)

REOPEN = Obj(
    (
        Key(
            "policy",
            Str(
                choices=("reopen", "new"),
                help="reopen the resolved defect, or file a new one linked to it.",
            ),
            "reopen",
        ),
        Key(
            "transitions",
            texts("Transitions tried, by name, to reopen (first available)."),
            list(ReopenPolicy().transitions),
        ),
        Key(
            "window_days",
            Int(minimum=0, help="Reopen only defects resolved this many days ago or less."),
            30,
        ),
        Key(
            "never",
            texts("Resolutions that are never reopened, nor followed by a new defect."),
            list(ReopenPolicy().never),
        ),
    ),
    help="What happens when a test with a resolved defect fails again.",
    build=lambda v, at: ReopenPolicy(v["policy"], v["transitions"], v["window_days"], v["never"]),
)


def _build_defects(v: dict[str, Any], at: At) -> DefectConfig:
    return DefectConfig(
        issue_type=v["issue_type"],
        priority=v["priority"],
        components=v["components"],
        labels=v["labels"],
        fields=v["fields"],
        link=v["link"],
        recurrence_comment=v["recurrence_comment"],
        resolve=v["resolve"],
        reopen=v["reopen"],
        max_new=v["max_new"],
        umbrella=v["umbrella"],
        flaky=v["flaky"],
        branches=v["branches"],
    )


DEFECTS = Obj(
    (
        Key("issue_type", Str(help="Issue type of new defects."), "Bug"),
        Key("priority", Str(nullable=True, help="Priority name of new defects.")),
        Key("components", texts("Component names of new defects."), []),
        Key(
            "labels",
            texts("Labels of new defects (no spaces).", convert.jira_label, pattern=r"^\S{1,255}$"),
            ["tmsaction"],
        ),
        Key(
            "fields",
            MapOf(
                AnyValue(),
                key_check=convert.jira_custom_field,
                help="Other fields of new defects, by field id (customfield_10011: value).",
            ),
            {},
        ),
        Key("link", LINK, {}),
        Key(
            "recurrence_comment",
            Bool(help="Comment (once per run) when an open defect's test fails again."),
            True,
        ),
        Key("resolve", RESOLVE, {}),
        Key("reopen", REOPEN, {}),
        Key("max_new", Int(minimum=0, help="New defects filed per run at most."), 10),
        Key(
            "umbrella",
            Bool(help="Above max_new, file one umbrella issue listing the other failures."),
            True,
        ),
        Key("flaky", Bool(help="File defects for flaky tests too."), False),
        Key(
            "branches",
            ListOf(
                Str(convert=convert.identity_glob),
                single=True,
                help="File defects only on these branches (globs; empty: every branch).",
            ),
            [],
        ),
    ),
    help="Defects filed for failing tests (with jira_create_defects: true).",
    build=_build_defects,
)

JIRA = Obj(
    (
        Key("stories", STORIES, {}),
        Key("defects", DEFECTS, {}),
        Key(
            "comment_on_stories",
            Bool(help="Comment on each covered story with its test results."),
            False,
        ),
    ),
    help="Jira stories and defects.",
    build=lambda v, at: JiraConfig(v["stories"], v["defects"], v["comment_on_stories"]),
)
