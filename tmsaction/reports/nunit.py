"""NUnit XML: NUnit 3 `<test-run>` (also a bare `<test-suite>` root) and NUnit 2 `<test-results>`.

Identity: suite = the assembly file name (the outermost `<test-suite>`, without its directory);
class = the fixture's full name (NUnit 3 `classname`; NUnit 2: the test-case name up to the method);
name = the test name, parameters included (`Add(1,2)`); parameters = the part in parentheses.
Tags = categories of the test and of every enclosing suite (a category on a fixture applies to its
tests); properties = the test's and its enclosing fixtures' properties, except NUnit's internal
`_`-prefixed ones and the assembly's. Attachments = `<attachments>/<attachment>/<filePath>`.

Outcomes: Passed/Success -> passed; Warning -> passed (message kept); Failed/Failure -> failed,
or error when labelled Error, Invalid or Cancelled (NUnit 3) or when Error, NotRunnable, Invalid or
Cancelled (NUnit 2: a test that cannot run is broken, as NUnit 3 says); Skipped, Ignored,
Inconclusive, `executed="False"` -> skipped. A fixture whose one-time teardown failed (NUnit 3
`site="TearDown"`) becomes an error result of its own, as NUnit counts it, since no test case shows it.

Pure apart from reading the given stream.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from tmsaction.model import Outcome, TestResult
from tmsaction.reports.base import ParseContext, first_line
from tmsaction.reports.xmlstream import local_name
from tmsaction.reports.xmltree import basename, child, child_text, children, listed, text, walk

FORMAT = "nunit"
ROOTS = ("test-run", "test-results", "test-suite")
_WHOLE = ("test-case", "properties", "categories", "failure", "reason")

_V3_OUTCOMES = {
    "passed": Outcome.PASSED,
    "warning": Outcome.PASSED,
    "failed": Outcome.FAILED,
    "skipped": Outcome.SKIPPED,
    "inconclusive": Outcome.SKIPPED,
}
_V3_ERROR_LABELS = ("error", "invalid", "cancelled")
_V2_OUTCOMES = {
    "success": Outcome.PASSED,
    "failure": Outcome.FAILED,
    "error": Outcome.ERROR,
    "notrunnable": Outcome.ERROR,
    "invalid": Outcome.ERROR,
    "cancelled": Outcome.ERROR,
    "ignored": Outcome.SKIPPED,
    "skipped": Outcome.SKIPPED,
    "inconclusive": Outcome.SKIPPED,
    "notrun": Outcome.SKIPPED,
}
_PARAMETERS = re.compile(r"\((.*)\)\s*$", re.S)


@dataclass
class _Suite:
    kind: str  # Assembly, TestSuite, Namespace, TestFixture, ParameterizedMethod, ...
    name: str
    fullname: str
    tags: list[str] = field(default_factory=list)
    properties: list[tuple[str, str]] = field(default_factory=list)
    failure: tuple[str | None, str | None] = (None, None)


def parse_nunit(stream: BinaryIO, context: ParseContext) -> Iterator[TestResult]:
    """Yield one `TestResult` per `<test-case>`, streaming."""
    suites: list[_Suite] = []
    version = 3
    for event, tag, element, ancestors in walk(stream, context, _WHOLE, ROOTS, "NUnit"):
        if event == "start":
            if tag == "test-results":
                version = 2
            elif tag == "test-suite":
                suites.append(_suite(element))
            continue
        parent = local_name(ancestors[-1].tag) if ancestors else ""
        if tag == "test-case":
            yield _test_case(element, suites, version, context)
        elif tag == "test-suite" and suites:
            suite = suites.pop()
            teardown = _teardown_failure(element, suite, suites, context)
            if teardown is not None:
                yield teardown
        elif parent == "test-suite" and suites:
            if tag == "categories":
                suites[-1].tags.extend(_categories(element))
            elif tag == "properties":
                tags, properties = _properties(element)
                suites[-1].tags.extend(tags)
                suites[-1].properties.extend(properties)
            elif tag == "failure":
                message = child_text(element, "message")
                suites[-1].failure = (message, child_text(element, "stack-trace"))


def _suite(element: ET.Element) -> _Suite:
    name = element.get("name") or ""
    return _Suite(
        kind=element.get("type") or "",
        name=name,
        fullname=element.get("fullname") or element.get("classname") or name,
    )


def _suite_path(suites: list[_Suite]) -> tuple[str, ...]:
    return (basename(suites[0].name),) if suites else ()


def _categories(element: ET.Element) -> list[str]:
    return [c.get("name") or "" for c in children(element, "category") if c.get("name")]


def _properties(element: ET.Element) -> tuple[list[str], list[tuple[str, str]]]:
    """(tags, properties): NUnit 3 writes categories as `Category` properties."""
    tags: list[str] = []
    properties: list[tuple[str, str]] = []
    for prop in children(element, "property"):
        name, value = prop.get("name") or "", prop.get("value") or ""
        if name == "Category":
            tags.append(value)
        elif name and not name.startswith("_"):
            properties.append((name, value))
    return tags, properties


def _outcome(element: ET.Element, version: int) -> Outcome:
    result = (element.get("result") or "").lower()
    if version == 3 and result in _V3_OUTCOMES:
        outcome = _V3_OUTCOMES[result]
        if outcome is Outcome.FAILED and (element.get("label") or "").lower() in _V3_ERROR_LABELS:
            return Outcome.ERROR
        return outcome
    if result in _V2_OUTCOMES:
        return _V2_OUTCOMES[result]
    if element.get("executed") == "False":
        return Outcome.SKIPPED
    # NUnit 2.2 writes only `success`, and some writers only a <failure> child.
    failed = element.get("success") == "False" or child(element, "failure") is not None
    return Outcome.FAILED if failed else Outcome.PASSED


def split_full_name(fullname: str) -> tuple[str, str]:
    """`Ns.Fixture<T>(1.5).Method("a.b")` -> (`Ns.Fixture<T>(1.5)`, `Method("a.b")`): split at
    the last dot outside parentheses, brackets and quotes (NUnit 2 and TRX write only full names)."""
    depth = 0
    quote = ""
    cut = -1
    for index, char in enumerate(fullname):
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'" and depth:
            quote = char
        elif char in "(<[":
            depth += 1
        elif char in ")>]":
            depth = max(0, depth - 1)
        elif char == "." and depth == 0:
            cut = index
    return (fullname[:cut], fullname[cut + 1 :]) if cut > 0 else ("", fullname)


def _test_case(
    element: ET.Element, suites: list[_Suite], version: int, context: ParseContext
) -> TestResult:
    name = element.get("name") or ""
    classname = element.get("classname") or ""
    if not classname:
        classname, name = split_full_name(element.get("fullname") or name)
    outcome = _outcome(element, version)
    failure = child(element, "failure")
    reason = child(element, "reason")
    message = details = None
    if failure is not None:
        message, details = child_text(failure, "message"), child_text(failure, "stack-trace")
    if not message and reason is not None:
        message = child_text(reason, "message")
    if not message:
        assertions = [child_text(a, "message") for a in listed(element, "assertions", "assertion")]
        message = first_line(next((m for m in assertions if m), None))
    site = element.get("site")
    if message and site in ("SetUp", "TearDown"):
        message = f"{site}: {message}"

    tags = [t for s in suites for t in s.tags]
    properties = [p for s in suites if s.kind != "Assembly" for p in s.properties]
    categories = child(element, "categories")
    if categories is not None:
        tags.extend(_categories(categories))
    own = child(element, "properties")
    if own is not None:
        own_tags, own_properties = _properties(own)
        tags.extend(own_tags)
        properties.extend(own_properties)
    description = element.get("description")
    if description:
        properties.append(("Description", description))
    attachments = [
        path
        for attachment in listed(element, "attachments", "attachment")
        if (path := child_text(attachment, "filePath"))
    ]
    parameters = _PARAMETERS.search(name)
    return context.result(
        _suite_path(suites),
        classname,
        name,
        outcome,
        context.duration(element.get("duration") or element.get("time")),
        message=message,
        details=details,
        stdout=text(child(element, "output")),
        properties=tuple(dict.fromkeys(properties)),
        tags=tuple(tags),
        attachments=tuple(a.strip() for a in attachments),
        parameters=parameters.group(1) if parameters and "(" in name else None,
    )


def _teardown_failure(
    element: ET.Element, suite: _Suite, outer: list[_Suite], context: ParseContext
) -> TestResult | None:
    """An error result for a fixture whose one-time teardown failed (NUnit 3 `site="TearDown"`)."""
    if element.get("site") != "TearDown" or (element.get("result") or "") != "Failed":
        return None
    message, details = suite.failure
    return context.result(
        _suite_path([*outer, suite]),
        suite.fullname,
        "OneTimeTearDown",
        Outcome.ERROR,
        message=message
        if message and message.startswith("TearDown")
        else f"TearDown: {message}"
        if message
        else "one-time teardown failed",
        details=details,
        tags=tuple(suite.tags),
    )
