"""Cucumber Messages, the NDJSON stream every Cucumber implementation writes (`cucumber-js
--format message:...`, cucumber-jvm `message:`, behave-cucumber-formatter, Reqnroll): one envelope
per line (`gherkinDocument`, `pickle`, `hook`, `testCase`, `testCaseStarted`, `testStepFinished`,
`attachment`, `testCaseFinished`, ...), read as a stream.

Identity, the same as for Cucumber JSON (see `cucumber.py`): suite = (feature file,),
class = feature name, name = scenario (pickle) name, Scenario Outline rows `(example n)` with the
row's cell values as `parameters`. Unlike Cucumber JSON, every attempt is in the stream
(`attempt`, `willBeRetried`): a scenario that failed and passed on `--retry` is flaky.
Outcomes follow the Cucumber JSON rules: a failed hook or an ambiguous step is an error, a failed
step a failure, undefined or pending steps skipped. Logs (`this.log`) are output; other
attachments are kept as `data:` URLs or their `url`, within the per-report budget.

Pure apart from reading the given stream.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from tmsaction.model import Outcome, TestResult
from tmsaction.reports.base import ParseContext
from tmsaction.reports.errors import ReportParseError
from tmsaction.reports.jsontext import iter_json_lines, json_object
from tmsaction.reports.locations import EmbeddedAttachments, checkout_path
from tmsaction.reports.resultbuild import OutputBuffer, clean, failure_message, make_result

FORMAT = "cucumber-messages"
_STEP_KEYWORD = {"Context": "Given", "Action": "When", "Outcome": "Then"}
_HOOK_NAME = {
    "BEFORE_TEST_RUN": "BeforeAll",
    "AFTER_TEST_RUN": "AfterAll",
    "BEFORE_TEST_CASE": "Before",
    "AFTER_TEST_CASE": "After",
    "BEFORE_TEST_STEP": "BeforeStep",
    "AFTER_TEST_STEP": "AfterStep",
}


@dataclass
class _Pickle:
    uri: str
    name: str
    line: int | None
    tags: tuple[str, ...]
    steps: dict[str, str]  # pickle step id -> "When she pays by card"
    row: tuple[int, str] | None  # (example number, cell values) for Scenario Outline rows


@dataclass
class _Run:
    """One attempt of one test case, from `testCaseStarted` to `testCaseFinished`."""

    test_case: str
    results: list[tuple[bool, str, dict[str, Any]]] = field(default_factory=list)
    output: OutputBuffer = field(default_factory=OutputBuffer)
    attachments: list[str] = field(default_factory=list)


def _seconds(duration: object) -> float:
    value = json_object(duration)
    seconds, nanos = value.get("seconds", 0), value.get("nanos", 0)
    if isinstance(seconds, int | float) and isinstance(nanos, int | float):
        return max(0.0, float(seconds) + float(nanos) / 1e9)
    return 0.0


class _Reader:
    def __init__(self, context: ParseContext) -> None:
        self.context = context
        self.features: dict[str, str] = {}  # uri -> feature name
        self.rows: dict[str, tuple[int, str]] = {}  # example row id -> (number, values)
        self.pickles: dict[str, _Pickle] = {}
        self.hooks: dict[str, str] = {}  # hook id -> label
        self.cases: dict[str, tuple[str, dict[str, tuple[bool, str]]]] = {}
        self.runs: dict[str, _Run] = {}
        self.embedded = EmbeddedAttachments()
        self.handlers: dict[str, Callable[[dict[str, Any]], None]] = {
            "gherkinDocument": self.gherkin_document,
            "pickle": self.pickle,
            "hook": self.hook,
            "testCase": self.test_case,
            "testCaseStarted": self.test_case_started,
            "testStepFinished": self.test_step_finished,
            "attachment": self.attachment,
        }

    def envelope(self, message: dict[str, Any]) -> TestResult | None:
        """Handle one envelope (each holds one message, named by its only key)."""
        for kind, body in message.items():
            if not isinstance(body, dict):
                continue
            if kind == "testCaseFinished":
                return self.test_case_finished(body)
            handler = self.handlers.get(kind)
            if handler is not None:
                handler(body)
        return None

    def gherkin_document(self, document: dict[str, Any]) -> None:
        feature = json_object(document.get("feature"))
        uri = checkout_path(str(document.get("uri") or "")) or ""
        self.features[uri] = str(feature.get("name") or uri)
        children = list(feature.get("children") or ())
        while children:
            child = json_object(children.pop())
            children.extend(json_object(child.get("rule")).get("children") or ())
            scenario = json_object(child.get("scenario"))
            number = 0
            for examples in scenario.get("examples") or ():
                for row in json_object(examples).get("tableBody") or ():
                    number += 1
                    cells = [str(json_object(c).get("value") or "") for c in row.get("cells") or ()]
                    self.rows[str(row.get("id"))] = (number, ", ".join(cells))

    def pickle(self, pickle: dict[str, Any]) -> None:
        steps = {}
        for raw in pickle.get("steps") or ():
            step = json_object(raw)
            keyword = _STEP_KEYWORD.get(str(step.get("type") or ""), "*")
            steps[str(step.get("id"))] = f"{keyword} {step.get('text') or ''}".strip()
        node_ids = [str(n) for n in pickle.get("astNodeIds") or ()]
        row = next((self.rows[n] for n in node_ids[1:] if n in self.rows), None)
        line = json_object(pickle.get("location")).get("line")
        self.pickles[str(pickle.get("id"))] = _Pickle(
            uri=checkout_path(str(pickle.get("uri") or "")) or "",
            name=str(pickle.get("name") or ""),
            line=line if isinstance(line, int) else None,
            tags=tuple(
                str(json_object(t).get("name"))
                for t in pickle.get("tags") or ()
                if json_object(t).get("name")
            ),
            steps=steps,
            row=row,
        )

    def hook(self, hook: dict[str, Any]) -> None:
        name = hook.get("name") or _HOOK_NAME.get(str(hook.get("type") or ""), "hook")
        where = json_object(hook.get("sourceReference"))
        line = json_object(where.get("location")).get("line")
        place = f" ({where.get('uri')}:{line})" if where.get("uri") else ""
        self.hooks[str(hook.get("id"))] = f"{name} hook{place}"

    def test_case(self, case: dict[str, Any]) -> None:
        pickle = self.pickles.get(str(case.get("pickleId")))
        steps: dict[str, tuple[bool, str]] = {}
        for raw in case.get("testSteps") or ():
            step = json_object(raw)
            if step.get("hookId"):
                steps[str(step.get("id"))] = (True, self.hooks.get(str(step["hookId"]), "hook"))
            else:
                label = (
                    pickle.steps.get(str(step.get("pickleStepId")), "step") if pickle else "step"
                )
                steps[str(step.get("id"))] = (False, label)
        self.cases[str(case.get("id"))] = (str(case.get("pickleId")), steps)

    def test_case_started(self, started: dict[str, Any]) -> None:
        self.runs[str(started.get("id"))] = _Run(test_case=str(started.get("testCaseId")))

    def test_step_finished(self, finished: dict[str, Any]) -> None:
        run = self.runs.get(str(finished.get("testCaseStartedId")))
        if run is None:
            return
        _, steps = self.cases.get(run.test_case, ("", {}))
        is_hook, label = steps.get(str(finished.get("testStepId")), (False, "step"))
        run.results.append((is_hook, label, json_object(finished.get("testStepResult"))))

    def attachment(self, attachment: dict[str, Any]) -> None:
        run = self.runs.get(str(attachment.get("testCaseStartedId")))
        if run is None:
            return
        media = str(attachment.get("mediaType") or "")
        body = str(attachment.get("body") or "")
        if attachment.get("url"):
            run.attachments.append(str(attachment["url"]))
        elif attachment.get("contentEncoding") == "BASE64":
            url = self.embedded.keep(media, body)
            if url is not None:
                run.attachments.append(url)
        elif body:
            run.output.add(body + "\n")

    def test_case_finished(self, finished: dict[str, Any]) -> TestResult | None:
        run = self.runs.pop(str(finished.get("testCaseStartedId")), None)
        if run is None:
            return None
        pickle_id, _ = self.cases.get(run.test_case, ("", {}))
        pickle = self.pickles.get(pickle_id)
        if pickle is None:
            self.context.warn("a test case finished whose scenario is not in the stream")
            return None
        if not finished.get("willBeRetried"):
            self.cases.pop(run.test_case, None)  # its last attempt: free what it held
            self.pickles.pop(pickle_id, None)
        return self.result(pickle, run)

    def result(self, pickle: _Pickle, run: _Run) -> TestResult:
        outcome, message, details = _fold(run.results)
        name = pickle.name if pickle.row is None else f"{pickle.name} (example {pickle.row[0]})"
        return make_result(
            self.context,
            suite=(pickle.uri,) if pickle.uri else (),
            classname=self.features.get(pickle.uri, pickle.uri),
            name=name,
            outcome=outcome,
            duration=sum(_seconds(r.get("duration")) for _, _, r in run.results) or None,
            file=pickle.uri or None,
            line=pickle.line,
            message=message,
            details=details,
            stdout=run.output.text(),
            tags=pickle.tags,
            attachments=run.attachments,
            parameters=pickle.row[1] if pickle.row else None,
        )


def _fold(
    results: list[tuple[bool, str, dict[str, Any]]],
) -> tuple[Outcome, str | None, str | None]:
    """(outcome, message, details) of one attempt, by the Cucumber JSON rules."""
    first: dict[str, tuple[str, dict[str, Any]]] = {}
    statuses: list[str] = []
    for is_hook, label, result in results:
        status = str(result.get("status") or "").upper()
        key = f"HOOK_{status}" if is_hook else status
        first.setdefault(key, (label, result))
        if not is_hook:
            statuses.append(status)
    for key, outcome, prefix in (
        ("HOOK_FAILED", Outcome.ERROR, "failed: "),
        ("FAILED", Outcome.FAILED, "step failed: "),
        ("AMBIGUOUS", Outcome.ERROR, "ambiguous step: "),
    ):
        if key in first:
            label, result = first[key]
            exception = json_object(result.get("exception"))
            error = clean(
                result.get("message") or exception.get("stackTrace") or exception.get("message")
            )
            heading = f"{label} failed" if key == "HOOK_FAILED" else f"{prefix}{label}"
            message = failure_message(error) if key != "AMBIGUOUS" else heading
            return outcome, message or heading, clean(f"{heading}\n\n{error}" if error else heading)
    for status in ("UNDEFINED", "PENDING"):
        if status in first:
            return Outcome.SKIPPED, f"{status.lower()} step: {first[status][0]}", None
    if statuses and all(status == "SKIPPED" for status in statuses):
        return Outcome.SKIPPED, None, None
    return Outcome.PASSED, None, None


def parse_cucumber_messages(stream: BinaryIO, context: ParseContext) -> Iterator[TestResult]:
    """Yield one result per attempt as its `testCaseFinished` arrives."""
    reader = _Reader(context)
    envelopes = 0
    for _, _, value in iter_json_lines(stream, context):
        if value is not None:
            envelopes += 1
            result = reader.envelope(value)
            if result is not None:
                yield result
    if envelopes == 0:
        raise ReportParseError(
            "no Cucumber Messages envelopes in the file (one JSON object per line)"
        )
    if reader.runs:
        context.warn(
            f"the stream ends while {len(reader.runs)} scenario(s) were still running; "
            "the test run was probably cut off"
        )
    warning = reader.embedded.warning()
    if warning:
        context.warn(warning)
