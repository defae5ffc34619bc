"""CTest's dashboard XML (`ctest -T Test` -> `Testing/<stamp>/Test.xml`, root `<Site>`). Its
`--output-junit` file is JUnit, read by `junit`.

Identity: suite = none; class = the test's directory (`Path`) unless it is the build root `.`;
name = `Name`. Tags = `Labels`; output = the `Measurement` value (what the test printed).

Outcomes follow CTest's own verdict: passed -> passed; failed -> failed, or error when the exit
code says Timeout, a signal or an exception; not run -> skipped when disabled or skipped by
`SKIP_RETURN_CODE`/`SKIP_REGULAR_EXPRESSION`, otherwise error (a missing executable or a failed
fixture: CTest reports those as failures too).

Pure apart from reading the given stream.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import BinaryIO

from tmsaction.model import Outcome, TestResult
from tmsaction.reports.base import ParseContext, first_line
from tmsaction.reports.xmlstream import local_name
from tmsaction.reports.xmltree import child, child_text, children, listed, text, walk

FORMAT = "ctest"
ROOTS = ("Site",)


def parse_ctest(stream: BinaryIO, context: ParseContext) -> Iterator[TestResult]:
    """Yield one `TestResult` per `<Test Status=...>`, streaming."""
    for event, tag, element, ancestors in walk(stream, context, ("Test",), ROOTS, "CTest"):
        parent = local_name(ancestors[-1].tag) if ancestors else ""
        if event == "end" and tag == "Test" and parent == "Testing":
            yield _test(element, context)


def _measurements(element: ET.Element) -> dict[str, str]:
    results = child(element, "Results")
    if results is None:
        return {}
    return {
        m.get("name") or "": (child_text(m, "Value") or "").strip()
        for m in children(results, "NamedMeasurement")
    }


def _test(element: ET.Element, context: ParseContext) -> TestResult:
    status = (element.get("Status") or "").lower()
    measured = _measurements(element)
    completion = measured.get("Completion Status", "")
    exit_code = measured.get("Exit Code", "")
    results = child(element, "Results")
    measurement = child(results, "Measurement") if results is not None else None
    output = child_text(measurement, "Value") if measurement is not None else None
    message = None
    if status == "passed":
        outcome = Outcome.PASSED
    elif status == "failed":
        outcome = Outcome.FAILED if exit_code in ("", "Failed") else Outcome.ERROR
        exit_value = measured.get("Exit Value")
        message = exit_code or "Failed"
        if exit_code == "Failed" and exit_value:
            message = f"exit code {exit_value}"
        if output:
            message = f"{message}: {first_line(output)}"
    else:
        skipped = completion == "Disabled" or completion.startswith("SKIP_")
        outcome = Outcome.SKIPPED if skipped else Outcome.ERROR
        message = completion or "not run"
    path = child_text(element, "Path") or ""
    duration = measured.get("Execution Time")
    return context.result(
        (),
        "" if path.strip() in ("", ".") else path.strip(),
        (child_text(element, "Name") or "").strip(),
        outcome,
        context.duration(duration),
        message=message,
        stdout=output,
        tags=tuple((text(label) or "").strip() for label in listed(element, "Labels", "Label")),
    )
