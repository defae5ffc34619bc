"""TestNG `testng-results.xml` (the XML reporter TestNG runs by default).

Identity: suite path = (`<suite>` name, `<test>` name); class = `<class>` name; name = the method
name, with the data-provider parameters when there are any (`totals(1, 10)`), so rows stay
distinct; parameters = those values. Tags = the method's groups (from the suite's `<groups>`
section and a `groups` attribute); properties = `description` and `<attributes>`.

Outcomes: PASS -> passed, FAIL -> failed, SKIP -> skipped. Retries (an `IRetryAnalyzer`): TestNG 7
marks the earlier attempts `retried="true"`, TestNG 6 writes them as SKIP with the exception, followed
by the next attempt of the same method and parameters; either way they become failed attempts, so a
test that passed on retry is flaky. A failed configuration method (`is-config="true"`, e.g. a
`@BeforeClass`) becomes an error result of its own (`connect (configuration)`), since TestNG only
skips the tests it guards; those skips carry its message.

Pure apart from reading the given stream.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import BinaryIO

from tmsaction.model import Attempt, Outcome, TestResult
from tmsaction.reports.base import ParseContext
from tmsaction.reports.xmltree import child, child_text, children, listed, text, walk

FORMAT = "testng"
ROOTS = ("testng-results",)
_OUTCOMES = {"PASS": Outcome.PASSED, "FAIL": Outcome.FAILED, "SKIP": Outcome.SKIPPED}


def parse_testng(stream: BinaryIO, context: ParseContext) -> Iterator[TestResult]:
    """Yield one `TestResult` per test method (per parameter row), one `<class>` at a time."""
    suite_name = test_name = ""
    groups: dict[tuple[str, str], list[str]] = {}  # (class, method) -> groups
    whole = ("test-method", "groups")
    methods: list[ET.Element] = []
    for event, tag, element, _ in walk(stream, context, whole, ROOTS, "TestNG"):
        if event == "start":
            if tag == "suite":
                suite_name, groups = element.get("name") or "", {}
            elif tag == "test":
                test_name = element.get("name") or ""
            continue
        if tag == "groups":
            for group in children(element, "group"):
                for method in children(group, "method"):
                    key = (method.get("class") or "", method.get("name") or "")
                    groups.setdefault(key, []).append(group.get("name") or "")
        elif tag == "test-method":
            methods.append(_detached_copy(element))
        elif tag == "class":
            suite = context.suite((suite_name, test_name))
            yield from _class(element.get("name") or "", methods, suite, groups, context)
            methods = []


def _detached_copy(element: ET.Element) -> ET.Element:
    """A shallow copy that survives `walk` clearing the original once its end event is handled."""
    copy = ET.Element(element.tag, dict(element.attrib))
    copy.extend(list(element))
    return copy


def _class(
    classname: str,
    methods: list[ET.Element],
    suite: tuple[str, ...],
    groups: dict[tuple[str, str], list[str]],
    context: ParseContext,
) -> Iterator[TestResult]:
    config_failures = [
        m for m in methods if m.get("is-config") == "true" and m.get("status") == "FAIL"
    ]
    config_message = None
    for method in config_failures:
        exception = child(method, "exception")
        message = (child_text(exception, "message") or "").strip() if exception is not None else ""
        config_message = config_message or f"{method.get('name')}() failed: {message or ''}".strip()
        yield context.result(
            suite,
            classname,
            f"{method.get('name') or ''} (configuration)",
            Outcome.ERROR,
            context.duration(_seconds(method.get("duration-ms"))),
            message=message or "configuration method failed",  # noqa: RUF100
            details=child_text(exception, "full-stacktrace") if exception is not None else None,
        )
    # Attempts of one test: same method and parameters, in report order.
    attempts: dict[tuple[str, str], list[ET.Element]] = {}
    for method in methods:
        if method.get("is-config") == "true":
            continue
        attempts.setdefault((method.get("name") or "", _parameters(method) or ""), []).append(
            method
        )
    for (name, parameters), entries in attempts.items():
        yield _test(classname, name, parameters, entries, suite, groups, config_message, context)


def _parameters(method: ET.Element) -> str | None:
    values = []
    for param in listed(method, "params", "param"):
        value = child(param, "value")
        if value is not None and value.get("is-null") == "true":
            values.append("null")
        else:
            values.append((text(value) or "").strip())
    return ", ".join(values) if values else None


def _seconds(milliseconds: str | None) -> str | None:
    if milliseconds is None or not milliseconds.isdigit():
        return None
    return str(int(milliseconds) / 1000)


def _attempt(method: ET.Element, context: ParseContext, retried: bool) -> Attempt:
    """One execution; a retried one failed, whatever status TestNG gave it."""
    outcome = _OUTCOMES.get(method.get("status") or "", Outcome.ERROR)
    if retried:
        outcome = Outcome.FAILED
    exception = child(method, "exception")
    message = details = None
    if exception is not None:
        message = (child_text(exception, "message") or exception.get("class") or "").strip() or None
        details = child_text(exception, "full-stacktrace")
    return Attempt(
        outcome,
        context.duration(_seconds(method.get("duration-ms"))),
        message,
        details.strip() if details else None,
        context.source,
    )


def _retried(entries: list[ET.Element], index: int) -> bool:
    """Was this entry an attempt that a retry analyzer repeated?"""
    entry = entries[index]
    if entry.get("retried") == "true":  # TestNG 7
        return True
    # TestNG 6: a SKIP carrying the exception, followed by another attempt.
    return (
        index < len(entries) - 1
        and entry.get("status") == "SKIP"
        and child(entry, "exception") is not None
    )


def _test(  # noqa: PLR0917 - one private call site
    classname: str,
    name: str,
    parameters: str,
    entries: list[ET.Element],
    suite: tuple[str, ...],
    groups: dict[tuple[str, str], list[str]],
    config_message: str | None,
    context: ParseContext,
) -> TestResult:
    retried = [_retried(entries, index) for index in range(len(entries))]
    attempts = [_attempt(e, context, r) for e, r in zip(entries, retried, strict=True)]
    # Entries that were not retried are invocations (`invocationCount`): any failure fails the test.
    final = [a for a, r in zip(attempts, retried, strict=True) if not r]
    failures = [a for a in final if a.outcome.is_failure]
    if failures:
        outcome = failures[-1].outcome
    elif any(retried) and final and final[-1].outcome is Outcome.PASSED:
        outcome = Outcome.FLAKY
    elif final and all(a.outcome is Outcome.SKIPPED for a in final):
        outcome = Outcome.SKIPPED
    else:
        outcome = Outcome.PASSED
    failing = [a for a in attempts if a.outcome.is_failure]
    shown = failures[-1] if failures else (failing[-1] if failing else attempts[-1])
    message = shown.message
    if outcome is Outcome.SKIPPED and not message and config_message:
        message = f"skipped because a configuration method failed: {config_message}"
    last = entries[-1]
    tags = list(groups.get((classname, name), []))
    tags.extend(g.strip() for g in (last.get("groups") or "").split(",") if g.strip())
    properties = []
    if last.get("description"):
        properties.append(("description", last.get("description") or ""))
    properties.extend(
        (a.get("name") or "", (text(a) or "").strip())
        for a in listed(last, "attributes", "attribute")
    )
    reporter = [(text(line) or "").strip() for line in listed(last, "reporter-output", "line")]
    durations = [a.duration for a in attempts if a.duration is not None]
    return context.result(
        suite,
        classname,
        f"{name}({parameters})" if parameters else name,
        outcome,
        sum(durations) if durations else None,
        message=message,
        details=shown.details,
        stdout="\n".join(r for r in reporter if r) or None,
        properties=tuple(properties),
        tags=tuple(tags),
        parameters=parameters or None,
        attempts=tuple(attempts) if len(attempts) > 1 else (),
    )
