"""Size budgets: render the summary and the comment at the most detail that fits GitHub's limits.
Pure; no I/O.

GitHub drops a job summary over 1 MiB per step (with an error annotation instead of the summary)
and rejects a comment over 65,536 characters (HTTP 422 "Body is too long"). Both are rendered
level by level, from the most detailed to the least, and the first that fits is used. The order
in which detail goes (`SUMMARY_LEVELS`, `COMMENT_LEVELS`):

1. stack traces get shorter and fewer (summary: the first 100 failures with up to 6,000
   characters each, then 25 with 1,500; comment: 5 with 4,000, then 3 with 1,000);
2. no stack traces (messages only);
3. fewer rows in each per-test list (failures, flaky tests, unmatched tests, ...): summary 500,
   then 100, then 10; comment 100, then 10;
4. no per-test rows: counts and section tables only.

If even the last level is too big (a section other than the per-test lists exploded), the text is
cut at a line boundary, open code fences and `<details>` are closed, and a note says so. Every
level below "full" says what it left out and where the rest is (`trimmed.md.j2`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Detail:
    """How much detail one rendering carries; templates read it as `detail`.

    Section partials written by other work honour `rows` for any per-test or per-item list and
    `short` for the PR comment's compact form.
    """

    name: str
    rows: int  # at most this many rows in each per-test list
    traces: int  # the first `traces` failures show their stack trace
    trace_chars: int  # each stack trace is cut (head and tail kept) to this many characters
    short: bool = False  # the PR comment's compact form
    dropped: tuple[str, ...] = ()  # what this level leaves out, for the note


SUMMARY_LEVELS: tuple[Detail, ...] = (
    Detail("full", rows=500, traces=100, trace_chars=6000),
    Detail(
        "short traces",
        rows=500,
        traces=25,
        trace_chars=1500,
        dropped=("stack traces after the 25th failure and beyond 1,500 characters",),
    ),
    Detail("no traces", rows=500, traces=0, trace_chars=0, dropped=("stack traces",)),
    Detail(
        "100 rows",
        rows=100,
        traces=0,
        trace_chars=0,
        dropped=("stack traces", "rows after the 100th in each list"),
    ),
    Detail(
        "10 rows",
        rows=10,
        traces=0,
        trace_chars=0,
        dropped=("stack traces", "rows after the 10th in each list"),
    ),
    Detail("counts", rows=0, traces=0, trace_chars=0, dropped=("stack traces", "per-test rows")),
)

COMMENT_LEVELS: tuple[Detail, ...] = (
    Detail("full", rows=100, traces=5, trace_chars=4000, short=True),
    Detail(
        "short traces",
        rows=100,
        traces=3,
        trace_chars=1000,
        short=True,
        dropped=("stack traces after the 3rd failure and beyond 1,000 characters",),
    ),
    Detail("no traces", rows=100, traces=0, trace_chars=0, short=True, dropped=("stack traces",)),
    Detail(
        "10 rows",
        rows=10,
        traces=0,
        trace_chars=0,
        short=True,
        dropped=("stack traces", "rows after the 10th in each list"),
    ),
    Detail(
        "counts",
        rows=0,
        traces=0,
        trace_chars=0,
        short=True,
        dropped=("stack traces", "per-test rows"),
    ),
)


def utf8_size(text: str) -> int:
    return len(text.encode("utf-8"))


@dataclass(frozen=True)
class Budget:
    """GitHub's hard limit and the target we render to (a margin below it)."""

    limit: int
    target: int
    measure: Callable[[str], int]
    description: str  # for the note: "GitHub's 1 MiB job-summary limit"


#: 1 MiB per step; the margin leaves room for the line the comment sink appends afterwards.
SUMMARY_BUDGET = Budget(1_048_576, 1_000_000, utf8_size, "GitHub's 1 MiB job-summary limit")
#: 65,536 characters (as GitHub counts them); the margin covers the hidden marker lines and any
#: disagreement on how emoji are counted.
COMMENT_BUDGET = Budget(65_536, 60_000, len, "GitHub's 65,536-character comment limit")


@dataclass(frozen=True)
class Fitted:
    text: str
    detail: Detail
    size: int
    cut: bool = False  # the last level did not fit either and the text was cut


def fit(
    render: Callable[[Detail], str],
    levels: Sequence[Detail],
    budget: Budget,
    *,
    reserve: int = 0,
    cut_note: str = "",
) -> Fitted:
    """The first level whose rendering fits `budget.target - reserve`, else the last one, cut."""
    target = budget.target - reserve
    text = ""
    for detail in levels:
        text = render(detail)
        size = budget.measure(text)
        if size <= target:
            return Fitted(text, detail, size)
    cut = cut_markdown(text, target, cut_note, budget.measure)
    return Fitted(cut, levels[-1], budget.measure(cut), cut=True)


def _closing(lines: Sequence[str]) -> str:
    """What closes the code fence and `<details>` blocks left open in `lines`."""
    fence = ""
    open_details = 0
    for line in lines:
        stripped = line.strip()
        if fence:
            if stripped.startswith(fence) and not stripped.strip("`"):
                fence = ""
            continue
        if stripped.startswith("```"):
            fence = stripped[: len(stripped) - len(stripped.lstrip("`"))]
            continue
        open_details += stripped.count("<details>") - stripped.count("</details>")
    parts = []
    if fence:
        parts.append(fence)
    parts.extend(["", "</details>"] * max(0, open_details))
    return "\n".join(parts)


def cut_markdown(text: str, target: int, note: str, measure: Callable[[str], int]) -> str:
    """Cut Markdown at a line boundary so that it, the closing tags and `note` fit `target`."""
    lines = text.splitlines(keepends=True)
    # Room for the closing fence/details (bounded: a few per open block) and the note.
    reserve = measure(note) + 64
    kept: list[str] = []
    used = 0
    for line in lines:
        size = measure(line)
        if used + size + reserve > target:
            break
        kept.append(line)
        used += size
    while kept:
        closing = _closing(kept)
        if used + measure(closing) + reserve <= target:
            break
        used -= measure(kept.pop())
    else:
        closing = ""
    body = "".join(kept).rstrip("\n")
    if not body and lines:
        # A single line bigger than the budget: cut inside it.
        body = lines[0][: max(0, target - reserve) // 4]
    pieces = [body, closing, "", note] if closing else [body, "", note]
    return "\n".join(pieces).rstrip("\n") + "\n"
