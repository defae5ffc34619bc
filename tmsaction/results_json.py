"""The `results_json` file: every test result, its mapping and what was done with it.

Versioned (`"version": 1`) and documented in README ("results_json format"). Written streaming, one
test per line inside the `tests` array, so a million tests never sit in memory as one JSON string.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any

from tmsaction.mapping.model import TestMapping
from tmsaction.mapping.table import Mappings, Pending
from tmsaction.model import Attempt, TestDetail, TestResult
from tmsaction.runreport import RunReport
from tmsaction.sinks.jira_outcome import TestDefect
from tmsaction.sinks.testrail_outcome import TestRailOutcome

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


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


_EntryPieces = tuple[str, str | None, tuple[str, str] | None]


class _LineWriter:
    """`json.dumps(test_entry(result, mapping), ensure_ascii=False)` for every test, built from
    cached pieces: a million `json.dumps` calls would cost more than reading the reports. The
    pieces around the name repeat from test to test, and so do most of a mapping's: a shared
    pending entry (`mapping/table.py`) is written as its cached head and tail around the test's
    own case, without building the test's `TestMapping`; a detail's fields are encoded alone.
    tests/unit/test_results_json.py proves the pieces add up to the same JSON."""

    def __init__(self) -> None:
        self._suites: dict[tuple[str, ...], str] = {}
        self._heads: dict[tuple[tuple[str, ...], str], str] = {}
        self._strings: dict[str, str] = {}
        self._durations: dict[float, str] = {}
        # Mapping pieces: per shared entry (head up to the cases, tail after them), per section
        # path, and the last ones met, by identity.
        self._entries: dict[Pending, _EntryPieces] = {}
        self._pieces: dict[str, str] = {}
        self._paths: dict[tuple[str, ...], str] = {}
        self._path: tuple[str, ...] | None = None
        self._path_json = ""
        self._afters: dict[tuple[object, ...], str] = {}

    def line(self, result: TestResult, mapping: TestMapping | Pending | None = None) -> str:
        """One test's line (`lines` for many: it reuses the pieces of the test before)."""
        return next(self.lines(((result, mapping),)))

    def lines(
        self, tests: Iterable[tuple[TestResult, TestMapping | Pending | None]]
    ) -> Iterator[str]:
        """Each test's line, in order. The hot loop of a large run: the pieces the previous test
        used are kept in locals, by identity of what they were made of (the readers share suite,
        class, file and source between the tests of a file; a run of tests shares an entry)."""
        nothing = object()
        suite_of: object = nothing
        class_of: object = nothing
        file_of: object = nothing
        line_of: object = nothing
        outcome_of: object = nothing
        source_of: object = nothing
        entry_of: object = nothing
        path_of: object = nothing
        head = middle = tail = entry_head = before_title = ""
        entry_tail: str | None = None
        # A shared entry whose titles are names: its pieces before and after the name.
        named = False
        before_name = after_name = ""
        durations = self._durations
        encode = encode_basestring  # a local: read a million times
        for result, mapping in tests:
            if result.suite is not suite_of or result.classname is not class_of:
                suite_of, class_of = result.suite, result.classname
                head = self._head(result.suite, result.classname)
            if (
                result.file is not file_of
                or result.line != line_of
                or result.outcome is not outcome_of
            ):
                file_of, line_of, outcome_of = result.file, result.line, result.outcome
                file = "null" if result.file is None else self._string(result.file)
                line = "null" if result.line is None else str(result.line)
                middle = (
                    f', "file": {file}, "line": {line}, "outcome": "{result.outcome.value}", '
                    '"duration": '
                )
            if result.source is not source_of:
                source_of = result.source
                tail = f', "source": {self._string(result.source)}'
            name = encode(result.name)
            # Reports write durations to the millisecond or so: a few thousand values repeat.
            duration = result.duration
            seconds = (
                "null" if duration is None else durations.get(duration) or self._duration(duration)
            )
            if result.detail is not None:  # a failure, most often: a few in a large run
                whole = _whole(result, mapping)
                mapped = "}" if whole is None else self._mapping(whole)
                yield f"{head}{name}{middle}{seconds}{tail}{_detail_json(result.detail)}{mapped}"
                continue
            if mapping is entry_of and named:
                # The common case: the test before's shared entry, whose title is the name.
                yield f"{head}{name}{middle}{seconds}{tail}{before_name}{name}{after_name}"
                continue
            if mapping is None:
                yield f"{head}{name}{middle}{seconds}{tail}}}"
                continue
            if isinstance(mapping, TestMapping):
                yield f"{head}{name}{middle}{seconds}{tail}{self._mapping(mapping)}"
                continue
            # A shared entry: its head, the test's case (or reason), its tail.
            if mapping is not entry_of:
                entry_of, path_of = mapping, nothing
                entry_head, entry_tail, around = self._entry_pieces(mapping)
                named = around is not None
                if around is not None:
                    before_name, after_name = around
                    yield f"{head}{name}{middle}{seconds}{tail}{before_name}{name}{after_name}"
                    continue
            after = entry_tail
            if after is None:  # each test of this entry has its own reason
                after = self._after_cases(mapping.shared) + _reason(mapping.reason(result))
            place = mapping.target(result)
            if place is None:
                yield f"{head}{name}{middle}{seconds}{tail}{entry_head}{after}"
                continue
            path, title = place
            if path is not path_of:
                path_of = path
                before_title = (
                    f'{entry_head}{{"id": null, "section": {self._section(path)}, "title": '
                )
            # The title is most often the name itself, encoded already.
            title_json = name if title is result.name else encode_basestring(title)
            yield f"{head}{name}{middle}{seconds}{tail}{before_title}{title_json}}}{after}"

    def _head(self, suite: tuple[str, ...], classname: str) -> str:
        """`{"suite": …, "classname": …, "name": `, cached per class (a runner can interleave
        classes: the last class's is kept by identity in `lines`)."""
        key = (suite, classname)
        head = self._heads.get(key)
        if head is None:
            head = (
                f'{{"suite": {self._suite(suite)}, "classname": {self._string(classname)}, "name": '
            )
            if len(self._heads) < 100_000:
                self._heads[key] = head
        return head

    def _suite(self, suite: tuple[str, ...]) -> str:
        encoded = self._suites.get(suite)
        if encoded is None:
            encoded = _json(list(suite))
            if len(self._suites) < 100_000:
                self._suites[suite] = encoded
        return encoded

    def _string(self, text: str) -> str:
        encoded = self._strings.get(text)
        if encoded is None:
            encoded = encode_basestring(text)
            if len(self._strings) < 100_000:
                self._strings[text] = encoded
        return encoded

    def _duration(self, duration: float) -> str:
        # json writes NaN and infinities its own way (not valid JSON, but what json.dumps says).
        encoded = float.__repr__(duration) if math.isfinite(duration) else _json(duration)
        if len(self._durations) < 20_000:
            self._durations[duration] = encoded
        return encoded

    # -- the mapping object: `mapping_entry`, piece by piece -----------------------------------

    def _entry_pieces(self, entry: Pending) -> _EntryPieces:
        """A shared entry's head (up to its cases), tail (after them; None when each test has
        its own reason) and, when every test's case is its section and its name as title, the
        pieces before and after that name; cached per entry, and equal pieces of different
        entries (tens of thousands of sections, a few statuses) kept once."""
        pieces = self._entries.get(entry)
        if pieces is None:
            shared = entry.shared
            head = self._once(_head(shared))
            # With a reason in `shared`, every test of the entry has it: the tail is shared too.
            tail = (
                None
                if shared.reason is None
                else self._once(self._after_cases(shared) + _reason(shared.reason))
            )
            section = entry.section
            around = None
            if entry.titles_are_names and section is not None and tail is not None:
                around = (
                    self._once(
                        f'{head}{{"id": null, "section": {self._section(section)}, "title": '
                    ),
                    self._once("}" + tail),
                )
            pieces = (head, tail, around)
            if len(self._entries) < 100_000:
                self._entries[entry] = pieces
        return pieces

    def _once(self, piece: str) -> str:
        """The piece equal to `piece` met first (bounded)."""
        kept = self._pieces.get(piece)
        if kept is None:
            kept = piece
            if len(self._pieces) < 100_000:
                self._pieces[piece] = piece
        return kept

    def _mapping(self, mapping: TestMapping) -> str:
        cases = ", ".join(
            f'{{"id": {_id(case.case_id)}, "section": {self._section(case.section_path)}, '
            f'"title": {encode_basestring(case.title)}}}'
            if case.case_id is None or case.title
            else f'{{"id": {case.case_id}}}'
            for case in mapping.cases
        )
        return _head(mapping) + cases + self._after_cases(mapping) + _reason(mapping.reason)

    def _section(self, path: tuple[str, ...]) -> str:
        if path is self._path:
            return self._path_json
        encoded = self._paths.get(path)
        if encoded is None:
            encoded = _json(list(path))
            if len(self._paths) < 100_000:
                self._paths[path] = encoded
        self._path, self._path_json = path, encoded
        return encoded

    def _after_cases(self, mapping: TestMapping) -> str:
        """`], "stories": …, "route": …, "status": …`: shared by most mappings (cached by what
        it is made of)."""
        of = (mapping.stories, mapping.route, mapping.status_id, mapping.status)
        encoded = self._afters.get(of)
        if encoded is None:
            route = mapping.route
            status = (
                f'{{"id": {_id(mapping.status_id)}, "name": {_json(mapping.status)}}}'
                if mapping.status
                else "null"
            )
            encoded = (
                f'], "stories": {_json(list(mapping.stories))}, "route": {{"project": '
                f'{_json(route.project)}, "suite": {_json(route.suite)}}}, "status": {status}'
            )
            if len(self._afters) < 10_000:
                self._afters[of] = encoded
        return encoded


def _detail_json(detail: TestDetail) -> str:
    """The detail fields of `test_entry`'s JSON, as they follow `"source"`."""
    parts = [f', "message": {_text(detail.message)}, "details": {_text(detail.details)}']
    if detail.properties:
        parts.append(f', "properties": {_json([[k, v] for k, v in detail.properties])}')
    if detail.tags:
        parts.append(f', "tags": {_json(list(detail.tags))}')
    if detail.attachments:
        parts.append(f', "attachments": {_json(list(detail.attachments))}')
    if detail.parameters:
        parts.append(f', "parameters": {encode_basestring(detail.parameters)}')
    if detail.attempts:
        parts.append(f', "attempts": {_json([_attempt(a) for a in detail.attempts])}')
    return "".join(parts)


def _text(text: str | None) -> str:
    return "null" if text is None else encode_basestring(text)


def _whole(result: TestResult, mapping: TestMapping | Pending | None) -> TestMapping | None:
    """The test's whole mapping, a shared entry's materialised."""
    if mapping is None or isinstance(mapping, TestMapping):
        return mapping
    return mapping.materialise(result)


def _head(mapping: TestMapping) -> str:
    strategy = "null" if mapping.matched_by is None else f'"{mapping.matched_by.value}"'
    return f', "mapping": {{"matched_by": {strategy}, "cases": ['


def _reason(reason: str | None) -> str:
    return f', "reason": {"null" if reason is None else encode_basestring(reason)}}}}}'


def _id(number: int | None) -> str:
    return "null" if number is None else str(number)


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
    pairs: Iterable[tuple[TestResult, TestMapping | Pending | None]]
    if isinstance(report.mappings, Mappings) and len(report.mappings) == len(results):
        pairs = report.mappings.entries()  # shared entries as they are stored: see `lines`
    elif len(report.mappings) == len(results):
        pairs = zip(results, report.mappings, strict=True)
    else:
        pairs = ((result, None) for result in results)
    lines = writer.lines(pairs)
    jira = report.jira.by_test if report.jira else {}
    if jira or report.testrail is not None:
        lines = _with_sync(lines, jira, report.testrail)
    for start in range(0, len(results), 2000):
        separator = ",\n" if start else ""
        yield separator + ",\n".join(islice(lines, 2000))
    yield "\n ]\n}\n"


def _with_sync(
    lines: Iterator[str], jira: Mapping[int, TestDefect], testrail: TestRailOutcome | None
) -> Iterator[str]:
    """Each line with the test's `sync` object, when it has one: `sync` is the entry's last key,
    so it goes before the line's closing brace (what json.dumps of the entry would write)."""
    for index, line in enumerate(lines):
        sync: dict[str, Any] = {}
        if testrail is not None:
            delivery = testrail.sync_entry(index)
            if delivery is not None:
                sync["testrail"] = delivery
        if index in jira:
            sync["jira"] = jira_entry(jira[index])
        yield f'{line[:-1]}, "sync": {_json(sync)}}}' if sync else line


def write_results_json(path: Path, report: RunReport) -> None:
    """Write the file. A lone surrogate, which a JSON report can put in a test name, cannot be
    UTF-8: it is written as its `\\udXXX` escape (`backslashreplace`), which inside a JSON string
    reads back as the same character, instead of failing the whole file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", errors="backslashreplace") as handle:
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
