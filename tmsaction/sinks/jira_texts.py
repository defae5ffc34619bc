"""The texts the Jira sink writes, as `RichText` (the client renders ADF or wiki markup and cuts
them to Jira's limits): defect descriptions from the configured template's text, recurrence, pass
and reopen comments, the umbrella issue and story comments. Pure; no I/O.

Every text ends with a visible signature line, `tmsaction · <event> · <repository> run <id>`:
ADF has no hidden comments, and the line tells people which run wrote what (and lets a lost
response be checked by looking for it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tmsaction.clients.jira_text import (
    Block,
    BulletList,
    CodeBlock,
    Format,
    Paragraph,
    RichText,
    Span,
    fit,
    link,
    paragraph,
    rendered_size,
)
from tmsaction.inputs import RunContext
from tmsaction.model import Outcome, TestResult
from tmsaction.plan.jira_fingerprint import Fingerprint
from tmsaction.traceability import StoryRow

LISTED_TESTS = 100  # tests listed on an umbrella issue or comment (the rest are counted)
TRACE_CHARS = 6000  # stack trace kept in a comment (the description keeps the template's)
_FENCE = re.compile(r"^(`{3,}|~{3,})\s*([\w+#-]*)\s*$")
_URL = re.compile(r"https?://[^\s<>()\[\]]+")
_ICONS = {
    Outcome.PASSED: "✅",
    Outcome.FAILED: "❌",
    Outcome.ERROR: "💥",
    Outcome.SKIPPED: "⏭️",
    Outcome.FLAKY: "🔁",
}


def fitted(doc: RichText, fmt: Format, budget: int) -> RichText:
    """`doc` cut to Jira's limit with its last block, the signature, kept whole: it is what a
    lost response is checked by, and what tells people which run wrote the text."""
    if not doc.blocks:
        return doc
    *body, footer = doc.blocks
    reserve = rendered_size(RichText((footer,)), fmt) + 64
    cut = fit(RichText(tuple(body)), fmt, budget - reserve)
    return RichText((*cut.blocks, footer))


def run_key(context: RunContext) -> str:
    """`acme/shop run 1234`: what one workflow run is called in signatures and the issue
    property. Attempts of a run share it (one comment per run, not per attempt); outside
    Actions the commit stands in for the run."""
    run = context.run_id or (context.sha[:12] if context.sha else "local")
    return f"{context.repository or 'local'} run {run}"


def signature(event: str, context: RunContext) -> str:
    return f"tmsaction · {event} · {run_key(context)}"


def _spans(text: str) -> list[str | Span]:
    """Plain text with its http(s) URLs as links."""
    parts: list[str | Span] = []
    position = 0
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(".,;:")
        if match.start() > position:
            parts.append(text[position : match.start()])
        parts.append(link(url, url))
        position = match.start() + len(url)
    if position < len(text):
        parts.append(text[position:])
    return parts


def text_blocks(text: str) -> list[Block]:
    """A template's output as blocks: fenced code becomes a code block, blank lines separate
    paragraphs, line breaks inside a paragraph are kept, URLs become links."""
    blocks: list[Block] = []
    lines: list[str] = []
    code: list[str] | None = None
    fence = ""
    language = ""

    def flush() -> None:
        body = "\n".join(lines).strip("\n")
        if body.strip():
            blocks.append(paragraph(*_spans(body)))
        lines.clear()

    for line in text.splitlines():
        opener = _FENCE.match(line.strip())
        if code is not None:
            if opener and line.strip().startswith(fence) and not opener.group(2):
                blocks.append(CodeBlock("\n".join(code), language or None))
                code = None
            else:
                code.append(line)
        elif opener:
            flush()
            code, fence, language = [], opener.group(1)[0] * 3, opener.group(2)
        elif not line.strip():
            flush()
        else:
            lines.append(line)
    if code is not None:  # an unclosed fence: keep what it held
        blocks.append(CodeBlock("\n".join(code), language or None))
    flush()
    return blocks


def _run_sentence(context: RunContext, lead: str) -> Paragraph:
    where: list[str | Span] = [lead + " "]
    url = context.run_url
    name = f"{context.workflow or 'workflow'} run {context.run_number or context.run_id}".strip()
    where.append(link(name, url) if url else ("a local run" if not context.run_id else name))
    branch = context.head_ref or context.ref_name
    if branch:
        where.append(f" on {branch}")
    if context.sha:
        where.append(f" ({context.sha[:7]})")
    where.append(".")
    return Paragraph(tuple(Span(p) if isinstance(p, str) else p for p in where))


def _test_line(result: TestResult, testrail_url: str | None = None) -> tuple[str | Span, ...]:
    parts: list[str | Span] = [f"{_ICONS[result.outcome]} {result.identity.display()}"]
    if result.message:
        first = result.message.strip().splitlines()[0] if result.message.strip() else ""
        if first:
            parts.append(f": {first[:300]}")
    if testrail_url:
        parts.extend([" (", link("TestRail", testrail_url), ")"])
    return tuple(parts)


def _tests_list(
    results: Sequence[TestResult], indexes: Sequence[int], links: dict[int, str] | None = None
) -> list[Block]:
    shown = [_test_line(results[i], (links or {}).get(i)) for i in list(indexes)[:LISTED_TESTS]]
    blocks: list[Block] = [
        BulletList(tuple(tuple(Span(p) if isinstance(p, str) else p for p in s) for s in shown))
    ]
    if len(indexes) > LISTED_TESTS:
        blocks.append(paragraph(f"…and {len(indexes) - LISTED_TESTS:,} more."))
    return blocks


def _failure_details(result: TestResult) -> list[Block]:
    blocks: list[Block] = []
    if result.message:
        blocks.append(paragraph(result.message.strip()[:2000]))
    if result.details and result.details.strip() != (result.message or "").strip():
        details = result.details.strip()
        if len(details) > TRACE_CHARS:
            head = int(TRACE_CHARS * 0.6)
            cut = len(details) - TRACE_CHARS
            details = (
                f"{details[:head]}\n… {cut:,} characters cut …\n{details[-(TRACE_CHARS - head) :]}"
            )
        blocks.append(CodeBlock(details))
    return blocks


def _footer(event: str, context: RunContext, fingerprint: Fingerprint | None) -> Paragraph:
    text = signature(event, context)
    if fingerprint is not None:
        text += f" · fingerprint {fingerprint.label} ({fingerprint.basis})"
    return paragraph(Span(text, code=False))


def description(
    text: str, context: RunContext, fingerprint: Fingerprint, testrail_url: str | None
) -> RichText:
    """A new defect's description: the template's text, then the links and the signature."""
    blocks = text_blocks(text)
    if testrail_url:
        blocks.append(paragraph("TestRail test: ", link(testrail_url, testrail_url)))
    blocks.append(_footer("filed", context, fingerprint))
    return RichText(tuple(blocks))


def recurrence_comment(
    results: Sequence[TestResult],
    failing: Sequence[int],
    context: RunContext,
    testrail_links: dict[int, str],
    *,
    event: str = "failed",
    lead: str = "Failed again in",
) -> RichText:
    """The comment on an open defect whose test failed again (or on a reopened one)."""
    blocks: list[Block] = [_run_sentence(context, lead)]
    if len(failing) == 1:
        first = failing[0]
        blocks.extend(_failure_details(results[first]))
        if first in testrail_links:
            blocks.append(
                paragraph("TestRail test: ", link(testrail_links[first], testrail_links[first]))
            )
    else:
        blocks.extend(_tests_list(results, failing, testrail_links))
        blocks.extend(_failure_details(results[failing[0]]))
    blocks.append(_footer(event, context, None))
    return RichText(tuple(blocks))


def pass_comment(
    results: Sequence[TestResult], tests: Sequence[int], context: RunContext
) -> RichText:
    names = ", ".join(results[i].identity.display() for i in list(tests)[:5])
    more = f" and {len(tests) - 5} more" if len(tests) > 5 else ""
    blocks: list[Block] = [
        _run_sentence(context, "Passes again in"),
        paragraph(f"{'Test' if len(tests) == 1 else 'Tests'}: {names}{more}."),
        _footer("passed", context, None),
    ]
    return RichText(tuple(blocks))


def umbrella_text(
    results: Sequence[TestResult],
    tests: Sequence[int],
    context: RunContext,
    max_new: int,
    fingerprint: Fingerprint | None,
    *,
    event: str,
) -> RichText:
    """The umbrella issue's description (event `umbrella`) or its comment in a later run."""
    count = len(tests)
    blocks: list[Block] = [
        _run_sentence(context, "Failing tests over the defect cap in"),
        paragraph(
            f"{count:,} failing {'test has' if count == 1 else 'tests have'} no defect of "
            f"{'its' if count == 1 else 'their'} own: a run files at most {max_new} new "
            "defects (jira.defects.max_new), so a broken build does not file hundreds. "
            "They are listed here; later runs file defects for those that keep failing."
        ),
        *_tests_list(results, tests),
        _footer(event, context, fingerprint),
    ]
    return RichText(tuple(blocks))


def story_comment(row: StoryRow, context: RunContext, marker: str) -> RichText:
    """The rolling comment on a story: the latest run's results of the tests covering it."""
    counts = ", ".join(
        f"{number} {word}"
        for number, word in (
            (row.passed, "passed"),
            (row.failed, "failed"),
            (row.skipped, "skipped"),
            (row.flaky, "flaky"),
        )
        if number
    )
    total = row.tests
    blocks: list[Block] = [
        _run_sentence(context, "Latest test results, from"),
        paragraph(
            f"{total:,} {'test covers' if total == 1 else 'tests cover'} this story: "
            f"{counts or 'none ran'}."
        ),
    ]
    if row.listed:
        items = tuple((Span(f"{_ICONS[test.outcome]} {test.name}"),) for test in row.listed)
        blocks.append(BulletList(items))
    if total > len(row.listed):
        blocks.append(paragraph(f"…and {total - len(row.listed):,} more."))
    if row.defects:
        blocks.append(
            paragraph("Open defects: ", ", ".join(f"{d.key} ({d.status})" for d in row.defects))
        )
    blocks.append(paragraph(marker))
    return RichText(tuple(blocks))
