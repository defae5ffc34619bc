"""One JUnit `<testcase>` -> one `TestResult`: where each dialect writes what. Pure; no I/O.

Identity: suite path = the names of the enclosing `<testsuite>` elements (outermost first; the
`<testsuites>` root is the run, not a suite), class = `classname` (or PHPUnit's `class`), name =
`name`. File = `file`/`filepath` on the test case, else on an enclosing suite (or the suite's
`file` property, WebdriverIO), else the mocha/Cypress "Root Suite" file. Line = `line`/`lineno`.

Outcome, strongest first: `<error>` (ERROR) > `<failure>` (FAILED) > `<skipped>`/`<disabled>`
(SKIPPED) > a `status`/`result` attribute saying failed, errored, skipped, disabled or not run
(Google Test, tst, Bazel) > PASSED. Reruns (`flakyFailure`, `flakyError`, `rerunFailure`,
`rerunError`: Surefire, Gradle, cargo-nextest) are attempts; a passing test with earlier failing
attempts is FLAKY.
"""

from __future__ import annotations

import re

from tmsaction.model import Attempt, Outcome, TestResult
from tmsaction.reports.base import ParseContext, TextBuffer, first_line, new_result, parse_line
from tmsaction.reports.locations import checkout_path

_RERUN_TAGS = {
    "flakyFailure": Outcome.FAILED,
    "flakyError": Outcome.ERROR,
    "rerunFailure": Outcome.FAILED,
    "rerunError": Outcome.ERROR,
}
_FAILURE_TAGS = {"failure": Outcome.FAILED, "error": Outcome.ERROR}
_STRENGTH = {Outcome.ERROR: 3, Outcome.FAILED: 2, Outcome.SKIPPED: 1, Outcome.PASSED: 0}
_ATTACHMENT = re.compile(r"\[\[ATTACHMENT\|([^\]\n]+)\]\]")
#: Properties that name a file to attach (Jenkins attachments plugin, trcli's `testrail_attachment`).
ATTACHMENT_PROPERTIES = ("attachment", "attachments", "testrail_attachment", "screenshot")
# Status attributes written by Google Test, tst, Bazel and others instead of (or beside) children.
_STATUS_ATTRIBUTE = {
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


class CaseNode:
    """An element below a `<testcase>` (failure, properties, output, reruns, ...)."""

    __slots__ = ("attrs", "children", "tag", "text")

    def __init__(self, tag: str, attrs: dict[str, str]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.children: list[CaseNode] = []
        self.text = TextBuffer()

    def find(self, tag: str) -> CaseNode | None:
        return next((child for child in self.children if child.tag == tag), None)

    def content(self) -> str | None:
        return self.text.value()


def _failure(node: CaseNode, name: str = "") -> tuple[str | None, str | None]:
    """(message, details) of a failure/error/skipped/rerun element.

    Without a `message` attribute the first telling line of the text is the message: PHPUnit
    starts its text with `Class::method`, and Go reporters write `Failed` as the message and the
    test's log (`=== RUN`, `--- FAIL`) as the text, so those lines are passed over.
    """
    stack = node.find("stackTrace")
    details = stack.content() if stack is not None else node.content()
    message = node.attrs.get("message")
    if not message or message == "Failed":
        message = _telling_line(details, name) or message or node.attrs.get("type")
    return message, details


_LOG_LINES = ("=== RUN", "=== PAUSE", "=== CONT", "--- FAIL", "--- SKIP")


def _telling_line(details: str | None, name: str) -> str | None:
    for raw in (details or "").splitlines()[:20]:
        line = raw.strip()
        if not line or line == "FAILED:" or line.startswith(_LOG_LINES):
            continue  # Go's test log; Catch2's "FAILED:" header
        if name and (line == name or f"::{name.split(' ', 1)[0]}" in line):
            continue  # PHPUnit starts with the test id: "Shop\\Tests\\CartTest::testTotals ..."
        return first_line(line)
    return None


def build_case(
    context: ParseContext,
    suite: tuple[str, ...],
    attrs: dict[str, str],
    children: list[CaseNode] | None,
    fallback_file: str | None,
) -> TestResult:
    """The test result for one test case (`suite` is already interned by the caller)."""
    get = attrs.get
    name = get("name") or ""
    classname = get("classname") or get("class") or ""
    duration = context.duration(get("time") or get("duration"))
    file = get("file") or get("filepath") or fallback_file
    status = get("status") or get("result")
    line = parse_line(get("line") or get("lineno"))
    if line is not None and suite[:1] == ("pytest",):
        line += 1  # pytest writes 0-based line numbers (its suite is named "pytest" by default)
    if children is None and status is None and "executed" not in attrs:
        # The common case, kept short: a passing test with nothing inside.
        return new_result(
            suite,
            context.share(classname),
            name,
            Outcome.PASSED,
            duration,
            context.source,
            context.share(checkout_path(file) or file) if file else None,
            line,
            None,
        )

    outcome = Outcome.PASSED
    message: str | None = None
    details: list[str] = []
    stdout: str | None = None
    stderr: str | None = None
    properties: list[tuple[str, str]] = []
    reruns: list[Attempt] = []
    expected_failure: str | None = None
    for child in children or ():
        tag = child.tag
        if tag in _FAILURE_TAGS:
            kind = _FAILURE_TAGS[tag]
            child_message, child_details = _failure(child, name)
            if _STRENGTH[kind] > _STRENGTH[outcome]:
                outcome = kind
                message = child_message or message
            else:
                # Several failures in one test case (Cypress, multi-assert reporters): keep all.
                message = message or child_message
            if child_details:
                details.append(child_details)
            reruns.extend(
                _attempt(context, rerun, _RERUN_TAGS[rerun.tag])
                for rerun in child.children
                if rerun.tag in _RERUN_TAGS  # Surefire nests reruns in <failure> in some versions
            )
        elif tag in ("skipped", "disabled"):
            skip_message = child.attrs.get("message") or first_line(child.content())
            if skip_message and skip_message.startswith("=== RUN"):
                skip_message = _telling_line(skip_message, name)  # Go: the test's log
            if skip_message and ("!mayfail" in skip_message or "!shouldfail" in skip_message):
                expected_failure = skip_message  # Catch2: a failure this test was allowed
            if outcome is Outcome.PASSED:
                outcome = Outcome.SKIPPED
                message = skip_message
        elif tag in _RERUN_TAGS:
            reruns.append(_attempt(context, child, _RERUN_TAGS[tag]))
        elif tag == "system-out":
            stdout = _join(stdout, child.content())  # JUnit 5 writes several
        elif tag == "system-err":
            stderr = _join(stderr, child.content())
        elif tag == "properties":
            properties.extend(_properties(child))

    if expected_failure and outcome.is_failure:
        # Catch2 marks a failing `[!mayfail]` test skipped *and* failed: it does not fail the run.
        outcome = Outcome.SKIPPED
        message = f"{expected_failure}: {message}" if message else expected_failure
    if outcome is Outcome.PASSED:
        from_status = _STATUS_ATTRIBUTE.get((status or "").lower())
        if from_status is not None:
            outcome = from_status
        elif get("executed") == "False":
            outcome = Outcome.SKIPPED

    attachments = [
        match.group(1).strip()
        for text in (stdout, stderr)
        if text
        for match in _ATTACHMENT.finditer(text)
    ]
    attachments.extend(v for k, v in properties if k.lower() in ATTACHMENT_PROPERTIES and v)

    if stdout and "display-name: " in stdout:
        properties.extend(_junit5_entries(stdout))

    attempts: tuple[Attempt, ...] = ()
    joined = "\n\n".join(details) or None
    if reruns:
        if outcome is Outcome.PASSED:
            # Surefire writes the final pass with the earlier failures as flakyFailure children.
            attempts = (*reruns, Attempt(Outcome.PASSED, duration, None, None, context.source))
            outcome = Outcome.FLAKY
            message = message or reruns[-1].message
            joined = joined or reruns[-1].details
        else:
            first = Attempt(outcome, duration, message, joined, context.source)
            attempts = (first, *reruns)

    value_param = get("value_param") or get("type_param")  # Google Test parameterised tests
    return context.result(
        suite,
        classname,
        name,
        outcome,
        duration,
        file=file,
        line=line,
        message=message,
        details=joined,
        stdout=stdout,
        stderr=stderr,
        properties=tuple(properties),
        attachments=tuple(attachments),
        parameters=value_param,
        attempts=attempts,
    )


def _attempt(context: ParseContext, node: CaseNode, outcome: Outcome) -> Attempt:
    message, details = _failure(node)
    return Attempt(
        outcome, context.duration(node.attrs.get("time")), message, details, context.source
    )


def _join(first: str | None, second: str | None) -> str | None:
    return f"{first}\n{second}" if first and second else first or second


_JUNIT5_DISPLAY_NAME = re.compile(r"^display-name: (.+)$", re.M)
_JUNIT5_ENTRY = re.compile(r"^Report Entry #\d+ \(timestamp: [^)]*\)\n((?:\t- [^\n]*\n?)+)", re.M)
_JUNIT5_PAIR = re.compile(r"^\t- ([^:\n]+): (.*)$", re.M)


def _junit5_entries(stdout: str) -> list[tuple[str, str]]:
    """The JUnit 5 console launcher's legacy XML puts the display name and `TestReporter` entries
    (`publishEntry("test_id", "C123")`) in system-out; they become properties."""
    found = [("display-name", m.group(1).strip()) for m in _JUNIT5_DISPLAY_NAME.finditer(stdout)]
    for entry in _JUNIT5_ENTRY.finditer(stdout):
        found.extend((k.strip(), v.strip()) for k, v in _JUNIT5_PAIR.findall(entry.group(1)))
    return found


def _properties(node: CaseNode) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for prop in node.children:
        key = prop.attrs.get("name")
        if prop.tag == "property" and key is not None:
            value = prop.attrs.get("value")
            found.append((key, value if value is not None else (prop.content() or "").strip()))
    return found
