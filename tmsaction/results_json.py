"""The `results_json` file: every test result, its mapping and what was done with it.

Versioned (`"version": 1`) and documented in README ("results_json format"). Written streaming, one
test per line inside the `tests` array, so a million tests never sit in memory as one JSON string.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from tmsaction.mapping.model import TestMapping
from tmsaction.model import Attempt, TestResult
from tmsaction.runreport import RunReport

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
        if detail.attempts:
            entry["attempts"] = [_attempt(a) for a in detail.attempts]
    if mapping is not None:
        entry["mapping"] = mapping_entry(mapping)
    return entry


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
    first = True
    results = report.reports.results
    mappings: Iterable[TestMapping | None] = (
        report.mappings if len(report.mappings) == len(results) else (None for _ in results)
    )
    testrail = report.testrail
    for index, (result, mapping) in enumerate(zip(results, mappings, strict=False)):
        entry = test_entry(result, mapping)
        sync = testrail.sync_entry(index) if testrail is not None else None
        if sync is not None:
            entry["sync"] = {"testrail": sync}
        yield ("" if first else ",\n") + json.dumps(entry, ensure_ascii=False)
        first = False
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
