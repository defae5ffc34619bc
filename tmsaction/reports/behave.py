"""behave's own JSON (`behave --format json` / `json.pretty`), which is not Cucumber JSON: features
and elements carry `location` (`features/login.feature:9`) instead of `uri`/`line`, a `status` of
their own (`passed`, `failed`, `error`, `hook_error`, `skipped`, `untested`), tags without `@`,
step durations in seconds and `error_message` as a string or a list of lines (behave 1.2.6).

Identity: suite = (feature file,), class = feature name, name = scenario name as behave writes it;
Scenario Outline rows already carry their row (`Account states -- @1.2 Known customers`), and the
values that differ between rows are kept as `parameters`.
Outcome, by the same rules as Cucumber JSON (see `cucumber.py`): failed step -> failed, step error
or failing hook -> error, undefined step -> skipped, all skipped/untested -> skipped. behave does
not write the message of a hook error, so the result says so.

Pure apart from reading the given stream.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from tmsaction.model import Outcome, TestResult
from tmsaction.reports.base import ParseContext
from tmsaction.reports.cucumber import differing_values, gherkin_tags
from tmsaction.reports.errors import ReportParseError
from tmsaction.reports.jsontext import json_object, load_document
from tmsaction.reports.locations import checkout_path
from tmsaction.reports.resultbuild import clean, failure_message, make_result, seconds

FORMAT = "behave"
_WHAT = "behave JSON report (behave --format json)"
_NOT_RUN = {"skipped", "untested", ""}


def parse_behave(stream: BinaryIO, context: ParseContext) -> Iterator[TestResult]:
    """Yield one result per scenario (one per Scenario Outline row)."""
    report = load_document(stream, context, _WHAT)
    if not isinstance(report, list):
        raise ReportParseError(f"expected a {_WHAT}: a list of features")
    for feature in report:
        if isinstance(feature, dict):
            yield from _feature(feature, context)


def _location(value: object) -> tuple[str | None, int | None]:
    text = str(value or "")
    path, _, line = text.rpartition(":")
    if path and line.isdigit():
        return checkout_path(path), int(line)
    return checkout_path(text), None


def _feature(feature: dict[str, Any], context: ParseContext) -> Iterator[TestResult]:
    file, _ = _location(feature.get("location"))
    feature_name = str(feature.get("name") or file or "")
    scenarios = [
        e
        for e in feature.get("elements") or ()
        if isinstance(e, dict) and str(e.get("type") or "scenario").lower() != "background"
    ]
    parameters = _outline_parameters(scenarios)
    for element, params in zip(scenarios, parameters, strict=True):
        outcome, message, details, duration = _scenario(element)
        _, line = _location(element.get("location"))
        yield make_result(
            context,
            suite=(file,) if file else (),
            classname=feature_name,
            name=str(element.get("name") or ""),
            outcome=outcome,
            duration=duration,
            file=file,
            line=line,
            message=message,
            details=details,
            tags=gherkin_tags(feature.get("tags"), element.get("tags")),
            parameters=params,
        )


def _outline_parameters(scenarios: list[dict[str, Any]]) -> list[str | None]:
    groups: dict[str, list[int]] = {}
    for index, element in enumerate(scenarios):
        keyword = str(element.get("keyword") or "").lower()
        if "outline" in keyword or "template" in keyword:
            base = str(element.get("name") or "").split(" -- @", 1)[0]
            groups.setdefault(base, []).append(index)
    found: list[str | None] = [None] * len(scenarios)
    for indexes in groups.values():
        texts = [
            " ".join(str(s.get("name") or "") for s in scenarios[i].get("steps") or ())
            for i in indexes
        ]
        for index, value in zip(indexes, differing_values(texts), strict=True):
            found[index] = value
    return found


def _scenario(element: dict[str, Any]) -> tuple[Outcome, str | None, str | None, float | None]:
    """(outcome, message, details, duration) from the steps, then the scenario's own status."""
    durations: list[float] = []
    first: dict[str, tuple[str, dict[str, Any]]] = {}
    statuses: list[str] = []
    for step in element.get("steps") or ():
        if not isinstance(step, dict):
            continue
        result = json_object(step.get("result"))
        status = str(result.get("status") or "").lower()
        statuses.append(status)
        duration = seconds(result.get("duration"))
        if duration is not None:
            durations.append(duration)
        label = f"{str(step.get('keyword') or '').strip()} {step.get('name') or ''}".strip()
        first.setdefault(status, (label, result))
    duration = sum(durations) if durations else None
    for status, outcome in (("failed", Outcome.FAILED), ("error", Outcome.ERROR)):
        if status in first:
            label, result = first[status]
            error = clean(result.get("error_message"))
            message = failure_message(error) or f"{label}: {status}"
            return outcome, message, clean(f"{label}\n\n{error}" if error else label), duration
    own = str(element.get("status") or "").lower()
    if own == "hook_error":
        message = "a before/after hook failed (behave's JSON does not keep the hook's message)"
        return Outcome.ERROR, message, None, duration
    if own in ("failed", "error") and "undefined" not in first:
        return Outcome.ERROR, f"the scenario {own} (no failing step in the report)", None, duration
    for status in ("undefined", "pending"):
        if status in first:
            return Outcome.SKIPPED, f"{status} step: {first[status][0]}", None, duration
    if statuses and all(status in _NOT_RUN for status in statuses):
        return Outcome.SKIPPED, None, None, duration
    if own in ("skipped", "untested") and not durations:
        return Outcome.SKIPPED, None, None, duration
    return Outcome.PASSED, None, None, duration
