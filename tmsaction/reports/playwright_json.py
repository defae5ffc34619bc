"""Playwright's JSON reporter: `config` (with `rootDir`), nested `suites` (file, then
`test.describe` blocks) holding `specs`; each spec has one `tests` entry per project, and each of
those one `results` entry per run (retries), with `status`, `duration` (ms), `error(s)`,
`stdout`/`stderr`, `attachments` and `annotations`.

Identity: suite = (project, test file) (project omitted when unnamed), class = the describe titles
joined by ` › `, name = the spec title. The same spec in two projects is two tests.
- Every run is an attempt; failed, then passed is flaky (Playwright's own `flaky` status).
- `expectedStatus` is honoured: a `test.fail()` test that failed has passed; one that passed
  has failed. `timedOut` and `interrupted` runs are failures.
- Tags (`{ tag: '@C123' }`, written without `@` by the reporter) are kept as `@C123`;
  annotations become properties (`type` -> `description`); attachments keep their path, or a
  `data:` URL for small inline bodies.

Pure apart from reading the given stream.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any, BinaryIO

from tmsaction.model import Attempt, Outcome, TestResult
from tmsaction.reports.base import ParseContext
from tmsaction.reports.errors import ReportParseError
from tmsaction.reports.jsontext import json_object, load_document
from tmsaction.reports.locations import EmbeddedAttachments, checkout_path
from tmsaction.reports.merge import outcome_of
from tmsaction.reports.resultbuild import clean, failure_message, make_result, seconds

FORMAT = "playwright"
_WHAT = "Playwright JSON report (reporter: 'json')"
_RUN_STATUS = {
    "passed": Outcome.PASSED,
    "failed": Outcome.FAILED,
    "timedOut": Outcome.FAILED,
    "interrupted": Outcome.ERROR,
    "skipped": Outcome.SKIPPED,
}


def parse_playwright_json(stream: BinaryIO, context: ParseContext) -> Iterator[TestResult]:
    """Yield one result per spec and project; walks the suite tree without recursion limits."""
    report = load_document(stream, context, _WHAT)
    if not isinstance(report, dict) or not isinstance(report.get("suites"), list):
        raise ReportParseError(f"expected a {_WHAT} with a `suites` list")
    config = json_object(report.get("config"))
    root = str(config.get("rootDir") or "")
    embedded = EmbeddedAttachments()
    # Top-level suites are test files; their child suites are describe blocks.
    pending: list[tuple[dict[str, Any], tuple[str, ...]]] = [
        (suite, ()) for suite in reversed(report["suites"]) if isinstance(suite, dict)
    ]
    while pending:
        suite, describes = pending.pop()
        for spec in suite.get("specs") or ():
            if isinstance(spec, dict):
                yield from _spec(spec, describes, root, embedded, context)
        pending.extend(
            (child, (*describes, str(child.get("title") or "")))
            for child in reversed(suite.get("suites") or ())
            if isinstance(child, dict)
        )
    warning = embedded.warning()
    if warning:
        context.warn(warning)
    for error in report.get("errors") or ():
        if isinstance(error, dict):
            context.warn(
                "Playwright reported an error outside any test: "
                + (failure_message(clean(error.get("message"))) or "no message")
            )


def _file(spec: dict[str, Any], root: str) -> str:
    name = str(spec.get("file") or "")
    if root and name and not PurePosixPath(name).is_absolute():
        name = f"{root.rstrip('/')}/{name}"
    return checkout_path(name) or name


def _spec(
    spec: dict[str, Any],
    describes: tuple[str, ...],
    root: str,
    embedded: EmbeddedAttachments,
    context: ParseContext,
) -> Iterator[TestResult]:
    file = _file(spec, root)
    tags = [
        f"@{tag}" if not str(tag).startswith("@") else str(tag) for tag in spec.get("tags") or ()
    ]
    line = spec.get("line")
    for test in spec.get("tests") or ():
        if not isinstance(test, dict):
            continue
        project = str(test.get("projectName") or "")
        yield _test(
            test,
            suite=(project, file) if project else (file,),
            classname=" › ".join(describes),
            name=str(spec.get("title") or ""),
            file=file,
            line=line if isinstance(line, int) else None,
            tags=tags,
            embedded=embedded,
            context=context,
        )


def _run_error(run: dict[str, Any]) -> tuple[str | None, str | None]:
    errors = [e for e in run.get("errors") or () if isinstance(e, dict)]
    error = run.get("error") if isinstance(run.get("error"), dict) else None
    texts = [clean(e.get("message")) for e in errors] or (
        [clean(error.get("stack") or error.get("message"))] if error else []
    )
    details = "\n\n".join(text for text in texts if text) or None
    first = clean(error.get("message")) if error else (texts[0] if texts else None)
    return failure_message(first), details


def _output(chunks: object) -> str | None:
    parts: list[str] = []
    for chunk in chunks if isinstance(chunks, list) else ():
        if isinstance(chunk, dict) and isinstance(chunk.get("text"), str):
            parts.append(chunk["text"])
        elif isinstance(chunk, str):
            parts.append(chunk)
    return "".join(parts) or None


def _attachments(run: dict[str, Any], embedded: EmbeddedAttachments) -> list[str]:
    found: list[str] = []
    for item in run.get("attachments") or ():
        if not isinstance(item, dict):
            continue
        if item.get("path"):
            found.append(checkout_path(str(item["path"])) or str(item["path"]))
        elif isinstance(item.get("body"), str):
            url = embedded.keep(item.get("contentType"), item["body"])
            if url is not None:
                found.append(url)
    return found


def _test(
    test: dict[str, Any],
    *,
    suite: tuple[str, ...],
    classname: str,
    name: str,
    file: str,
    line: int | None,
    tags: list[str],
    embedded: EmbeddedAttachments,
    context: ParseContext,
) -> TestResult:
    expected = str(test.get("expectedStatus") or "passed")
    runs = [run for run in test.get("results") or () if isinstance(run, dict)]
    attempts: list[Attempt] = []
    stdout: list[str] = []
    stderr: list[str] = []
    attachments: list[str] = []
    for run in runs:
        status = str(run.get("status") or "")
        outcome = _RUN_STATUS.get(status, Outcome.ERROR)
        message, details = _run_error(run)
        if expected == "failed" and status == "failed":
            outcome, message, details = Outcome.PASSED, None, None  # test.fail() as promised
        elif expected == "failed" and status == "passed":
            outcome, message = Outcome.FAILED, "expected to fail (test.fail), but passed"
        elif status == "timedOut" and not message:
            message = "timed out"
        attempts.append(
            Attempt(outcome, seconds(run.get("duration"), 0.001), message, details, context.source)
        )
        stdout.extend(filter(None, [_output(run.get("stdout"))]))
        stderr.extend(filter(None, [_output(run.get("stderr"))]))
        attachments.extend(_attachments(run, embedded))
    if not attempts:
        # Not run at all (a skipped project, or the run stopped early).
        attempts.append(Attempt(Outcome.SKIPPED, None, None, None, context.source))
    outcome = outcome_of(tuple(attempts))
    failing = [a for a in attempts if a.outcome.is_failure]
    shown = failing[-1] if failing else attempts[-1]
    annotations = [a for a in test.get("annotations") or () if isinstance(a, dict)]
    properties = [
        (str(a.get("type") or ""), str(a.get("description") or ""))
        for a in annotations
        if a.get("type") not in (None, "skip", "fixme", "fail", "slow")
    ]
    message = shown.message
    if outcome is Outcome.SKIPPED:
        reason = next((a.get("description") for a in annotations if a.get("type") == "skip"), None)
        message = str(reason) if reason else None
    return make_result(
        context,
        suite=suite,
        classname=classname,
        name=name,
        outcome=outcome,
        duration=sum(a.duration or 0.0 for a in attempts) if runs else None,
        file=file or None,
        line=line,
        message=message,
        details=shown.details,
        stdout="".join(stdout) or None,
        stderr="".join(stderr) or None,
        properties=properties,
        tags=tags,
        attachments=attachments,
        attempts=attempts,
    )
