"""The emulator's search index: what JQL sees of each issue, and when.

Jira Cloud search "doesn't provide read-after-write consistency by default ... delay might vary from
a few seconds to minutes" (OpenAPI, search/jql). Each write queues a new search document that
becomes visible `delay` seconds later; until then search keeps matching the previous version (or
nothing, for a new issue). `reconcileIssues` bypasses the index for the listed ids.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tmsaction.sandbox.jira.adf import adf_plain_text
from tmsaction.sandbox.jira.world import Issue, RichValue, World


def search_document(world: World, issue: Issue) -> dict[str, Any]:
    """field -> value(s) as JQL compares them; names, ids and keys are all listed so that
    `project = SHOP`, `project = 10000` and `project = "Shop"` all match."""
    project = world.project_by_id(issue.project_id)
    issue_type = world.issue_type_by_id(issue.issue_type_id)
    status = world.workflow.status(issue.status_id)
    resolution = world.resolution(issue.resolution_id) if issue.resolution_id else None
    priority = world.priority(str(issue.fields.get("priority") or ""))
    components = {c.id: c for c in project.components}
    document: dict[str, Any] = {
        "project": [project.key, project.id, project.name],
        "key": issue.key,
        "issuekey": issue.key,
        "id": issue.id,
        "labels": issue.labels,
        "issuetype": [issue_type.name, issue_type.id],
        "type": [issue_type.name, issue_type.id],
        "status": [status.name, status.id],
        "statuscategory": [
            status.category.name,
            status.category.key,
            str(status.category.id),
        ],
        "resolution": [resolution.name, resolution.id] if resolution else None,
        "summary": issue.summary,
        "priority": [priority.name, priority.id] if priority else None,
        "component": [
            name
            for c in issue.fields.get("components") or []
            if c in components
            for name in (components[c].name, c)
        ],
        "created": issue.created,
        "createddate": issue.created,
        "updated": issue.updated,
        "updateddate": issue.updated,
        "resolutiondate": issue.resolution_date,
        "resolved": issue.resolution_date,
        "reporter": issue.reporter,
        "assignee": issue.fields.get("assignee"),
    }
    description = _plain(issue.fields.get("description"))
    document["description"] = description or None
    comments = " ".join(_plain(c.body) for c in issue.comments)
    document["text"] = " ".join(part for part in (issue.summary, description, comments) if part)
    for definition in world.fields:
        if not definition.custom:
            continue
        value = issue.fields.get(definition.id)
        if isinstance(value, dict) and "value" in value:
            value = [value.get("value"), value.get("id")]
        elif isinstance(value, RichValue):
            value = _plain(value)
        document[definition.id] = value
        document[definition.name.lower()] = value
    return document


def _plain(value: Any) -> str:
    if not isinstance(value, RichValue):
        return ""
    return adf_plain_text(value.adf) if value.adf is not None else value.wiki or ""


class SearchIndex:
    """Versions of each issue's search document, each with the time it becomes visible."""

    def __init__(self, clock: Callable[[], float], delay: float) -> None:
        self._clock = clock
        self.delay = delay
        self._versions: dict[int, list[tuple[float, dict[str, Any]]]] = {}

    def reindex(self, world: World, issue: Issue, *, immediately: bool = False) -> None:
        visible_at = self._clock() + (0.0 if immediately or self.delay <= 0 else self.delay)
        self._versions.setdefault(issue.id, []).append((visible_at, search_document(world, issue)))

    def remove(self, issue_id: int) -> None:
        self._versions.pop(issue_id, None)

    def document(self, issue_id: int) -> dict[str, Any] | None:
        """The newest version search can see now, or None if the issue is not indexed yet."""
        versions = self._versions.get(issue_id)
        if not versions:
            return None
        now = self._clock()
        visible = [index for index, (at, _) in enumerate(versions) if at <= now]
        if not visible:
            return None
        newest = visible[-1]
        if newest > 0:  # older versions can never be seen again
            del versions[:newest]
        return versions[0][1]

    def settle(self) -> None:
        for issue_id, versions in self._versions.items():
            self._versions[issue_id] = [(float("-inf"), versions[-1][1])]

    def pending(self) -> int:
        """Issues with a write search cannot see yet."""
        now = self._clock()
        return sum(1 for versions in self._versions.values() if versions[-1][0] > now)
