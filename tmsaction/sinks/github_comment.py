"""The pull-request comment's identity and memory: the hidden marker that finds it again, the
state fingerprint stored beside it, and the outcome value recorded on `RunReport`. Pure; no I/O.

The marker is the first line of every comment tmsaction writes:

    <!-- tmsaction:comment key=CI/unit-tests -->

The key is `GITHUB_WORKFLOW/GITHUB_JOB` (workflow name, then job id), percent-encoded so that no
name can end the HTML comment or forge another key. Two workflows, or two jobs of one workflow,
therefore keep one comment each; the legs of one matrix job share a job id and so share one
comment (the last leg to finish writes it). A comment counts as ours only when its body *starts*
with the marker: a marker quoted inside someone's reply, or inside a stack trace we printed, is
never matched.

The second line stores what the comment showed, so `comment: changes` can tell whether the
result changed since the comment was written:

    <!-- tmsaction:state {"v":1,"red":true,"total":12,"failed":2,...} -->
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from enum import StrEnum
from urllib.parse import quote

from tmsaction.model import ReportSet

_PREFIX = "<!-- tmsaction:comment key="
_STATE = re.compile(r"^<!-- tmsaction:state (\{[^\n]*\}) -->$", re.MULTILINE)


def comment_key(workflow: str, job: str) -> str:
    """`workflow/job`, percent-encoded to `[A-Za-z0-9._~%-]` plus the one `/` between them."""
    return f"{quote(workflow or 'workflow', safe='')}/{quote(job or 'job', safe='')}"


def marker(key: str) -> str:
    return f"{_PREFIX}{key} -->"


def is_ours(body: str | None, key: str) -> bool:
    """True when the comment was written by tmsaction for this key (the marker opens the body)."""
    text = (body or "").lstrip("\ufeff")
    first = marker(key)
    # Bodies edited in the web UI come back with CRLF line ends.
    return text.rstrip() == first or text.startswith((first + "\n", first + "\r\n"))


@dataclass(frozen=True)
class CommentState:
    """What a comment showed: the verdict, the counts and which tests failed (as a digest)."""

    red: bool
    total: int
    failed: int
    skipped: int
    flaky: int
    failing: str  # digest of the sorted identities of the failing tests ("" when none)
    v: int = 1

    @staticmethod
    def of(reports: ReportSet, red: bool) -> CommentState:
        digest = hashlib.sha256()
        keys = sorted(r.identity.key for r in reports.results if r.outcome.is_failure)
        for key in keys:
            digest.update(key.encode("utf-8", "surrogatepass") + b"\n")
        totals = reports.totals
        return CommentState(
            red=red,
            total=totals.total,
            failed=totals.failed,
            skipped=totals.skipped,
            flaky=totals.flaky,
            failing=digest.hexdigest()[:16] if keys else "",
        )

    def line(self) -> str:
        # Only booleans, integers and hex digits: nothing that could close the HTML comment.
        return f"<!-- tmsaction:state {json.dumps(asdict(self), separators=(',', ':'))} -->"

    @staticmethod
    def parse(body: str) -> CommentState | None:
        """The state stored in a comment body; None when absent or unreadable (an old version)."""
        found = _STATE.search(body)
        if not found:
            return None
        try:
            values = json.loads(found.group(1))
            return CommentState(**values) if values.get("v") == 1 else None
        except (ValueError, TypeError):
            return None


#: The state a pull request is in before any comment: nothing failed.
GREEN = CommentState(red=False, total=0, failed=0, skipped=0, flaky=0, failing="")


def header(key: str, state: CommentState) -> str:
    """The two hidden lines every comment body starts with."""
    return f"{marker(key)}\n{state.line()}\n"


class CommentAction(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"  # the comment already said exactly this
    SKIPPED = "skipped"  # the mode, the event or the settings say no comment
    PLANNED = "planned"  # dry run: what would be done
    READ_ONLY = "read-only"  # the token may not write (fork pull request): a notice, not an error
    FAILED = "failed"  # an API error; also recorded as a SyncProblem


@dataclass(frozen=True)
class CommentOutcome:
    """What the comment sink did for one pull request (or why it did nothing)."""

    action: CommentAction
    reason: str  # one sentence for the log and the summary
    pull: int | None = None
    url: str | None = None
    removed_duplicates: int = 0
