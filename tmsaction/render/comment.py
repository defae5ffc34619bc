"""The pull-request comment (the summary's short version) and the line that reports on it. Pure.

Rendered from `comment.md.j2` at the most detail that fits under GitHub's 65,536-character
comment limit, counting the hidden marker lines the sink puts in front (`header`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tmsaction.render.budget import COMMENT_BUDGET, COMMENT_LEVELS
from tmsaction.render.escape import inline, link
from tmsaction.render.summary import render_fitted
from tmsaction.runreport import RunReport
from tmsaction.sinks.github_comment import CommentAction, CommentOutcome

COMMENT_TEMPLATE = "comment.md.j2"


def render_comment(
    report: RunReport, header: str = "", overrides: Mapping[str, str] | None = None
) -> str:
    """`header` (the hidden marker lines) followed by the comment, within the budget together."""
    fitted = render_fitted(
        report,
        COMMENT_TEMPLATE,
        COMMENT_LEVELS,
        COMMENT_BUDGET,
        overrides,
        what="comment",
        reserve=COMMENT_BUDGET.measure(header),
    )
    return header + fitted.text


_ICONS = {
    CommentAction.CREATED: "💬",
    CommentAction.UPDATED: "💬",
    CommentAction.UNCHANGED: "💬",
    CommentAction.SKIPPED: "💬",
    CommentAction.PLANNED: "📝",
    CommentAction.READ_ONLY: "ℹ️",
    CommentAction.FAILED: "⚠️",
}
#: Outcomes a reader must notice are quoted; routine ones are small print.
_LOUD = frozenset({CommentAction.READ_ONLY, CommentAction.FAILED})


def render_comment_status(outcomes: Sequence[CommentOutcome]) -> str:
    """Markdown appended to the job summary once the comment sink has run ("" if nothing ran)."""
    loud: list[str] = []
    quiet: list[str] = []
    for outcome in outcomes:
        text = f"{_ICONS[outcome.action]} {inline(outcome.reason, 500)}"
        if outcome.url and outcome.action in (CommentAction.CREATED, CommentAction.UPDATED):
            text = f"{text.removesuffix('.')}: {link('view it', outcome.url)}."
        (loud if outcome.action in _LOUD else quiet).append(text)
    parts = [f"> {line}\n" for line in loud]
    if quiet:
        parts.append("<sub>" + "<br>".join(quiet) + "</sub>\n")
    # Starts with a blank line: it is appended after the summary's last paragraph.
    return "\n" + "\n".join(parts) if parts else ""
