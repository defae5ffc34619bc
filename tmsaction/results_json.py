"""The `results_json` file: every test result, its mapping and what was done with it.

Versioned (`"version": 1`) and documented in README ("results_json format"). Written streaming, one
test per line inside the `tests` array, so a million tests never sit in memory as one JSON string.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any

from tmsaction.mapping.model import TestMapping
from tmsaction.model import Attempt, TestResult
from tmsaction.runreport import RunReport
from tmsaction.sinks.jira_outcome import TestDefect

SCHEMA = "https://github.com/tmsaction/tmsaction/results-json"
VERSION = 1


def _attempt(attempt: Attempt) -> dict[str, Any]:
    return {
        "outcome": attempt.outcome.value,
        "duration": attempt.duration,
        "message": attempt.message,
        "source": attempt.source,
    }


def mapping_entry(mapping: TestMapping) -> dict[str, Any]:
    """Where the test goes: strategy, cases (id, or section and title for a name target),
    stories, route, the status sent (null: none) and, when unmatched or pending, why."""
    return {
        "matched_by": mapping.matched_by.value if mapping.matched_by else None,
        "cases": [
            {"id": case.case_id, "section": list(case.section_path), "title": case.title}
            if case.case_id is None or case.title
            else {"id": case.case_id}
            for case in mapping.cases
        ],
        "stories": list(mapping.stories),
        "route": {"project": mapping.route.project, "suite": mapping.route.suite},
        "status": {"id": mapping.status_id, "name": mapping.status} if mapping.status else None,
        "reason": mapping.reason,
    }


def test_entry(result: TestResult, mapping: TestMapping | None = None) -> dict[str, Any]:  # noqa: PT028
    """The JSON object for one test (sync fields are added by later stages)."""
    entry: dict[str, Any] = {
        "suite": list(result.suite),
        "classname": result.classname,
        "name": result.name,
        "file": result.file,
        "line": result.line,
        "outcome": result.outcome.value,
        "duration": result.duration,
        "source": result.source,
    }
    if result.detail is not None:
        detail = result.detail
        entry["message"] = detail.message
        entry["details"] = detail.details
        if detail.properties:
            entry["properties"] = [[k, v] for k, v in detail.properties]
        if detail.tags:
            entry["tags"] = list(detail.tags)
        if detail.attachments:
            entry["attachments"] = list(detail.attachments)
        if detail.parameters:
            entry["parameters"] = detail.parameters
        if detail.attempts:
            entry["attempts"] = [_attempt(a) for a in detail.attempts]
    if mapping is not None:
        entry["mapping"] = mapping_entry(mapping)
    return entry


def jira_entry(entry: TestDefect) -> dict[str, Any]:
    """`sync.jira`: the defect accounting for the test, what was done (`done: false` in a dry
    run or when it failed) and why, or the error."""
    return {
        "defect": entry.defect,
        "action": entry.action.value,
        "done": entry.done,
        "reason": entry.reason,
        "error": entry.error,
    }


class _LineWriter:
    """`json.dumps(test_entry(result, mapping), ensure_ascii=False)`, built from cached pieces for
    the tests that have no detail (most of a large run): a million `json.dumps` calls would cost
    more than reading the reports. Mappings repeat (same route, strategy, case or status), so their
    JSON is cached by value. tests/unit/test_results_json.py proves both paths write the same JSON."""

    def __init__(self) -> None:
        self._suites: dict[tuple[str, ...], str] = {}
        self._strings: dict[str, str] = {}
        # The pieces around the name and the duration repeat from test to test; the last ones are
        # kept by identity of their inputs (the readers share suite, class, file and source).
        self._head_of: tuple[object, object] = (None, None)
        self._head = ""
        self._middle_of: tuple[object, object, object] = (None, None, None)
        self._middle = ""
        self._source_of: object = None
        self._tail = ""
        self._mappings: dict[TestMapping, str] = {}

    def _string(self, text: str) -> str:
        encoded = self._strings.get(text)
        if encoded is None:
            encoded = encode_basestring(text)
            if len(self._strings) < 100_000:
                self._strings[text] = encoded
        return encoded

    def _mapping(self, mapping: TestMapping | None) -> str:
        if mapping is None:
            return "}"
        encoded = self._mappings.get(mapping)
        if encoded is None:
            encoded = ', "mapping": ' + json.dumps(mapping_entry(mapping), ensure_ascii=False) + "}"
            if len(self._mappings) < 100_000:
                self._mappings[mapping] = encoded
        return encoded

    def line(self, result: TestResult, mapping: TestMapping | None = None) -> str:
        if result.detail is not None:
            return json.dumps(test_entry(result, mapping), ensure_ascii=False)
        suite_of, class_of = self._head_of
        if result.suite is not suite_of or result.classname is not class_of:
            suite = self._suites.get(result.suite)
            if suite is None:
                suite = json.dumps(list(result.suite), ensure_ascii=False)
                self._suites[result.suite] = suite
            self._head = f'{{"suite": {suite}, "classname": {self._string(result.classname)}, '
            self._head_of = (result.suite, result.classname)
        file_of, line_of, outcome_of = self._middle_of
        if result.file is not file_of or result.line != line_of or result.outcome is not outcome_of:
            file = "null" if result.file is None else self._string(result.file)
            line = "null" if result.line is None else str(result.line)
            self._middle = f', "file": {file}, "line": {line}, "outcome": "{result.outcome.value}"'
            self._middle_of = (result.file, result.line, result.outcome)
        if result.source is not self._source_of:
            self._tail = f', "source": {self._string(result.source)}'
            self._source_of = result.source
        duration = "null" if result.duration is None else float.__repr__(result.duration)
        return (
            f'{self._head}"name": {encode_basestring(result.name)}{self._middle}'
            f', "duration": {duration}{self._tail}{self._mapping(mapping)}'
        )


def _chunks(report: RunReport) -> Iterator[str]:
    totals = report.reports.totals
    head = {
        "$schema": SCHEMA,
        "version": VERSION,
        "repository": report.context.repository or None,
        "sha": report.context.sha or None,
        "run_id": report.context.run_id or None,
        "run_attempt": report.context.run_attempt or None,
        "dry_run": report.dry_run,
        "totals": {
            "total": totals.total,
            "passed": totals.passed,
            "failed": totals.failed,
            "errors": totals.errors,
            "skipped": totals.skipped,
            "flaky": totals.flaky,
            "duration": round(totals.duration, 3),
        },
        "files": [
            {"source": f.source, "format": f.format, "tests": f.tests} for f in report.reports.files
        ],
        "problems": [
            {
                "source": p.source,
                "line": p.line,
                "column": p.column,
                "message": p.message,
                "severity": p.severity,
            }
            for p in report.reports.problems
        ]
        + [{"sink": p.sink, "message": p.message, "unsent": p.unsent} for p in report.problems],
        "mapping": _mapping_head(report),
        "testrail": _testrail_head(report),
    }
    text = json.dumps(head, ensure_ascii=False, indent=1)
    yield text[: text.rindex("}")].rstrip() + ',\n "tests": [\n'
    writer = _LineWriter()
    results = report.reports.results
    mappings: Iterable[TestMapping | None] = (
        report.mappings if len(report.mappings) == len(results) else [None] * len(results)
    )
    jira = report.jira.by_test if report.jira else {}
    testrail = report.testrail

    def line(index: int, result: TestResult, mapping: TestMapping | None) -> str:
        sync: dict[str, Any] = {}
        if testrail is not None:
            delivery = testrail.sync_entry(index)
            if delivery is not None:
                sync["testrail"] = delivery
        if index in jira:
            sync["jira"] = jira_entry(jira[index])
        if not sync:
            return writer.line(result, mapping)
        entry = test_entry(result, mapping)
        entry["sync"] = sync
        return json.dumps(entry, ensure_ascii=False)

    lines = (
        map(line, range(len(results)), results, mappings)
        if jira or testrail is not None
        else map(writer.line, results, mappings)
    )
    for start in range(0, len(results), 2000):
        separator = ",\n" if start else ""
        yield separator + ",\n".join(next(lines) for _ in range(min(2000, len(results) - start)))
    yield "\n ]\n}\n"


def write_results_json(path: Path, report: RunReport) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for chunk in _chunks(report):
            handle.write(chunk)


def _testrail_head(report: RunReport) -> dict[str, Any] | None:
    """Run-level TestRail facts: the runs written to, cases created, counts (null: not used)."""
    outcome = report.testrail
    if outcome is None:
        return None
    return {
        "dry_run": outcome.dry_run,
        "runs": [
            {
                "suite": run.label,
                "run_id": run.run_id,
                "name": run.name,
                "url": run.url,
                "how": run.how,
                "closed": run.closed,
                "sent": run.sent,
                "present": run.present,
                "unsent": run.unsent,
                "created_sections": [list(path) for path in run.created_sections],
                "created_cases": [
                    {"id": case.id, "title": case.title, "section": list(case.section_path)}
                    for case in run.created_cases
                ],
            }
            for run in outcome.runs
        ],
        "unsent": outcome.unsent,
        "attachments": outcome.attachments,
        "requests": outcome.requests,
    }


def _mapping_head(report: RunReport) -> dict[str, Any] | None:
    """Run-level mapping facts: the config used, unmatched tests, coverage, gate verdicts."""
    if report.plan is None:
        return None
    coverage = report.coverage
    return {
        "config": report.config.source if report.config else None,
        "testrail_read": report.plan.mapping.testrail_read,
        "unmatched": report.plan.mapping.unmatched_count,
        "automated_cases": coverage.automated if coverage else None,
        "cases": coverage.cases if coverage else None,
        "regression_automation": coverage.regression_percent if coverage else None,
        "gates": [
            {
                "name": g.gate.name,
                "metric": g.gate.metric.value,
                "status": g.status,
                "value": g.value,
            }
            for g in report.gates
        ],
    }
