"""JUnit XML in all its dialects, streamed: `<testsuites>` or a bare `<testsuite>` root, suites nested
to any depth, Surefire/Gradle reruns (`flakyFailure`, `flakyError`, `rerunFailure`, `rerunError`),
Google Test / tst `status` attributes, `[[ATTACHMENT|path]]` markers and testcase properties.

Pure apart from reading the given stream.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import BinaryIO

from tmsaction.model import Attempt, Outcome, TestDetail, TestResult
from tmsaction.reports.base import ParseContext, bound_text, first_line, parse_duration
from tmsaction.reports.errors import ReportParseError
from tmsaction.reports.xmlstream import iter_events, local_name

FORMAT = "junit"

_RERUN_TAGS = {
    "flakyFailure": Outcome.FAILED,
    "flakyError": Outcome.ERROR,
    "rerunFailure": Outcome.FAILED,
    "rerunError": Outcome.ERROR,
}
_ATTACHMENT = re.compile(r"\[\[ATTACHMENT\|([^\]\n]+)\]\]")
_ATTACHMENT_PROPERTIES = ("attachment", "attachments", "testrail_attachment", "screenshot")
# Status attributes written by Google Test, tst, Bazel and others instead of (or beside) children.
_STATUS_ATTRIBUTE = {
    "passed": Outcome.PASSED,
    "success": Outcome.PASSED,
    "pass": Outcome.PASSED,
    "failed": Outcome.FAILED,
    "failure": Outcome.FAILED,
    "fail": Outcome.FAILED,
    "errored": Outcome.ERROR,
    "error": Outcome.ERROR,
    "skipped": Outcome.SKIPPED,
    "skip": Outcome.SKIPPED,
    "disabled": Outcome.SKIPPED,
    "notrun": Outcome.SKIPPED,
    "ignored": Outcome.SKIPPED,
    "suppressed": Outcome.SKIPPED,
}


def _text(element: ET.Element) -> str | None:
    text = "".join(element.itertext())
    return text if text.strip() else None


def _failure(element: ET.Element) -> tuple[str | None, str | None]:
    """(message, details) of a failure/error/skipped/rerun element."""
    message = element.get("message")
    details = None
    stack = element.find("stackTrace")
    if stack is not None:
        details = _text(stack)
    elif len(element) == 0:
        details = _text(element)
    else:
        details = element.text if element.text and element.text.strip() else None
    kind = element.get("type")
    if not message and kind:
        message = kind
    if not message:
        message = first_line(details)
    return message, bound_text(details)


def _attempt_from(element: ET.Element, outcome: Outcome, source: str) -> Attempt:
    message, details = _failure(element)
    return Attempt(outcome, parse_duration(element.get("time")), message, details, source)


def parse_junit(stream: BinaryIO, context: ParseContext) -> Iterator[TestResult]:
    """Yield one `TestResult` per `<testcase>`; memory stays flat however large the file."""
    suites: list[str] = []
    suite_files: list[str | None] = []
    open_elements: list[ET.Element] = []
    saw_root = False
    for event, element in iter_events(stream, context.warn):
        tag = local_name(element.tag)
        if event == "start":
            if not saw_root:
                saw_root = True
                if tag not in ("testsuites", "testsuite", "testrun"):
                    raise ReportParseError(f"not a JUnit report: the root element is <{tag}>")
            open_elements.append(element)
            if tag == "testsuite":
                suites.append(element.get("name") or "")
                suite_files.append(element.get("file") or element.get("filepath"))
            continue
        open_elements.pop()
        if tag == "testcase":
            yield _testcase(element, suites, suite_files, context)
            element.clear()
            if open_elements and len(open_elements[-1]) and open_elements[-1][-1] is element:
                del open_elements[-1][-1]
        elif tag == "testsuite":
            suites.pop()
            suite_files.pop()
            element.clear()
            if open_elements and len(open_elements[-1]) and open_elements[-1][-1] is element:
                del open_elements[-1][-1]
    if not saw_root:
        raise ReportParseError("the file holds no XML element")


def _testcase(
    element: ET.Element, suites: list[str], suite_files: list[str | None], context: ParseContext
) -> TestResult:
    get = element.get
    name = get("name") or ""
    classname = get("classname") or get("class") or ""
    duration = parse_duration(get("time") or get("duration"))
    file = get("file") or get("filepath") or next((f for f in reversed(suite_files) if f), None)
    line_text = get("line") or get("lineno")
    line = int(line_text) if line_text and line_text.isdigit() else None

    outcome = Outcome.PASSED
    message: str | None = None
    details: str | None = None
    stdout: str | None = None
    stderr: str | None = None
    properties: list[tuple[str, str]] = []
    reruns: list[Attempt] = []
    skipped_message: str | None = None
    saw_skip = False

    for child in element:
        ctag = local_name(child.tag)
        if ctag in ("failure", "error"):
            kind = Outcome.FAILED if ctag == "failure" else Outcome.ERROR
            child_message, child_details = _failure(child)
            if outcome.is_failure:
                # Several failures in one test case (Cypress, multi-assert reporters): keep all.
                message = message or child_message
                details = "\n\n".join(t for t in (details, child_details) if t) or None
            else:
                outcome, message, details = kind, child_message, child_details
            reruns.extend(_nested_reruns(child, context.source))
        elif ctag in ("skipped", "disabled"):
            saw_skip = True
            skipped_message = child.get("message") or _text(child)
        elif ctag in _RERUN_TAGS:
            reruns.append(_attempt_from(child, _RERUN_TAGS[ctag], context.source))
        elif ctag == "system-out":
            stdout = _text(child)
        elif ctag == "system-err":
            stderr = _text(child)
        elif ctag == "properties":
            for prop in child:
                key = prop.get("name")
                if key is not None:
                    value = prop.get("value")
                    properties.append(
                        (key, value if value is not None else (prop.text or "").strip())
                    )

    status = (get("status") or get("result") or "").lower()
    if outcome is Outcome.PASSED:
        if saw_skip:
            outcome, message = Outcome.SKIPPED, skipped_message
        elif status in _STATUS_ATTRIBUTE and _STATUS_ATTRIBUTE[status] is not Outcome.PASSED:
            # Only trust a status attribute that says something the children did not.
            outcome = _STATUS_ATTRIBUTE[status]
        elif status == "notrun" or get("executed") == "False":
            outcome = Outcome.SKIPPED

    attachments = [
        m.group(1).strip() for text in (stdout, stderr) if text for m in _ATTACHMENT.finditer(text)
    ]
    attachments.extend(v for k, v in properties if k.lower() in _ATTACHMENT_PROPERTIES and v)

    attempts: tuple[Attempt, ...] = ()
    if reruns:
        if outcome is Outcome.PASSED:
            # Surefire writes the final pass with the earlier failures as flakyFailure children.
            final = Attempt(Outcome.PASSED, duration, None, None, context.source)
            attempts = (*reruns, final)
            outcome = Outcome.FLAKY
            message = message or reruns[-1].message
            details = details or reruns[-1].details
        else:
            first = Attempt(outcome, duration, message, details, context.source)
            attempts = (first, *reruns)

    keep_output = outcome is not Outcome.PASSED
    detail = None
    if (
        message
        or details
        or properties
        or attachments
        or attempts
        or (keep_output and (stdout or stderr))
    ):
        detail = TestDetail(
            message=message,
            details=details,
            stdout=bound_text(stdout) if keep_output else None,
            stderr=bound_text(stderr) if keep_output else None,
            properties=tuple(properties),
            attachments=tuple(dict.fromkeys(attachments)),
            attempts=attempts,
        )
    return TestResult(
        suite=context.suite(tuple(suites)),
        classname=context.share(classname),
        name=name,
        outcome=outcome,
        duration=duration,
        source=context.source,
        file=context.share(file) if file else None,
        line=line,
        detail=detail,
    )


def _nested_reruns(element: ET.Element, source: str) -> list[Attempt]:
    """Surefire nests `rerunFailure` inside `<failure>` in some versions; accept both places."""
    return [
        _attempt_from(child, _RERUN_TAGS[local_name(child.tag)], source)
        for child in element
        if local_name(child.tag) in _RERUN_TAGS
    ]
