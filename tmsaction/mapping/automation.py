"""Matching by TestRail's automation id field. Pure; no I/O.

The test side is `testrail.automation_id.value` (default `{classname}.{name}`, as trcli writes it).
The case side is `custom_case_automation_id` (TestRail's built-in field) or `custom_automation_id`
(the older custom field), or the configured custom field. Values from a rich-text field come back
HTML-escaped and wrapped in `<p>…</p>` (research/testrail-api.md §3.4); both sides are unwrapped
and trimmed before comparing, and comparison is exact otherwise.
"""

from __future__ import annotations

import html
import re

from tmsaction.catalog import Case, SuiteCatalog
from tmsaction.model import TestResult

_PARAGRAPH = re.compile(r"^\s*<p>(.*)</p>\s*$", re.S | re.I)


def unwrap(value: object) -> str | None:
    """`<p>a.b&amp;c</p>` -> `a.b&c`; None for empty values."""
    if value is None:
        return None
    text = str(value).strip()
    found = _PARAGRAPH.match(text)
    if found:
        text = found.group(1)
    text = html.unescape(text).strip()
    return text or None


def case_automation_id(case: Case, field: str) -> str | None:
    if field in ("auto", "custom_case_automation_id", "custom_automation_id"):
        value = case.automation_id or case.fields.get(
            "custom_case_automation_id" if field == "auto" else field
        )
        if value is None and field == "auto":
            value = case.fields.get("custom_automation_id")
        return unwrap(value)
    return unwrap(case.fields.get(field))


def automation_index(suite: SuiteCatalog, field: str) -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for case in suite.cases:
        value = case_automation_id(case, field)
        if value is not None:
            index.setdefault(value, []).append(case.id)
    return index


def test_automation_id(result: TestResult, template: str) -> str:
    """The test's automation id from the config template (placeholders checked at load)."""
    return template.format_map(
        {
            "classname": result.classname,
            "name": result.name,
            "suite": ".".join(result.suite),
            "file": result.file or "",
        }
    )
