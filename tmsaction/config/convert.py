"""Checks and conversions for single config values: regexes, globs, Jira keys, case ids, TestRail
statuses, section paths, labels. Each raises `ValueError` with the user-facing message. Pure.
"""

from __future__ import annotations

import re
import string
from typing import Any

from tmsaction.config.model import Glob, StatusChoice
from tmsaction.config.spec import At
from tmsaction.reports.globs import glob_to_regex

#: Jira issue keys: project key (a capital letter, then capitals, digits or _) and a number.
JIRA_KEY = re.compile(r"[A-Z][A-Z0-9_]+-[0-9]+")
JIRA_PROJECT = re.compile(r"[A-Z][A-Z0-9_]+")

#: TestRail's system statuses (research/testrail-api.md §3.10); 3 (Untested) cannot be sent.
BUILTIN_STATUSES = {"passed": 1, "blocked": 2, "retest": 4, "failed": 5}
UNTESTED = 3
CUSTOM_STATUS_IDS = range(6, 13)  # custom_status1..7

AUTOMATION_PLACEHOLDERS = ("classname", "name", "suite", "file")


def regex(value: str, at: At) -> re.Pattern[str]:
    try:
        return re.compile(value)
    except re.error as error:
        where = f" at position {error.pos}" if error.pos is not None else ""
        raise ValueError(f"invalid regular expression: {error.msg}{where}") from None


def identity_glob(value: str, at: At) -> Glob:
    """A glob over test identities: `*` any text (dots included), `?` one character; nothing else
    is special, so `[` in parametrised names (`test_x[1]`) stays literal."""
    parts = ("." + "*" if c == "*" else "." if c == "?" else re.escape(c) for c in value)
    return Glob(value, re.compile("".join(parts), re.S))


def path_glob(value: str, at: At) -> Glob:
    """A glob over `/` paths, with the same rules as the `reports` input (`**`, `*`, `{a,b}`)."""
    text = value.strip().replace("\\", "/")
    text = text.removeprefix("./")
    try:
        return Glob(value, re.compile(glob_to_regex(text)))
    except re.error as error:
        raise ValueError(f"invalid glob: {error.msg}") from None


def jira_key(value: str, at: At) -> str:
    if not JIRA_KEY.fullmatch(value):
        raise ValueError(
            f"'{value}' is not a Jira issue key (like SHOP-12: capitals, a dash, a number)"
        )
    return value


def jira_project(value: str, at: At) -> str:
    if not JIRA_PROJECT.fullmatch(value):
        raise ValueError(f"'{value}' is not a Jira project key (capitals, digits or _, like SHOP)")
    return value


def case_id(value: Any, at: At) -> int:
    """`123`, `"123"` or `"C123"` -> 123."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = str(value).strip()
        digits = text[1:] if text[:1] in ("C", "c") else text
        if not digits.isdigit() or not digits.isascii():
            raise ValueError(f"'{text}' is not a TestRail case id (write 123 or C123)")
        number = int(digits)
    if number < 1 or number > 2**31 - 1:
        raise ValueError(f"'{value}' is not a TestRail case id (ids start at 1)")
    return number


def status(value: Any, at: At) -> StatusChoice:
    """A TestRail status by id or name; built-in names resolve here, custom names later."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value == UNTESTED:
            raise ValueError(_UNTESTED)
        if value in BUILTIN_STATUSES.values() or value in CUSTOM_STATUS_IDS:
            return StatusChoice(id=value, name=_builtin_name(value))
        raise ValueError(
            f"{value} is not a TestRail status id (1 passed, 2 blocked, 4 retest, 5 failed, "
            "6-12 custom statuses)"
        )
    text = str(value).strip()
    folded = text.casefold()
    if folded == "untested":
        raise ValueError(_UNTESTED)
    if folded in ("none", "skip", "off", "do not send", "false", "no"):
        raise ValueError(f"to send nothing for this outcome write null, not '{text}'")
    if folded in BUILTIN_STATUSES:
        return StatusChoice(id=BUILTIN_STATUSES[folded], name=folded)
    return StatusChoice(id=None, name=text)  # a custom status, resolved against get_statuses


_UNTESTED = (
    "TestRail rejects results with status Untested (3); use retest or blocked, or null to send "
    "nothing"
)


def _builtin_name(status_id: int) -> str | None:
    for name, number in BUILTIN_STATUSES.items():
        if number == status_id:
            return name
    return None


def section_path(value: Any, at: At) -> tuple[str, ...]:
    """`"Backend > Cart"` or `[Backend, Cart]` -> ("Backend", "Cart")."""
    if isinstance(value, str):
        parts = [part.strip() for part in value.split(">")]
    else:
        parts = [str(part).strip() for part in value]
    if any(not part for part in parts):
        raise ValueError(f"'{_show_path(value)}' has an empty section name")
    return tuple(parts)


def _show_path(value: Any) -> str:
    return value if isinstance(value, str) else " > ".join(str(part) for part in value)


def jira_label(value: str, at: At) -> str:
    if any(c.isspace() for c in value):
        raise ValueError(f"label '{value}' contains spaces, which Jira rejects (use - or _)")
    if len(value) > 255:
        raise ValueError("a Jira label is at most 255 characters")
    return value


def automation_value(value: str, at: At) -> str:
    """`{classname}.{name}`: only the documented placeholders; no attribute or index access."""
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(value) if name is not None]
    except ValueError as error:
        raise ValueError(f"invalid template: {error} (write placeholders as {{name}})") from None
    for name in fields:
        if name not in AUTOMATION_PLACEHOLDERS:
            allowed = ", ".join("{" + p + "}" for p in AUTOMATION_PLACEHOLDERS)
            raise ValueError(f"unknown placeholder {{{name}}}; use {allowed}")
    if not fields:
        raise ValueError("needs at least one placeholder, e.g. {classname}.{name}")
    return value


def testrail_custom_field(name: str) -> str | None:
    if not re.fullmatch(r"custom_[a-z0-9_]+", name):
        return (
            f"'{name}' is not a TestRail custom field; use its system name, which starts with "
            "custom_ (e.g. custom_environment)"
        )
    return None


#: Jira fields tmsaction sets from dedicated keys; `jira.defects.fields` must not override them.
JIRA_OWN_FIELDS = {
    "summary": "templates.defect_summary",
    "description": "templates.defect_description",
    "project": "the jira_project input",
    "issuetype": "jira.defects.issue_type",
    "labels": "jira.defects.labels",
    "components": "jira.defects.components",
    "priority": "jira.defects.priority",
}


def jira_custom_field(name: str) -> str | None:
    if name in JIRA_OWN_FIELDS:
        return f"'{name}' is set by tmsaction; use {JIRA_OWN_FIELDS[name]}"
    return None


def name_pattern(value: str, at: At) -> re.Pattern[str]:
    """A regex finding story keys in test names: the key is group 1, or the whole match."""
    compiled = regex(value, at)
    if compiled.groups > 1:
        raise ValueError(
            f"the pattern has {compiled.groups} capture groups; use at most one (the key), and "
            "(?:...) for other groups"
        )
    return compiled


def workspace_path(value: str, at: At) -> str:
    """A path inside the workspace, written relative to it."""
    path = value.strip().replace("\\", "/")
    if path.startswith("/") or re.match(r"^[A-Za-z]:/", path):
        raise ValueError(f"'{value}' must be relative to the workspace (the repository root)")
    if ".." in path.split("/"):
        raise ValueError(f"'{value}' must stay inside the workspace (no ..)")
    return path.removeprefix("./")
