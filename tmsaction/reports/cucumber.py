"""Cucumber JSON, as cucumber-js (`--format json:...`), cucumber-jvm (`json:` plugin), Cucumber-Ruby
and pytest-bdd (`--cucumberjson`) write it: features (`uri`, `name`, `tags`, `elements`), each
element a scenario or a background with `steps` (`keyword`, `name`, `result` with `status`,
`duration` in nanoseconds and `error_message`, `embeddings`, `output`) and, in cucumber-jvm,
`before`/`after` hooks.

Identity: suite = (feature file,), class = feature name, name = scenario name. Rows of a Scenario
Outline share the scenario name, so each gets a suffix: pytest-bdd's parameter id (`[bob-locked]`)
when the element id has one, else `(example n)` in report order; the values that differ between
the rows are kept as `parameters`. A plain scenario written twice is one test run twice.

Outcome of a scenario, first rule that applies:
- a hook failed (cucumber-jvm `before`/`after`, cucumber-js hidden `Before`/`After` steps): error;
- a step failed: failed (message and trace from that step);
- a step is ambiguous (two step definitions match): error;
- a step is undefined or pending: skipped ("not automated yet" rather than a product defect);
- every step skipped: skipped; otherwise passed.
Tags of the feature and the scenario are kept as written in the feature file (`@C123`, `@SHOP-12`;
pytest-bdd drops the `@`, it is put back). Embeddings become attachments (`data:` URLs), and
cucumber-js `this.log()` text and cucumber-jvm `output` become stdout.

Pure apart from reading the given stream.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from tmsaction.model import Outcome, TestResult
from tmsaction.reports.base import ParseContext
from tmsaction.reports.errors import ReportParseError
from tmsaction.reports.jsontext import json_object, load_document
from tmsaction.reports.locations import EmbeddedAttachments, checkout_path
from tmsaction.reports.resultbuild import clean, failure_message, make_result, seconds

FORMAT = "cucumber"
_WHAT = "Cucumber JSON report"
_NANOSECONDS = 1e-9
_HOOK_KEYWORDS = {"before", "after", "beforestep", "afterstep"}
_LOG_MIME = re.compile(r"^text/(?:x\.cucumber\.log\+plain|plain)\b")
_PARAMETER_ID = re.compile(r"\[([^\[\]]*)\]$")
_TOKENS = re.compile(r'"[^"]*"|\S+')


@dataclass
class StepSummary:
    """What the steps (and hooks) of one scenario add up to."""

    outcome: Outcome = Outcome.PASSED
    message: str | None = None
    details: str | None = None
    duration: float | None = None
    stdout: list[str] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)


def gherkin_tags(*tag_lists: object) -> list[str]:
    """Tags from feature and scenario, `@`-prefixed as in the feature file, first seen first."""
    tags: list[str] = []
    for tag_list in tag_lists:
        for tag in tag_list if isinstance(tag_list, list) else ():
            name = tag.get("name") if isinstance(tag, dict) else tag
            if isinstance(name, str) and name.strip():
                text = name.strip()
                tags.append(text if text.startswith("@") else f"@{text}")
    return list(dict.fromkeys(tags))


def differing_values(step_texts: Sequence[str]) -> list[str | None]:
    """For rows of one Scenario Outline (each row's steps joined), the words that differ between
    the rows, per row; None for a row when the rows cannot be lined up word by word."""
    tokenised = [_TOKENS.findall(text) for text in step_texts]
    if len(tokenised) < 2 or len({len(tokens) for tokens in tokenised}) != 1:
        return [None] * len(step_texts)
    columns = [i for i in range(len(tokenised[0])) if len({row[i] for row in tokenised}) > 1]
    return [", ".join(row[i].strip('"') for i in columns) if columns else None for row in tokenised]


def parse_cucumber(stream: BinaryIO, context: ParseContext) -> Iterator[TestResult]:
    """Yield one result per scenario (one per Scenario Outline row)."""
    report = load_document(stream, context, _WHAT)
    if not isinstance(report, list):
        raise ReportParseError(f"expected a {_WHAT}: a list of features")
    embedded = EmbeddedAttachments()
    for feature in report:
        if isinstance(feature, dict):
            yield from _feature(feature, embedded, context)
    warning = embedded.warning()
    if warning:
        context.warn(warning)


def _is_outline(element: dict[str, Any]) -> bool:
    keyword = str(element.get("keyword") or "").lower()
    return "outline" in keyword or "template" in keyword


def _feature(
    feature: dict[str, Any], embedded: EmbeddedAttachments, context: ParseContext
) -> Iterator[TestResult]:
    uri = checkout_path(str(feature.get("uri") or "")) or ""
    feature_name = str(feature.get("name") or uri)
    elements = [e for e in feature.get("elements") or () if isinstance(e, dict)]
    scenarios: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    background: list[dict[str, Any]] = []
    for element in elements:
        steps = [s for s in element.get("steps") or () if isinstance(s, dict)]
        if str(element.get("type") or "").lower() == "background":
            background = steps  # cucumber-jvm writes the background before each scenario
            continue
        scenarios.append((element, background + steps))
        background = []
    names = _scenario_names([element for element, _ in scenarios])
    for (element, steps), (name, parameters) in zip(scenarios, names, strict=True):
        summary = summarise_steps(steps, element, embedded)
        line = element.get("line")
        yield make_result(
            context,
            suite=(uri,) if uri else (),
            classname=feature_name,
            name=name,
            outcome=summary.outcome,
            duration=summary.duration,
            file=uri or None,
            line=line if isinstance(line, int) else None,
            message=summary.message,
            details=summary.details,
            stdout="\n".join(summary.stdout) or None,
            tags=gherkin_tags(feature.get("tags"), element.get("tags")),
            attachments=summary.attachments,
            parameters=parameters,
        )


def _scenario_names(elements: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    """(name, parameters) per scenario, outline rows told apart (see the module docstring).

    Only outline rows get a suffix: a plain scenario that appears twice (a rerun written into
    the same report) keeps its name, so the two runs are two attempts of one test.
    """
    rows: dict[str, list[int]] = {}
    names: list[tuple[str, str | None]] = []
    for index, element in enumerate(elements):
        base = str(element.get("name") or "")
        names.append((base, None))
        parameter_id = _PARAMETER_ID.search(str(element.get("id") or ""))
        if parameter_id:  # pytest-bdd expands outlines into plain scenarios with a parameter id
            names[index] = (f"{base} [{parameter_id.group(1)}]", parameter_id.group(1))
        elif _is_outline(element):
            rows.setdefault(base, []).append(index)
    for base, indexes in rows.items():
        texts = [
            " ".join(str(s.get("name") or "") for s in elements[i].get("steps") or ())
            for i in indexes
        ]
        values = differing_values(texts)
        for number, (index, value) in enumerate(zip(indexes, values, strict=True), start=1):
            names[index] = (f"{base} (example {number})", value)
    return names


def _decode_log(embedding: dict[str, Any]) -> str | None:
    try:
        return base64.b64decode(str(embedding.get("data") or ""), validate=False).decode(
            "utf-8", errors="replace"
        )
    except (binascii.Error, ValueError):
        return None


def summarise_steps(
    steps: list[dict[str, Any]], element: dict[str, Any], embedded: EmbeddedAttachments
) -> StepSummary:
    """Fold the steps and hooks of a scenario into its outcome (rules in the module docstring)."""
    summary = StepSummary()
    before = [h for h in element.get("before") or () if isinstance(h, dict)]
    after = [h for h in element.get("after") or () if isinstance(h, dict)]
    hook_ids = {id(hook) for hook in (*before, *after)}
    durations: list[float] = []
    hook_failure: tuple[str, dict[str, Any]] | None = None
    step_failure: tuple[str, dict[str, Any]] | None = None
    ambiguous: tuple[str, dict[str, Any]] | None = None
    not_ready: tuple[str, dict[str, Any]] | None = None
    statuses: list[str] = []
    for step in (*before, *steps, *after):
        result = json_object(step.get("result"))
        status = str(result.get("status") or "").lower()
        keyword = str(step.get("keyword") or "").strip()
        is_hook = id(step) in hook_ids or keyword.lower() in _HOOK_KEYWORDS
        label = _step_label(step, keyword, is_hook)
        duration = seconds(result.get("duration"), _NANOSECONDS)
        if duration is not None:
            durations.append(duration)
        _collect_output(step, summary, embedded)
        if is_hook:
            if status == "failed" and hook_failure is None:
                hook_failure = (label, result)
            continue
        statuses.append(status)
        if status == "failed" and step_failure is None:
            step_failure = (label, result)
        elif status == "ambiguous" and ambiguous is None:
            ambiguous = (label, result)
        elif status in ("undefined", "pending") and not_ready is None:
            not_ready = (f"{status} step: {label}", result)
    summary.duration = sum(durations) if durations else None
    if hook_failure:
        _fail(summary, Outcome.ERROR, f"{hook_failure[0]} failed", hook_failure[1])
    elif step_failure:
        _fail(summary, Outcome.FAILED, f"step failed: {step_failure[0]}", step_failure[1])
    elif ambiguous:
        _fail(summary, Outcome.ERROR, f"ambiguous step: {ambiguous[0]}", ambiguous[1])
    elif not_ready:
        summary.outcome = Outcome.SKIPPED
        summary.message = not_ready[0]
    elif statuses and all(status == "skipped" for status in statuses):
        summary.outcome = Outcome.SKIPPED
    return summary


def _step_label(step: dict[str, Any], keyword: str, is_hook: bool) -> str:
    if is_hook:
        match = json_object(step.get("match"))
        where = match.get("location")
        return f"{keyword or 'hook'} hook" + (f" ({where})" if where else "")
    return f"{keyword} {step.get('name') or ''}".strip()


def _fail(summary: StepSummary, outcome: Outcome, label: str, result: dict[str, Any]) -> None:
    error = clean(result.get("error_message"))
    summary.outcome = outcome
    summary.message = failure_message(error) or label
    summary.details = clean(f"{label}\n\n{error}" if error else label)


def _collect_output(
    step: dict[str, Any], summary: StepSummary, embedded: EmbeddedAttachments
) -> None:
    for text in step.get("output") or ():
        if isinstance(text, str):
            summary.stdout.append(text)
    for embedding in step.get("embeddings") or ():
        if not isinstance(embedding, dict):
            continue
        mime = str(embedding.get("mime_type") or "")
        if _LOG_MIME.match(mime):
            text = _decode_log(embedding)
            if text:
                summary.stdout.append(text)
            continue
        url = embedded.keep(mime, str(embedding.get("data") or ""))
        if url is not None:
            summary.attachments.append(url)
