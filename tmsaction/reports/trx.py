"""Visual Studio TRX (VSTest `--logger trx`, MSTest; the 2006 and 2010 TeamTest namespaces).

A TRX keeps results (`<Results>`) and what each test is (`<TestDefinitions>`: class, assembly,
categories, properties) in separate sections, in either order (VSTest writes results first). Both
are streamed; results met before the definitions wait as compact tuples, so a 100,000-test file
never exists as a tree, and results after them are yielded at once.

Identity: suite = the test assembly file name (`storage`); class = `TestMethod/@className` (an
`, Assembly, Version=...` suffix of old files dropped); name = `testName` without the `class.`
prefix VSTest adds for xUnit.net, so data rows stay distinct (`Add(1, 2)`). Data-driven results
(`InnerResults`) and ordered tests count their inner results, one per row. Tags = test categories;
properties = `Properties`, owners (`Owner`) and `Description`. Attachments = `ResultFiles`.

Outcomes: Passed, PassedButRunAborted, Completed, Warning -> passed; Failed -> failed; Error,
Timeout, Aborted, Disconnected, NotRunnable -> error; NotExecuted, Inconclusive, Pending, InProgress
-> skipped. `RunInfo` errors of the run (a crashed test host) become warnings on the file.

Pure apart from reading the given stream.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from tmsaction.model import Outcome, TestResult
from tmsaction.reports.base import ParseContext, first_line
from tmsaction.reports.nunit import split_full_name
from tmsaction.reports.xmlstream import local_name
from tmsaction.reports.xmltree import basename, child, child_text, children, listed, text, walk

FORMAT = "trx"
ROOTS = ("TestRun",)
_RESULTS = ("UnitTestResult", "TestResultAggregation", "GenericTestResult", "ManualTestResult")
_DEFINITIONS = ("UnitTest", "OrderedTest", "GenericTest", "ManualTest", "WebTest")
_OUTCOMES = {
    "passed": Outcome.PASSED,
    "passedbutrunaborted": Outcome.PASSED,
    "completed": Outcome.PASSED,
    "warning": Outcome.PASSED,
    "failed": Outcome.FAILED,
    "error": Outcome.ERROR,
    "timeout": Outcome.ERROR,
    "aborted": Outcome.ERROR,
    "disconnected": Outcome.ERROR,
    "notrunnable": Outcome.ERROR,
    "notexecuted": Outcome.SKIPPED,
    "inconclusive": Outcome.SKIPPED,
    "pending": Outcome.SKIPPED,
    "inprogress": Outcome.SKIPPED,
}


@dataclass(frozen=True, slots=True)
class _Definition:
    classname: str
    assembly: str
    tags: tuple[str, ...]
    properties: tuple[tuple[str, str], ...]


# A result read before its definition: (test id, name, outcome, duration, message, details,
# stdout, stderr, attachments).
_Pending = tuple[
    str,
    str,
    Outcome,
    float | None,
    str | None,
    str | None,
    str | None,
    str | None,
    tuple[str, ...],
]


def parse_trx(stream: BinaryIO, context: ParseContext) -> Iterator[TestResult]:
    """Yield one `TestResult` per test result (per data row for data-driven tests)."""
    definitions: dict[str, _Definition] = {}
    pending: list[_Pending] = []
    definitions_done = False
    whole = (*_RESULTS, *_DEFINITIONS, "RunInfos")
    skip = ("TestEntries", "TestLists", "TestSettings", "Times", "Counters")
    for event, tag, element, ancestors in walk(stream, context, whole, ROOTS, "TRX", skip=skip):
        if event != "end":
            continue
        if tag in _RESULTS and ancestors and local_name(ancestors[-1].tag) == "Results":
            for record in _flatten(element, context):
                if definitions_done:
                    yield _result(record, definitions.get(record[0]), context)
                else:
                    pending.append(record)
        elif tag in _DEFINITIONS:
            test_id = element.get("id") or ""
            definitions[test_id] = _definition(element, context)
        elif tag == "TestDefinitions":
            definitions_done = True
            for record in pending:
                yield _result(record, definitions.get(record[0]), context)
            pending.clear()
        elif tag == "RunInfos":
            _run_infos(element, context)
    for record in pending:  # a file without definitions: names alone
        yield _result(record, definitions.get(record[0]), context)


def _definition(element: ET.Element, context: ParseContext) -> _Definition:
    method = child(element, "TestMethod")
    classname = method.get("className") if method is not None else None
    classname = (classname or "").split(",", 1)[0].strip()
    storage = element.get("storage") or (method.get("codeBase") if method is not None else "")
    tags = [
        item.get("TestCategory") or ""
        for item in listed(element, "TestCategory", "TestCategoryItem")
        if item.get("TestCategory")
    ]
    properties = [
        (child_text(prop, "Key") or "", child_text(prop, "Value") or "")
        for prop in listed(element, "Properties", "Property")
    ]
    properties.extend(
        ("Owner", owner.get("name") or "") for owner in listed(element, "Owners", "Owner")
    )
    description = child_text(element, "Description")
    if description:
        properties.append(("Description", description.strip()))
    return _Definition(
        context.share(classname),
        context.share(basename(storage or "")),
        tuple(tags),
        tuple(properties),
    )


def _flatten(element: ET.Element, context: ParseContext) -> Iterator[_Pending]:
    """The result itself, or its inner results (data rows, ordered test steps) when it has any."""
    inner = child(element, "InnerResults")
    rows = [r for r in inner if local_name(r.tag) in _RESULTS] if inner is not None else []
    if rows:
        for row in rows:
            yield from _flatten(row, context)
        return
    outcome = _OUTCOMES.get((element.get("outcome") or "").lower(), Outcome.ERROR)
    output = child(element, "Output")
    message = details = stdout = stderr = None
    if output is not None:
        error = child(output, "ErrorInfo")
        if error is not None:
            message = child_text(error, "Message")
            details = child_text(error, "StackTrace")
        stdout = child_text(output, "StdOut")
        stderr = child_text(output, "StdErr")
        if not message and outcome is not Outcome.PASSED:
            notes = [text(m) for m in listed(output, "TextMessages", "Message")]
            message = first_line(next((n for n in notes if n), None))
    if not message and outcome.is_failure:
        message = element.get("outcome")  # "Aborted", "Timeout": better than nothing
    attachments = tuple(
        path
        for result_file in listed(element, "ResultFiles", "ResultFile")
        if (path := result_file.get("path"))
    )
    yield (
        element.get("testId") or "",
        element.get("testName") or "",
        outcome,
        _duration(element.get("duration")),
        message,
        details,
        stdout,
        stderr,
        attachments,
    )


def _duration(value: str | None) -> float | None:
    """TRX durations are `hh:mm:ss.fffffff` (a day prefix `d.hh:mm:ss` for very long runs)."""
    if not value:
        return None
    days = 0
    if value.count(":") == 2 and "." in value.split(":", 1)[0]:
        day_text, value = value.split(".", 1)
        days = int(day_text) if day_text.isdigit() else 0
    parts = value.split(":")
    if len(parts) != 3:
        return None
    try:
        hours, minutes, seconds = int(parts[0]), int(parts[1]), float(parts[2])
    except ValueError:
        return None
    total = days * 86400 + hours * 3600 + minutes * 60 + seconds
    return total if total >= 0 else None


def _result(record: _Pending, definition: _Definition | None, context: ParseContext) -> TestResult:
    _, name, outcome, duration, message, details, stdout, stderr, attachments = record
    if definition is not None:
        classname = definition.classname
        if classname and name.startswith(classname + "."):
            name = name[len(classname) + 1 :]
        suite: tuple[str, ...] = (definition.assembly,) if definition.assembly else ()
        tags, properties = definition.tags, definition.properties
    else:
        classname, name = split_full_name(name)
        suite, tags, properties = (), (), ()
    parameters = name[name.index("(") + 1 : -1] if name.endswith(")") and "(" in name else None
    return context.result(
        suite,
        classname,
        name,
        outcome,
        duration,
        message=message,
        details=details,
        stdout=stdout,
        stderr=stderr,
        properties=properties,
        tags=tags,
        attachments=attachments,
        parameters=parameters,
    )


def _run_infos(element: ET.Element, context: ParseContext) -> None:
    """One warning for the run's own errors (a crashed test host, an adapter failure). Adapters
    also echo each failing test here (`[xUnit.net ...] Name [FAIL]`): those are results already."""
    errors = []
    for info in children(element, "RunInfo"):
        message = first_line(child_text(info, "Text"))
        if (info.get("outcome") or "").lower() not in ("error", "failed", "aborted") or not message:
            continue
        if message.endswith(("[FAIL]", "[SKIP]")):
            continue
        errors.append(message)
    if errors:
        more = f" (and {len(errors) - 1} more run errors)" if len(errors) > 1 else ""
        context.warn(
            f"the test run itself reported an error: {errors[0]}{more}; tests may be missing",
            None,
            None,
        )
