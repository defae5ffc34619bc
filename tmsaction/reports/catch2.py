"""Catch2's own XML reporter (`-r xml`): `<Catch>` (v2) or `<Catch2TestRun>` (v3). Its JUnit
reporter (`-r junit`) is read by `junit`.

Identity: suite = the group (v2) or run name, i.e. the test binary; class = none (Catch2 has no
classes); name = the TEST_CASE name; file/line = `filename`/`line`. Tags = the `[tags]` of the
test case, without the hidden marker `[.]` and the `[!flags]` (`[.wip]` is tag `wip`). Sections
are parts of their test case, not tests: their failures all land in the test's details.

Outcomes: `OverallResult success="true"` -> passed (so an expected failure of a `[!mayfail]`
test is a pass, as Catch2 counts it); a skip (v3 `<Skip>` or `skips`) -> skipped; a failure with
an exception or fatal signal -> error; any other failure -> failed.

Pure apart from reading the given stream.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import BinaryIO

from tmsaction.model import Outcome, TestResult
from tmsaction.reports.base import ParseContext, parse_line
from tmsaction.reports.xmlstream import local_name
from tmsaction.reports.xmltree import child, child_text, text, walk

FORMAT = "catch2"
ROOTS = ("Catch", "Catch2TestRun")
_TAG = re.compile(r"\[([^\]]*)\]")
_ERRORS = ("Exception", "FatalErrorCondition")


def parse_catch2(stream: BinaryIO, context: ParseContext) -> Iterator[TestResult]:
    """Yield one `TestResult` per `<TestCase>`, streaming."""
    suite: tuple[str, ...] = ()
    for event, tag, element, _ in walk(stream, context, ("TestCase",), ROOTS, "Catch2 XML"):
        if event == "start":
            if tag in ROOTS or tag == "Group":
                suite = context.suite(((element.get("name") or ""),))
            continue
        if tag == "TestCase":
            yield _test_case(element, suite, context)


def _tags(value: str) -> tuple[str, ...]:
    tags = []
    for raw in _TAG.findall(value):
        name = raw[1:] if raw.startswith(".") else raw
        if name and not name.startswith("!"):
            tags.append(name)
    return tuple(tags)


def _failures(element: ET.Element) -> Iterator[tuple[str, str, str | None]]:
    """(kind, text, file:line) of every failed assertion, exception or failure, in order."""
    for item in element.iter():
        tag = local_name(item.tag)
        where = f"{item.get('filename')}:{item.get('line')}" if item.get("filename") else None
        if tag == "Expression" and item.get("success") == "false":
            original = (child_text(item, "Original") or "").strip()
            expanded = (child_text(item, "Expanded") or "").strip()
            body = f"{item.get('type') or 'CHECK'}( {original} )"
            if expanded and expanded != original:
                body += f" with expansion: {expanded}"
            yield "failure", body, where
        elif tag in (*_ERRORS, "Failure"):
            body = (text(item) or "").strip()
            kind = "error" if tag in _ERRORS else "failure"
            yield kind, body, where


def _inner(element: ET.Element | None, name: str) -> str | None:
    return child_text(element, name) if element is not None else None


def _test_case(element: ET.Element, suite: tuple[str, ...], context: ParseContext) -> TestResult:
    result = child(element, "OverallResult")
    success = result is not None and result.get("success") == "true"
    skipped = (result is not None and (result.get("skips") or "0") not in ("0", "")) or any(
        local_name(item.tag) == "Skip" for item in element.iter()
    )
    failures = list(_failures(element))
    if skipped:
        outcome = Outcome.SKIPPED
    elif success:
        outcome = Outcome.PASSED
    elif any(kind == "error" for kind, _, _ in failures):
        outcome = Outcome.ERROR
    else:
        outcome = Outcome.FAILED
    message = failures[0][1] if failures else None
    if outcome is Outcome.SKIPPED:
        skip = next((i for i in element.iter() if local_name(i.tag) == "Skip"), None)
        message = (text(skip) or "").strip() or message
    return context.result(
        suite,
        "",
        element.get("name") or "",
        outcome,
        context.duration(result.get("durationInSeconds") if result is not None else None),
        file=element.get("filename"),
        line=parse_line(element.get("line")),
        message=message,
        details="\n".join(f"{body} at {where}" if where else body for _, body, where in failures)
        or None,
        # v2 writes output in the test case, v3 inside OverallResult.
        stdout=child_text(element, "StdOut") or _inner(result, "StdOut"),
        stderr=child_text(element, "StdErr") or _inner(result, "StdErr"),
        tags=_tags(element.get("tags") or ""),
    )
