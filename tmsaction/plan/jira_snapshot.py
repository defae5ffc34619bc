"""What the Jira sink read before planning: defects by fingerprint label, the stories tests cover.
Pure values (read by `sinks/jira_read.py`, or built by hand in tests); no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from tmsaction.clients.jira_model import JiraIssue
from tmsaction.plan.jira_fingerprint import Fingerprint


def jira_time(value: object) -> float | None:
    """Seconds since the epoch of a Jira timestamp (`2025-01-31T10:15:30.123+0000`), or None."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    # Jira writes the offset without a colon (+0000), which fromisoformat accepts from 3.11 on;
    # `Z` is what some proxies and Cloud's newer endpoints answer.
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def resolved_at(issue: JiraIssue) -> float | None:
    return jira_time(issue.fields.get("resolutiondate"))


@dataclass(frozen=True)
class JiraSnapshot:
    """Defects carrying our labels, and the stories of this run, as Jira showed them.

    `defects` holds every issue found for a label (open and resolved, newest first as found);
    an issue with several of our labels is listed under each.
    """

    site_url: str
    defects: Mapping[str, tuple[JiraIssue, ...]] = field(default_factory=dict)
    stories: Mapping[str, JiraIssue] = field(default_factory=dict)
    missing_stories: tuple[str, ...] = ()  # keys Jira does not know (or the account cannot see)
    open_labels: frozenset[str] = frozenset()  # labels of the open defects this repository filed
    searches: int = 0  # search requests the read took
    walked: int = 0  # issues read by key because search had not indexed them yet
    defects_read: bool = False  # fingerprints were looked up (jira_create_defects on)
    umbrella_labels: frozenset[str] = frozenset()  # fingerprints the open umbrella issue lists
    live: frozenset[str] = frozenset()  # keys read by key (consistent, properties included)

    def issues_for(self, fingerprint: Fingerprint) -> list[JiraIssue]:
        """Every defect carrying any of the fingerprint's labels, once each."""
        seen: dict[str, JiraIssue] = {}
        for label in fingerprint.labels:
            for issue in self.defects.get(label, ()):
                seen.setdefault(issue.key, issue)
        return list(seen.values())

    @cached_property
    def _by_key(self) -> dict[str, JiraIssue]:
        return {issue.key: issue for issues in self.defects.values() for issue in issues}

    def issue(self, key: str) -> JiraIssue | None:
        """A defect by key (any label)."""
        return self._by_key.get(key)

    def browse_url(self, key: str) -> str:
        return f"{self.site_url}/browse/{key}"


def index_by_label(
    issues: Iterable[JiraIssue], wanted: Iterable[str] | None = None
) -> dict[str, tuple[JiraIssue, ...]]:
    """label -> issues, for the labels starting with `tms-` (or only those in `wanted`)."""
    keep = set(wanted) if wanted is not None else None
    found: dict[str, dict[str, JiraIssue]] = {}
    for issue in issues:
        for label in issue.labels:
            if (keep is None and label.startswith("tms-")) or (keep is not None and label in keep):
                found.setdefault(label, {}).setdefault(issue.key, issue)
    return {label: tuple(issues.values()) for label, issues in found.items()}
