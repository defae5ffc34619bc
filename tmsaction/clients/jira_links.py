"""Issue links (with Jira's inward/outward direction rule), link types and remote links."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote as url_quote

from tmsaction.clients import jira_errors
from tmsaction.clients.jira_base import JiraBase
from tmsaction.clients.jira_errors import JiraProblem
from tmsaction.clients.jira_model import (
    IssueLinkRef,
    LinkRole,
    LinkType,
    RemoteLinkRef,
)
from tmsaction.clients.jira_text import (
    summary_line,
)


class JiraLinks(JiraBase):
    def link_types(self) -> list[LinkType]:
        if self._link_types is None:
            try:
                data = self._json("GET", "/issueLinkType", doing="read the issue link types")
            except JiraProblem as problem:
                if problem.kind == "not_found":
                    raise jira_errors.linking_disabled() from None
                raise
            self._link_types = [
                LinkType(str(t["id"]), str(t["name"]), str(t["inward"]), str(t["outward"]))
                for t in data.get("issueLinkTypes") or ()
            ]
        return list(self._link_types)

    def resolve_link_type(self, spec: str) -> LinkRole:
        """A link type by name ("Blocks"), outward phrase ("blocks") or inward phrase ("is blocked
        by"); names and phrases differ per site, so match all three (case-insensitive)."""
        wanted = spec.strip().casefold()
        types = self.link_types()
        for link_type in types:
            if link_type.name.casefold() == wanted or link_type.outward.casefold() == wanted:
                return LinkRole(link_type, reverse=False)
        for link_type in types:
            if link_type.inward.casefold() == wanted:
                return LinkRole(link_type, reverse=True)
        raise jira_errors.link_type_not_found(spec, types)

    def link(
        self,
        from_key: str,
        to_key: str,
        role: LinkRole,
        *,
        existing: Sequence[IssueLinkRef] | None = None,
    ) -> bool:
        """Make Jira read "`from_key` <role.phrase> `to_key`" (e.g. "SHOP-20 blocks SHOP-3").
        Returns False when that link already exists (`existing`: `from_key`'s links, if already
        read; else they are fetched).

        Direction: `{type, inwardIssue: A, outwardIssue: B}` is shown as "A <outward> B", so A is
        the one the outward phrase starts from (research §1.8)."""
        if existing is None:
            existing = self.get_issue(from_key, fields=("issuelinks",)).links
        symmetric = role.type.inward == role.type.outward
        direction = "inward" if role.reverse else "outward"
        for current in existing:
            same_pair = current.other.key.upper() == to_key.upper()
            same_way = symmetric or current.direction == direction
            if same_pair and current.type_name == role.type.name and same_way:
                return False
        source, destination = (to_key, from_key) if role.reverse else (from_key, to_key)
        self._request(
            "POST",
            "/issueLink",
            json={
                "type": {"id": role.type.id},
                "inwardIssue": {"key": source},
                "outwardIssue": {"key": destination},
            },
            expected=(200, 201),
            # Jira accepts a duplicate link without adding it, so resending is harmless.
            idempotent=True,
            doing=f"link {from_key} ({role.phrase}) to {to_key}",
        )
        return True

    def remote_link(
        self,
        key: str,
        *,
        global_id: str,
        url: str,
        title: str,
        summary: str | None = None,
        resolved: bool | None = None,
        relationship: str | None = None,
        application: Mapping[str, str] | None = None,
        icon_url: str | None = None,
    ) -> int:
        """Create or update (by `global_id`) a link from `key` to a web page; `resolved=True`
        strikes it through in Jira (a test passing again). Returns the remote link id."""
        target: dict[str, Any] = {"url": url, "title": summary_line(title) or url}
        if summary:
            target["summary"] = summary_line(summary)
        if icon_url:
            target["icon"] = {"url16x16": icon_url, "title": summary_line(title)}
        if resolved is not None:
            target["status"] = {"resolved": resolved}
        payload: dict[str, Any] = {"globalId": global_id, "object": target}
        if relationship:
            payload["relationship"] = relationship
        if application:
            payload["application"] = dict(application)
        data = self._json(
            "POST",
            f"/issue/{url_quote(key, safe='')}/remotelink",
            json=payload,
            expected=(200, 201),
            idempotent=True,  # an upsert by globalId
            doing=f"link {key} to {url}",
        )
        return int(data["id"])

    def remote_links(self, key: str) -> list[RemoteLinkRef]:
        data = self._json(
            "GET", f"/issue/{url_quote(key, safe='')}/remotelink", doing=f"read links of {key}"
        )
        links: list[RemoteLinkRef] = []
        for item in data or ():
            target = item.get("object") or {}
            status = target.get("status") or {}
            links.append(
                RemoteLinkRef(
                    id=int(item["id"]),
                    global_id=item.get("globalId"),
                    url=str(target.get("url", "")),
                    title=str(target.get("title", "")),
                    resolved=status.get("resolved") if "resolved" in status else None,
                )
            )
        return links
