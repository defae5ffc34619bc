"""xUnit.net XML (`-xml` of the v2 and v3 console runners): `<assemblies>` (or one `<assembly>`).

Identity: suite = the assembly file name; class = `type`; name = `name` without the `type.` prefix
xUnit.net puts in front of the method (a `DisplayName` is kept as written), so theory rows stay
distinct: `Add(a: 1, b: 2)`; parameters = the part in parentheses. File/line = `source-file` /
`source-line` (v3). Traits -> properties; `Category` traits -> tags as well.

Outcomes: Pass -> passed; Fail -> failed; Skip and NotRun -> skipped. Entries of `<errors>`
(class, collection or assembly cleanup failures, fatal runner errors) belong to no test; each
becomes an error result named after what failed, e.g. `(test-class-cleanup)` of its class.

Pure apart from reading the given stream.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import BinaryIO

from tmsaction.model import Outcome, TestResult
from tmsaction.reports.base import ParseContext, parse_line
from tmsaction.reports.xmltree import basename, child, child_text, children, listed, text, walk

FORMAT = "xunit-net"
ROOTS = ("assemblies", "assembly")
_OUTCOMES = {
    "pass": Outcome.PASSED,
    "fail": Outcome.FAILED,
    "skip": Outcome.SKIPPED,
    "notrun": Outcome.SKIPPED,
}
_PARAMETERS = re.compile(r"\((.*)\)\s*$", re.S)


def parse_xunit_net(stream: BinaryIO, context: ParseContext) -> Iterator[TestResult]:
    """Yield one `TestResult` per `<test>` (and per entry of `<errors>`), streaming."""
    assembly = ""
    for event, tag, element, _ in walk(stream, context, ("test", "errors"), ROOTS, "xUnit.net"):
        if event == "start":
            if tag == "assembly":
                assembly = basename(element.get("name") or "")
            continue
        if tag == "test":
            yield _test(element, assembly, context)
        elif tag == "errors":
            yield from _errors(element, assembly, context)


def _test(element: ET.Element, assembly: str, context: ParseContext) -> TestResult:
    classname = element.get("type") or ""
    name = element.get("name") or element.get("method") or ""
    if classname and name.startswith(classname + "."):
        name = name[len(classname) + 1 :]
    result = (element.get("result") or "").lower()
    outcome = _OUTCOMES.get(result, Outcome.PASSED if not result else Outcome.ERROR)
    failure = child(element, "failure")
    message = details = None
    if failure is not None:
        message = child_text(failure, "message") or failure.get("exception-type")
        details = child_text(failure, "stack-trace")
        kind = failure.get("exception-type")
        if kind and message and kind not in message:
            message = f"{kind}: {message}"
    elif outcome is Outcome.SKIPPED:
        message = text(child(element, "reason"))
    traits = [
        (t.get("name") or "", t.get("value") or "") for t in listed(element, "traits", "trait")
    ]
    attachments = [
        a.get("name") or "" for a in listed(element, "attachments", "attachment") if a.get("name")
    ]
    parameters = _PARAMETERS.search(name)
    return context.result(
        (assembly,),
        classname,
        name,
        outcome,
        context.duration(element.get("time")),
        file=element.get("source-file"),
        line=parse_line(element.get("source-line")),
        message=message,
        details=details,
        stdout=text(child(element, "output")),
        properties=tuple(traits),
        tags=tuple(v for k, v in traits if k.lower() == "category" and v),
        attachments=tuple(attachments),
        parameters=parameters.group(1) if parameters else None,
    )


def _errors(element: ET.Element, assembly: str, context: ParseContext) -> Iterator[TestResult]:
    for error in children(element, "error"):
        kind = error.get("type") or "error"
        failure = child(error, "failure")
        message = details = None
        if failure is not None:
            message = child_text(failure, "message")
            details = child_text(failure, "stack-trace")
            if failure.get("exception-type") and message:
                message = f"{failure.get('exception-type')}: {message}"
        yield context.result(
            (assembly,),
            error.get("name") or assembly,
            f"({kind})",
            Outcome.ERROR,
            message=message or f"xUnit.net reported a {kind} error",
            details=details,
        )
