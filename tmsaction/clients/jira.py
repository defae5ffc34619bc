"""The Jira client: typed calls for Jira Cloud (REST v3, Atlassian Document Format, Basic
email:api_token) and Data Center (REST v2, wiki markup, Bearer personal access token when no user is
given), all through the HTTP funnel.

How the flavour is chosen: `connect()` asks `/rest/api/2/serverInfo` (anonymous on both) and trusts
its `deploymentType` ("Cloud" is Cloud; anything else is self-hosted). The credentials then follow
the inputs: a user means Basic auth, a token alone means Bearer (research/jira-api.md §1.1-1.2).

Search: Cloud uses `POST /rest/api/3/search/jql` with `nextPageToken` (the old `/search` answers 410
since CHANGE-2046) and `reconcileIssues` for read-after-write consistency; Data Center uses
`POST /rest/api/2/search` with startAt/total.

Writes and lost responses: POSTs that create something (issue, comment, attachment) are sent once
through `http.write_once`, which checks what Jira holds before sending again. Creating an issue is
verified by its fingerprint label and, because Cloud search may not see it yet, by reading the keys
just after the newest one search can see (`GET /issue/{key}` is consistent). Links are safe to
resend (Jira never duplicates a link), remote links upsert by `globalId`, and PUTs are idempotent.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote as url_quote
from urllib.parse import urlsplit

from tmsaction.clients import jira_errors
from tmsaction.clients.jira_errors import JiraProblem, describe_error
from tmsaction.clients.jira_http import JiraHttp
from tmsaction.clients.jira_links import JiraLinks
from tmsaction.clients.jira_meta import JiraMeta
from tmsaction.clients.jira_model import (
    CommentRef,
    CreatedIssue,
    Flavour,
    ServerInfo,
    TransitionRef,
)
from tmsaction.clients.jira_search import JiraSearch
from tmsaction.clients.jira_text import (
    RichText,
    wiki_or_adf_text,
)
from tmsaction.clients.jql import equals, order_by
from tmsaction.errors import HttpError
from tmsaction.http import RateBudget, Redactor, RetryPolicy, write_once

PROBE_MISSES = 5  # consecutive missing keys that end the search for a lost create
PROBE_LIMIT = 50
PAT_OWNER = "the token's owner"
_UI_PATHS = re.compile(
    r"/(?:browse|projects|secure|issues|jira/(?:software|servicedesk|core|your-work|dashboards))"
    r"(?:/|$)|/rest/api/.*$",
)


def site_root(url: str) -> str:
    """The base URL Jira's REST API lives under: without a trailing slash, query or UI path
    (`https://acme.atlassian.net/browse/SHOP-1` -> `https://acme.atlassian.net`)."""
    parts = urlsplit(url.strip())
    path = _UI_PATHS.split(parts.path, maxsplit=1)[0].rstrip("/")
    return f"{parts.scheme}://{parts.netloc}{path}"


class JiraClient(JiraSearch, JiraLinks, JiraMeta):
    """One Jira site. Build it with `JiraClient.connect(url, user, token)`; the parts are
    `JiraSearch` (search, fingerprints), `JiraLinks` (links, remote links), `JiraMeta` (projects,
    create metadata) and the issue, comment, transition and attachment calls below."""

    # -- connecting ---------------------------------------------------------------------------
    @classmethod
    def connect(
        cls,
        url: str,
        user: str | None,
        token: str,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        budget: RateBudget | None = None,
        retry: RetryPolicy | None = None,
        redactor: Redactor | None = None,
        timeout: tuple[float, float] = (10.0, 60.0),
    ) -> JiraClient:
        """Check the URL, the flavour and the credentials; raise `JiraProblem` with a one-line
        message (wrong URL, not Jira, bad credentials, Cloud without an email)."""
        base = site_root(url)
        if not token:
            raise JiraProblem(
                "jira_token is empty; give a Jira Cloud API token (with jira_user) or a Data "
                "Center personal access token.",
                kind="auth",
            )
        options: dict[str, Any] = {
            "sleep": sleep,
            "clock": clock,
            "retry": retry,
            "redactor": redactor,
            "timeout": timeout,
            "describe_error": describe_error,
        }
        http = JiraHttp(
            "Jira",
            base,
            auth=(user, token) if user else None,
            bearer=None if user else token,
            budget=budget,
            **options,
        )
        # serverInfo answers anonymously on Cloud and Data Center; asking without credentials
        # tells the flavour even when the credentials are of the wrong kind (a PAT on Cloud).
        anonymous = JiraHttp("Jira", base, **options)
        try:
            info = cls._server_info(anonymous, base, user, fallback=http)
        finally:
            anonymous.close()
        flavour = Flavour.CLOUD if info.cloud else Flavour.DATA_CENTER
        if flavour is Flavour.CLOUD and not user:
            raise jira_errors.cloud_needs_email(base)
        client = cls(
            http,
            flavour,
            site_url=info.base_url or base,
            account=user or PAT_OWNER,
            sleep=sleep,
        )
        client.myself()
        return client

    @staticmethod
    def _server_info(
        http: JiraHttp, base: str, user: str | None, *, fallback: JiraHttp | None = None
    ) -> ServerInfo:
        try:
            response = http.request("GET", "/rest/api/2/serverInfo")
        except HttpError as error:
            if error.status is None:
                raise jira_errors.unreachable(base, error) from None
            if error.status == 401 and fallback is not None:
                # A site closed to anonymous access: ask again with the credentials.
                return JiraClient._server_info(fallback, base, user)
            if error.status == 401:
                guess = Flavour.CLOUD if user and "@" in user else Flavour.DATA_CENTER
                raise jira_errors.bad_credentials(guess, user) from None
            raise jira_errors.not_jira(
                base, f"GET /rest/api/2/serverInfo answered HTTP {error.status}"
            ) from None
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict) or "version" not in data:
            raise jira_errors.not_jira(base, "GET /rest/api/2/serverInfo is not Jira's server info")
        return ServerInfo(
            deployment=str(data.get("deploymentType") or "Server"),
            version=str(data.get("version")),
            base_url=site_root(str(data.get("baseUrl") or base)),
        )

    # -- instance -------------------------------------------------------------------------------
    def myself(self) -> dict[str, Any]:
        try:
            data = self._json("GET", "/myself", doing="read the current user")
        except JiraProblem as problem:
            if problem.kind == "auth":
                user = None if self.account == PAT_OWNER else self.account
                raise jira_errors.bad_credentials(self.flavour, user) from None
            raise
        return dict(data)

    # -- issues -------------------------------------------------------------------------------------
    def create_issue(
        self,
        fields: Mapping[str, Any],
        *,
        fingerprint_label: str | None = None,
        properties: Mapping[str, Any] | None = None,
    ) -> CreatedIssue:
        """Create an issue from Jira-shaped `fields`. With `fingerprint_label` (a label among
        `fields["labels"]`), a lost response is resolved by finding the issue, not by a second
        create. `properties` (key -> JSON value) are stored on the issue in the same request
        (`IssueUpdateDetails.properties`)."""
        project = fields.get("project") or {}
        project_key = str(project.get("key") or project.get("id") or "")
        doing = f"create an issue in project {project_key}"
        payload: dict[str, Any] = {"fields": dict(fields)}
        if properties:
            payload["properties"] = [{"key": k, "value": v} for k, v in properties.items()]

        def send() -> CreatedIssue:
            data = self._json("POST", "/issue", json=payload, expected=(201,), doing=doing)
            return CreatedIssue(int(data["id"]), str(data["key"]))

        if fingerprint_label is None:
            return send()
        if fingerprint_label not in (fields.get("labels") or ()):
            raise ValueError("the fingerprint label must be one of the issue's labels")
        return write_once(
            send,
            lambda: self.find_created(project_key, fingerprint_label),
            sleep=self._sleep,
        )

    def find_created(self, project: str, label: str) -> CreatedIssue | None:
        """The newest issue of `project` with `label`, even if search cannot see it yet: first a
        search, then `GET /issue/{P-n}` for the keys after the newest one search sees (keys are
        sequential; gaps come from deleted issues and failed creates, so stop after
        `PROBE_MISSES` missing keys in a row)."""
        matches = self.find_by_labels(project, [label], fields=("labels",)).get(label)
        if matches:
            newest = max(matches, key=lambda issue: issue.id)
            return CreatedIssue(newest.id, newest.key)
        if not re.fullmatch(r"[A-Z][A-Z0-9_]*", project):
            return None  # a project id: keys cannot be derived
        latest = self.search(
            f"{equals('project', project)} {order_by('key')}", fields=("labels",), limit=1
        )
        number = int(latest[0].key.rsplit("-", 1)[1]) if latest else 0
        misses = 0
        for candidate in range(number + 1, number + 1 + PROBE_LIMIT):
            try:
                issue = self.get_issue(f"{project}-{candidate}", fields=("labels",))
            except JiraProblem as problem:
                if problem.kind != "not_found":
                    raise
                misses += 1
                if misses >= PROBE_MISSES:
                    return None
                continue
            misses = 0
            if label in issue.labels:
                return CreatedIssue(issue.id, issue.key)
        return None

    def edit_issue(
        self,
        key: str,
        *,
        fields: Mapping[str, Any] | None = None,
        update: Mapping[str, Any] | None = None,
    ) -> None:
        body: dict[str, Any] = {}
        if fields:
            body["fields"] = dict(fields)
        if update:
            body["update"] = dict(update)
        self._request("PUT", f"/issue/{url_quote(key, safe='')}", json=body, doing=f"edit {key}")

    def add_labels(self, key: str, labels: Sequence[str]) -> None:
        """Add labels without touching the others (the `update` form is idempotent)."""
        self.edit_issue(key, update={"labels": [{"add": label} for label in labels]})

    # -- comments -----------------------------------------------------------------------------------
    def add_comment(self, key: str, body: RichText, *, marker: str | None = None) -> CommentRef:
        """Comment on `key`. With `marker` (text inside `body`, e.g. the run id), a lost response
        is resolved by looking for a comment with the marker, so one run adds one comment."""
        payload = {"body": self.render(body)}

        def send() -> CommentRef:
            data = self._json(
                "POST",
                f"/issue/{url_quote(key, safe='')}/comment",
                json=payload,
                expected=(201,),
                doing=f"comment on {key}",
            )
            return _comment(data)

        if marker is None:
            return send()
        if marker not in body.plain():
            raise ValueError("the marker must appear in the comment text")
        return write_once(send, lambda: self.find_comment(key, marker), sleep=self._sleep)

    def comments(
        self, key: str, *, newest_first: bool = True, limit: int = 200
    ) -> list[CommentRef]:
        found: list[CommentRef] = []
        start = 0
        while len(found) < limit:
            data = self._json(
                "GET",
                f"/issue/{url_quote(key, safe='')}/comment",
                params={
                    "startAt": start,
                    "maxResults": min(100, limit - len(found)),
                    "orderBy": "-created" if newest_first else "created",
                },
                doing=f"read the comments of {key}",
            )
            page = data.get("comments") or []
            found.extend(_comment(item) for item in page)
            start += len(page)
            if not page or start >= int(data.get("total", 0)):
                break
        return found

    def find_comment(self, key: str, marker: str, *, limit: int = 200) -> CommentRef | None:
        """The newest comment on `key` containing `marker`, among the last `limit`."""
        return next((c for c in self.comments(key, limit=limit) if marker in c.text), None)

    def update_comment(self, key: str, comment_id: str, body: RichText) -> None:
        self._request(
            "PUT",
            f"/issue/{url_quote(key, safe='')}/comment/{comment_id}",
            json={"body": self.render(body)},
            doing=f"update a comment on {key}",
        )

    # -- transitions --------------------------------------------------------------------------------
    def transitions(self, key: str) -> list[TransitionRef]:
        """Transitions available now (an empty list can also mean no Transition permission)."""
        data = self._json(
            "GET",
            f"/issue/{url_quote(key, safe='')}/transitions",
            params={"expand": "transitions.fields"},
            doing=f"read the transitions of {key}",
        )
        return [
            TransitionRef(
                id=str(t["id"]),
                name=str(t["name"]),
                to_status=str((t.get("to") or {}).get("name", "")),
                to_category=str(((t.get("to") or {}).get("statusCategory") or {}).get("key", "")),
                resolution_field="resolution" in (t.get("fields") or {}),
            )
            for t in data.get("transitions") or ()
        ]

    def transition(
        self,
        key: str,
        names: Sequence[str],
        *,
        resolution: str | None = None,
        comment: RichText | None = None,
    ) -> TransitionRef | None:
        """Apply the first of `names` (transition or target status names, case-insensitive) that
        the workflow offers now; None when none is available. Workflows differ per project, so
        names come from the config (research §1.7)."""
        available = self.transitions(key)
        chosen: TransitionRef | None = None
        for name in names:
            wanted = name.casefold()
            chosen = next((t for t in available if t.name.casefold() == wanted), None) or next(
                (t for t in available if t.to_status.casefold() == wanted), None
            )
            if chosen:
                break
        if chosen is None:
            return None
        target = chosen
        payload: dict[str, Any] = {"transition": {"id": target.id}}
        if resolution and target.resolution_field:
            payload["fields"] = {"resolution": {"name": resolution}}
        if comment is not None:
            payload["update"] = {"comment": [{"add": {"body": self.render(comment)}}]}

        def send() -> TransitionRef:
            self._request(
                "POST",
                f"/issue/{url_quote(key, safe='')}/transitions",
                json=payload,
                expected=(204,),
                doing=f"move {key} to {target.to_status}",
            )
            return target

        def verify() -> TransitionRef | None:
            status = self.get_issue(key, fields=("status",)).status
            return target if status.casefold() == target.to_status.casefold() else None

        return write_once(send, verify, sleep=self._sleep)

    # -- properties and attachments -----------------------------------------------------------------
    def set_property(self, key: str, name: str, value: Any) -> None:
        self._request(
            "PUT",
            f"/issue/{url_quote(key, safe='')}/properties/{url_quote(name, safe='')}",
            json=value,
            doing=f"store property {name} on {key}",
        )

    def get_property(self, key: str, name: str) -> Any | None:
        try:
            data = self._json(
                "GET",
                f"/issue/{url_quote(key, safe='')}/properties/{url_quote(name, safe='')}",
                doing=f"read property {name} of {key}",
            )
        except JiraProblem as problem:
            if problem.kind == "not_found":
                return None
            raise
        return data.get("value")

    def attach(
        self, key: str, filename: str, content: bytes, mime: str = "text/plain"
    ) -> list[str]:
        """Attach a file (multipart part `file`, `X-Atlassian-Token: no-check`); ids created.
        A lost response is resolved by looking for an attachment of the same name and size."""

        def send() -> list[str]:
            data = self._json(
                "POST",
                f"/issue/{url_quote(key, safe='')}/attachments",
                files={"file": (filename, content, mime)},
                headers={"X-Atlassian-Token": "no-check"},
                expected=(200,),
                doing=f"attach {filename} to {key}",
            )
            return [str(item["id"]) for item in data or ()]

        def verify() -> list[str] | None:
            issue = self.get_issue(key, fields=("attachment",))
            same = [
                str(a["id"])
                for a in issue.fields.get("attachment") or ()
                if a.get("filename") == filename and int(a.get("size", -1)) == len(content)
            ]
            return same or None

        return write_once(send, verify, sleep=self._sleep)


def _comment(data: Mapping[str, Any]) -> CommentRef:
    return CommentRef(
        id=str(data.get("id", "")),
        text=wiki_or_adf_text(data.get("body")),
        created=str(data.get("created", "")),
    )
