"""Jira search for the client: token paging on Cloud (`search/jql`, `reconcileIssues`), startAt
paging on Data Center (`/search`), batched lookups by fingerprint label and by issue key."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from tmsaction.clients.jira_base import JiraBase, chunks
from tmsaction.clients.jira_errors import JiraProblem
from tmsaction.clients.jira_model import (
    Flavour,
    JiraIssue,
)
from tmsaction.clients.jql import all_of, equals, is_issue_key, order_by, quote_list, within

DEFECT_FIELDS = (
    "summary",
    "status",
    "resolution",
    "labels",
    "issuetype",
    "priority",
    "issuelinks",
    "updated",
)
LABEL_CHUNK = 100  # labels per `labels in (...)` search: 300 failures cost 3 searches
KEY_CHUNK = 100
RECONCILE_LIMIT = 50  # Cloud accepts at most 50 ids in reconcileIssues
PAGE_SIZE = 100
_MISSING_KEY = re.compile(r"An issue with key '([^']+)' does not exist")


class JiraSearch(JiraBase):
    def search(
        self,
        jql: str,
        *,
        fields: Sequence[str] = DEFECT_FIELDS,
        reconcile_ids: Sequence[int] = (),
        page_size: int = PAGE_SIZE,
        limit: int | None = None,
    ) -> list[JiraIssue]:
        """Every issue matching `jql` (all pages, or the first `limit`).

        `reconcile_ids` (Cloud) are issues this run wrote: Jira then evaluates them on their current
        state instead of its lagging index. Beyond 50 ids the same query runs once per 50 and the
        results are merged.
        """
        ids = sorted(set(reconcile_ids)) if self.flavour is Flavour.CLOUD else []
        groups = list(chunks(ids, RECONCILE_LIMIT)) or [[]]
        merged: dict[int, JiraIssue] = {}
        for group in groups:
            for issue in self._search_pages(jql, fields, group, page_size, limit):
                merged.setdefault(issue.id, issue)
        found = list(merged.values())
        return found[:limit] if limit is not None else found

    def _search_pages(
        self,
        jql: str,
        fields: Sequence[str],
        reconcile: list[int],
        page_size: int,
        limit: int | None,
    ) -> Iterator[JiraIssue]:
        doing = "search Jira"
        seen = 0
        if self.flavour is Flavour.DATA_CENTER:
            start = 0
            while True:
                self.searches += 1
                body = {
                    "jql": jql,
                    "startAt": start,
                    "maxResults": page_size,
                    "fields": list(fields),
                }
                data = self._json("POST", "/search", json=body, idempotent=True, doing=doing)
                issues = data.get("issues") or []
                for raw in issues:
                    yield JiraIssue.from_json(raw)
                start += len(issues)
                seen += len(issues)
                if not issues or start >= int(data.get("total", 0)) or (limit and seen >= limit):
                    return
        tokens: set[str] = set()
        token: str | None = None
        while True:
            self.searches += 1
            request: dict[str, Any] = {"jql": jql, "fields": list(fields), "maxResults": page_size}
            if reconcile:
                request["reconcileIssues"] = reconcile  # the same list on every page (OpenAPI)
            if token:
                request["nextPageToken"] = token
            data = self._json("POST", "/search/jql", json=request, idempotent=True, doing=doing)
            issues = data.get("issues") or []
            for raw in issues:
                yield JiraIssue.from_json(raw)
            seen += len(issues)
            token = data.get("nextPageToken")
            # The token is omitted on the last page (JRACLOUD-92184); isLast says the same.
            if data.get("isLast", True) or not token or (limit and seen >= limit):
                return
            if token in tokens:
                raise JiraProblem(
                    "Jira returned the same search page token twice; stopping to avoid a loop.",
                    kind="server",
                )
            tokens.add(token)

    def find_by_labels(
        self,
        project: str,
        labels: Sequence[str],
        *,
        fields: Sequence[str] = DEFECT_FIELDS,
        reconcile_ids: Sequence[int] = (),
        chunk: int = LABEL_CHUNK,
    ) -> dict[str, list[JiraIssue]]:
        """Issues of `project` carrying each label (fingerprints), in a few batched searches:
        `project = P AND labels in (...)`, `chunk` labels at a time, newest first. Labels match
        case-insensitively, as JQL does."""
        wanted = sorted({label for label in labels if label})
        found: dict[str, list[JiraIssue]] = {}
        for group in chunks(wanted, chunk):
            by_fold = {label.casefold(): label for label in group}
            jql = f"{fingerprint_jql(project, group)} {order_by('created')}"
            for issue in self.search(jql, fields=fields, reconcile_ids=reconcile_ids):
                for label in issue.labels:
                    original = by_fold.get(label.casefold())
                    if original is not None:
                        found.setdefault(original, []).append(issue)
        return found

    def issues_by_keys(
        self, keys: Sequence[str], *, fields: Sequence[str] = DEFECT_FIELDS
    ) -> dict[str, JiraIssue]:
        """The issues with these keys, in batches of `key in (...)`. Jira fails a whole query
        when one key does not exist; such keys are dropped and the query is sent again."""
        wanted = sorted({key.strip().upper() for key in keys if is_issue_key(key.strip().upper())})
        found: dict[str, JiraIssue] = {}
        for group in chunks(wanted, KEY_CHUNK):
            remaining = list(group)
            while remaining:
                try:
                    issues = self.search(f"key in {quote_list(remaining)}", fields=fields)
                except JiraProblem as problem:
                    missing = set(_MISSING_KEY.findall(str(problem)))
                    if problem.kind != "invalid" or not missing & set(remaining):
                        raise
                    remaining = [key for key in remaining if key not in missing]
                    continue
                for issue in issues:
                    found[issue.key] = issue
                break
        return found


def fingerprint_jql(project: str, labels: Sequence[str]) -> str:
    """The batched lookup `find_by_labels` sends (also shown by dry runs):
    `project = "P" AND labels in ("tms-1", "tms-2")`."""
    return all_of(equals("project", project), within("labels", list(labels)))
