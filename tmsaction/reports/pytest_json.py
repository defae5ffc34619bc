"""pytest-json-report (`pytest --json-report`): `tests` with `nodeid`, `lineno`, `outcome` and the
`setup`/`call`/`teardown` stages (`duration`, `outcome`, `crash`, `longrepr`, `stdout`,
`stderr`), `user_properties`, `metadata`; `collectors` for collection errors.

Identity, the same as pytest's own JUnit XML so both reports of a project name tests alike:
class = the module path with dots plus any class names (`tests.test_cart.TestCheckout`),
name = the function name with its parameter id (`test_limits[3]`); the parameter id is also kept
as `parameters`. `record_property` values and `json_metadata` become properties.
- `error` (a fixture failed in setup or teardown) is an error; `xfailed` is skipped and
  `xpassed` passed (a strict xpass is already `failed`).
- `rerun` (pytest-rerunfailures) keeps only the last run: failed, then passed is flaky.
- A module that failed to import is one error result named after the module, as in JUnit XML.

Pure apart from reading the given stream.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Any, BinaryIO

from tmsaction.model import Attempt, Outcome, TestResult
from tmsaction.reports.base import ParseContext
from tmsaction.reports.errors import ReportParseError
from tmsaction.reports.jsontext import json_object, load_document
from tmsaction.reports.resultbuild import clean, make_result, message_of, seconds

FORMAT = "pytest-json"
_WHAT = "pytest-json-report file (pytest --json-report)"
_STAGES = ("setup", "call", "teardown")
_OUTCOMES = {
    "passed": Outcome.PASSED,
    "failed": Outcome.FAILED,
    "error": Outcome.ERROR,
    "skipped": Outcome.SKIPPED,
    "xfailed": Outcome.SKIPPED,
    "xpassed": Outcome.PASSED,
}
_RERUN_MESSAGE = "failed, then rerun (pytest-rerunfailures; the report keeps only the last run)"


def parse_pytest_json(stream: BinaryIO, context: ParseContext) -> Iterator[TestResult]:
    """Yield one result per collected test, plus one per module that failed to collect."""
    report = load_document(stream, context, _WHAT)
    if not isinstance(report, dict) or not ("tests" in report or "collectors" in report):
        raise ReportParseError(f"expected a {_WHAT} with a `tests` list")
    for collector in report.get("collectors") or ():
        if isinstance(collector, dict) and collector.get("outcome") == "failed":
            yield _collection_error(collector, context)
    for test in report.get("tests") or ():
        if isinstance(test, dict):
            yield _test(test, context)


def split_nodeid(nodeid: str) -> tuple[str, str, str, str | None]:
    """(file, class, name, parameters) of a pytest node id, named as pytest's JUnit XML does."""
    path, _, rest = nodeid.partition("::")
    parts = [part for part in rest.split("::") if part and part != "()"]
    module = path[:-3] if path.endswith(".py") else path
    module = module.replace("/", ".").replace("\\", ".")
    name = parts[-1] if parts else module
    classname = ".".join([module, *parts[:-1]]) if parts else ""
    parameters = None
    if name.endswith("]") and "[" in name:
        parameters = name[name.index("[") + 1 : -1]
    return path, classname, name, parameters


def _skip_reason(longrepr: object) -> str | None:
    """`('/path/test_x.py', 30, 'Skipped: reason')` -> `reason`."""
    if isinstance(longrepr, list) and len(longrepr) == 3:
        text = str(longrepr[2])
    elif isinstance(longrepr, str) and longrepr.startswith("(") and len(longrepr) < 10_000:
        try:
            value = ast.literal_eval(longrepr)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return message_of(longrepr)
        text = str(value[-1]) if isinstance(value, tuple) and value else longrepr
    else:
        return message_of(clean(longrepr))
    return text.removeprefix("Skipped: ").strip() or None


def _failure(stage: dict[str, Any]) -> tuple[str | None, str | None]:
    crash = json_object(stage.get("crash"))
    details = clean(stage.get("longrepr"))
    return message_of(clean(crash.get("message"))) or message_of(details), details


def _test(test: dict[str, Any], context: ParseContext) -> TestResult:
    nodeid = str(test.get("nodeid") or "")
    file, classname, name, parameters = split_nodeid(nodeid)
    stages = {key: test[key] for key in _STAGES if isinstance(test.get(key), dict)}
    raw = str(test.get("outcome") or "")
    outcome = _OUTCOMES.get(raw, Outcome.ERROR)
    durations = [seconds(stage.get("duration")) for stage in stages.values()]
    duration = sum(d for d in durations if d is not None) if stages else None

    message: str | None = None
    details: str | None = None
    attempts: list[Attempt] = []
    failing = next(
        (s for s in stages.values() if s.get("outcome") == "failed"),
        None,
    )
    if raw == "rerun":
        call = stages.get("call", {})
        final = Outcome.PASSED if call.get("outcome") == "passed" else Outcome.FAILED
        final_message, final_details = _failure(call) if final is Outcome.FAILED else (None, None)
        attempts = [
            Attempt(Outcome.FAILED, None, _RERUN_MESSAGE, None, context.source),
            Attempt(final, duration, final_message, final_details, context.source),
        ]
        outcome = Outcome.FLAKY if final is Outcome.PASSED else Outcome.FAILED
        message, details = (
            (final_message, final_details) if final_message else (_RERUN_MESSAGE, None)
        )
    elif outcome.is_failure and failing is not None:
        message, details = _failure(failing)
    elif raw == "skipped":
        reasons = [s.get("longrepr") for s in stages.values() if s.get("outcome") == "skipped"]
        message = _skip_reason(reasons[0]) if reasons else None
    elif raw == "xfailed":
        crash_message, details = _failure(stages.get("call", {}))
        message = "expected to fail (xfail)" + (f": {crash_message}" if crash_message else "")
    elif raw not in _OUTCOMES:
        message = f"unknown outcome {raw!r} (read as an error)"

    properties = _properties(test)
    stdout = "".join(str(s.get("stdout") or "") for s in stages.values()) or None
    stderr = "".join(str(s.get("stderr") or "") for s in stages.values()) or None
    line = test.get("lineno")
    return make_result(
        context,
        suite=(),
        classname=classname,
        name=name,
        outcome=outcome,
        duration=duration,
        file=file or None,
        # pytest counts lines from 0 (`item.location`); editors and GitHub count from 1.
        line=line + 1 if isinstance(line, int) else None,
        message=message,
        details=details,
        stdout=stdout,
        stderr=stderr,
        properties=properties,
        parameters=parameters,
        attempts=attempts,
    )


def _properties(test: dict[str, Any]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for item in test.get("user_properties") or ():
        if isinstance(item, dict):
            found.extend((str(k), str(v)) for k, v in item.items())
        elif isinstance(item, list) and len(item) == 2:
            found.append((str(item[0]), str(item[1])))
    metadata = test.get("metadata")
    if isinstance(metadata, dict):
        found.extend(
            (str(k), str(v)) for k, v in metadata.items() if isinstance(v, str | int | float | bool)
        )
    return found


def _collection_error(collector: dict[str, Any], context: ParseContext) -> TestResult:
    nodeid = str(collector.get("nodeid") or "")
    file, classname, name, _ = split_nodeid(nodeid)
    details = clean(collector.get("longrepr"))
    return make_result(
        context,
        suite=(),
        classname=classname,
        name=name,
        outcome=Outcome.ERROR,
        file=file or None,
        message="collection failure: " + (_last_error_line(details) or "the module did not import"),
        details=details,
    )


def _last_error_line(details: str | None) -> str | None:
    """pytest marks the exception lines of a traceback with `E   `; the last one says what broke."""
    if not details:
        return None
    errors = [line[1:].strip() for line in details.splitlines() if line.startswith("E ")]
    return errors[-1] if errors else message_of(details)
