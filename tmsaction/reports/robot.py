"""Robot Framework `output.xml`, RF 3.x to 7.x (its `--xunit` file is JUnit, read by `junit`).

Schema differences handled: tags in `<tags><tag>` (RF 3) or as `<tag>` children of the test
(RF 4+); times as `starttime`/`endtime` (RF 3-6) or `start`/`elapsed` (RF 7); setup/teardown
keywords typed `setup`/`teardown` (RF 3) or `SETUP`/`TEARDOWN` (RF 4+); SKIP (RF 4+); RF 3's
`critical="no"`; test `line` (RF 5+). Keywords, messages and loops are streamed past and released,
so a large log costs no memory.

Identity: suite path = the suite names, root first; class = the suite's long name (`Shop.Cart`,
as Robot's own xUnit output writes it); name = the test name; file = the suite's source; line.
Tags = test tags (`C123`, `story:SHOP-12`); properties = `- testrail_*: value` lines of the test
documentation (the convention TestRail's own CLI reads, e.g. `- testrail_case_id: C123`), with
`testrail_attachment` lines as attachments.

Outcomes follow Robot's own results: PASS -> passed; FAIL -> failed; SKIP and NOT RUN -> skipped;
an RF 3 non-critical failure -> skipped (what RF 4 turned non-critical into). A failing suite
teardown fails every test in that suite, with Robot's own message ("Parent suite teardown failed:").
So tests are held until their top-level suite ends: memory grows with the number of tests, never
with the size of the log.

Pure apart from reading the given stream.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import BinaryIO

from tmsaction.model import Outcome, TestDetail, TestResult
from tmsaction.reports.base import ParseContext, parse_line
from tmsaction.reports.xmlstream import local_name
from tmsaction.reports.xmltree import children, text, walk

FORMAT = "robot"
ROOTS = ("robot",)
_WHOLE = ("status", "doc", "tags", "tag")
# Log messages and keyword arguments are most of a big output.xml and say nothing about results.
_SKIP = ("msg", "arg", "arguments", "var", "assign", "statistics", "errors")
_OUTCOMES = {
    "PASS": Outcome.PASSED,
    "FAIL": Outcome.FAILED,
    "SKIP": Outcome.SKIPPED,
    "NOT RUN": Outcome.SKIPPED,
    "NOT_RUN": Outcome.SKIPPED,
}
_DOC_PROPERTY = re.compile(r"^\s*-\s*(testrail_\w+)\s*:\s*(.*?)\s*$", re.M | re.I)
_RF_TIME = "%Y%m%d %H:%M:%S.%f"


@dataclass
class _Suite:
    name: str
    source: str | None
    path: tuple[str, ...]
    results: list[TestResult] = field(default_factory=list)
    teardown: tuple[str, str] | None = None  # (status, message) of a failed/skipped teardown


@dataclass
class _Test:
    name: str
    line: int | None
    tags: list[str] = field(default_factory=list)
    doc: str | None = None
    status: ET.Element | None = None


def parse_robot(stream: BinaryIO, context: ParseContext) -> Iterator[TestResult]:
    """Yield one `TestResult` per test, each top-level suite at its end."""
    suites: list[_Suite] = []
    test: _Test | None = None
    walked = walk(stream, context, _WHOLE, ROOTS, "Robot Framework", skip=_SKIP)
    for event, tag, element, ancestors in walked:
        if event == "start":
            if tag == "suite":
                name = element.get("name") or ""
                path = context.suite((*(suites[-1].path if suites else ()), name))
                suites.append(_Suite(name, element.get("source"), path))
            elif tag == "test" and suites:
                test = _Test(element.get("name") or "", parse_line(element.get("line")))
            continue
        parent = local_name(ancestors[-1].tag) if ancestors else ""
        if test is not None and parent == "test":
            if tag == "tag":
                test.tags.append((text(element) or "").strip())
            elif tag == "tags":
                test.tags.extend((text(t) or "").strip() for t in children(element, "tag"))
            elif tag == "doc":
                test.doc = text(element)
            elif tag == "status":
                test.status = _detached(element)
        elif tag == "test" and test is not None and suites:
            suites[-1].results.append(_result(test, suites[-1], context))
            test = None
        elif tag == "status" and parent == "kw" and suites and len(ancestors) >= 2:
            keyword = ancestors[-1]
            owner = local_name(ancestors[-2].tag)
            status = element.get("status") or ""
            teardown = owner == "suite" and (keyword.get("type") or "").upper() == "TEARDOWN"
            if teardown and status in ("FAIL", "SKIP"):
                suites[-1].teardown = (status, (text(element) or "").strip())
        elif tag == "suite" and suites:
            suite = suites.pop()
            results = _after_teardown(suite)
            if suites:
                suites[-1].results.extend(results)
            else:
                yield from results


def _detached(element: ET.Element) -> ET.Element:
    copy = ET.Element(element.tag, dict(element.attrib))
    copy.text = text(element)
    return copy


def _duration(status: ET.Element) -> float | None:
    elapsed = status.get("elapsed")
    if elapsed is not None:
        try:
            return float(elapsed)
        except ValueError:
            return None
    start, end = status.get("starttime"), status.get("endtime")
    if not start or not end or "N/A" in (start, end):
        return None
    try:
        return (
            datetime.strptime(end, _RF_TIME) - datetime.strptime(start, _RF_TIME)
        ).total_seconds()
    except ValueError:
        return None


def _result(test: _Test, suite: _Suite, context: ParseContext) -> TestResult:
    status = test.status
    outcome = Outcome.ERROR
    message = None
    duration = None
    if status is not None:
        outcome = _OUTCOMES.get(status.get("status") or "", Outcome.ERROR)
        message = (status.text or "").strip() or None
        duration = _duration(status)
        if outcome is Outcome.FAILED and status.get("critical") == "no":
            outcome = Outcome.SKIPPED
            message = f"non-critical failure: {message}" if message else "non-critical failure"
    properties = tuple((k, v) for k, v in _DOC_PROPERTY.findall(test.doc or ""))
    attachments = tuple(v for k, v in properties if k.lower() == "testrail_attachment" and v)
    return context.result(
        suite.path,
        ".".join(suite.path),
        test.name,
        outcome,
        duration,
        file=suite.source,
        line=test.line,
        message=message,
        properties=properties,
        tags=tuple(t for t in test.tags if t),
        attachments=attachments,
    )


def _after_teardown(suite: _Suite) -> list[TestResult]:
    """Robot's rule: a failed suite teardown fails every test below it (a skipped one skips them)."""
    if suite.teardown is None:
        return suite.results
    status, message = suite.teardown
    changed = []
    for result in suite.results:
        earlier = result.message
        if status == "SKIP":
            outcome = Outcome.SKIPPED
            text_ = f"Skipped in parent suite teardown:\n{message}"
            if earlier:
                text_ += f"\n\nEarlier message:\n{earlier}"
        else:
            outcome = Outcome.FAILED
            text_ = (
                f"{earlier}\n\nAlso parent suite teardown failed:\n{message}"
                if earlier
                else f"Parent suite teardown failed:\n{message}"
            )
        detail = replace(result.detail or TestDetail(), message=text_)
        changed.append(replace(result, outcome=outcome, detail=detail))
    return changed
