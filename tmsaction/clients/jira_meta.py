"""Projects and create metadata for the client: issue types, the create screen and its fields."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote as url_quote

from tmsaction.clients import jira_errors
from tmsaction.clients.jira_base import JiraBase
from tmsaction.clients.jira_errors import JiraProblem
from tmsaction.clients.jira_model import (
    AllowedValue,
    CreateMeta,
    FieldMeta,
    IssueTypeRef,
    ProjectRef,
)


class JiraMeta(JiraBase):
    def project(self, key: str) -> ProjectRef:
        try:
            data = self._json(
                "GET", f"/project/{url_quote(key, safe='')}", doing=f"read project {key}"
            )
        except JiraProblem as problem:
            if problem.kind in ("not_found", "permission"):
                raise jira_errors.project_not_found(key, self.account) from None
            raise
        return ProjectRef(
            id=str(data["id"]),
            key=str(data["key"]),
            name=str(data.get("name", "")),
            issue_types=tuple(
                IssueTypeRef(str(t["id"]), str(t["name"]), bool(t.get("subtask")))
                for t in data.get("issueTypes") or ()
            ),
            components=tuple(str(c["name"]) for c in data.get("components") or ()),
        )

    def _pages(self, path: str, key: str, doing: str) -> Iterator[dict[str, Any]]:
        """startAt-paged metadata; Cloud names the list `key`, Data Center `values`."""
        start = 0
        while True:
            data = self._json(
                "GET", path, params={"startAt": start, "maxResults": 200}, doing=doing
            )
            items = data.get(key) if key in data else data.get("values") or []
            yield from items
            start += len(items)
            if not items or data.get("isLast") or start >= int(data.get("total", start)):
                return

    def issue_types(self, project: str) -> list[IssueTypeRef]:
        """Issue types the account may create in `project` (create metadata)."""
        try:
            items = list(
                self._pages(
                    f"/issue/createmeta/{url_quote(project, safe='')}/issuetypes",
                    "issueTypes",
                    f"read the issue types of project {project}",
                )
            )
        except JiraProblem as problem:
            if problem.kind in ("not_found", "permission"):
                raise jira_errors.project_not_found(project, self.account) from None
            raise
        return [IssueTypeRef(str(t["id"]), str(t["name"]), bool(t.get("subtask"))) for t in items]

    def create_meta(self, project: str, issue_type: str) -> CreateMeta:
        """The create screen of `issue_type` (name or id) in `project`: fields, required ones,
        allowed values. Raises `JiraProblem` when the type cannot be created there."""
        types = self.issue_types(project)
        wanted = issue_type.casefold()
        chosen = next((t for t in types if t.id == issue_type or t.name.casefold() == wanted), None)
        if chosen is None:
            raise jira_errors.issue_type_unavailable(
                issue_type, project, [t.name for t in types], self.account
            )
        fields: dict[str, FieldMeta] = {}
        for item in self._pages(
            f"/issue/createmeta/{url_quote(project, safe='')}/issuetypes/{chosen.id}",
            "fields",
            f"read the create screen of {chosen.name} in {project}",
        ):
            field_id = str(item.get("fieldId") or item.get("key"))
            schema = item.get("schema") or {}
            allowed = item.get("allowedValues")
            fields[field_id] = FieldMeta(
                id=field_id,
                name=str(item.get("name", field_id)),
                required=bool(item.get("required")),
                has_default=bool(item.get("hasDefaultValue")),
                schema_type=str(schema.get("type", "")),
                items=schema.get("items"),
                custom=schema.get("custom"),
                allowed=(
                    tuple(
                        AllowedValue(
                            str(a.get("id", "")), str(a.get("name") or a.get("value") or "")
                        )
                        for a in allowed
                    )
                    if isinstance(allowed, list)
                    else None
                ),
            )
        return CreateMeta(project, chosen, fields)
