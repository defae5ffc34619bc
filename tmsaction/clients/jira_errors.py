"""What went wrong with Jira, in one sentence a QA lead can act on. Pure; no I/O.

`describe_error` turns a Jira error body into text for `HttpClient` messages: the Error Collection
(`errorMessages` and `errors{field}`, OpenAPI "Status codes"), the Atlassian edge's `message`, or
`(HTML error page)`. `JiraProblem` classifies a failure (`kind`) so that sinks can decide what to do,
and carries a message that says what, where and how to fix it. No message ever includes a token:
the `HttpClient` redacts its credentials before any text reaches here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Literal

from tmsaction.clients.jira_model import Flavour, LinkType
from tmsaction.errors import HttpError
from tmsaction.http import HttpResponse

Kind = Literal[
    "unreachable",  # DNS, refused connection, TLS, gave up on 5xx
    "not_jira",  # the URL answers, but not like Jira
    "auth",  # 401: wrong or expired credentials
    "permission",  # 403, or a 400/404 that says the account may not do it
    "not_found",  # 404: missing or not visible to the account
    "invalid",  # 400: Jira rejected a value (field, JQL, transition)
    "too_long",  # 400: a text over Jira's limit
    "limit",  # 413: a per-issue limit (comments, links, remote links, attachments)
    "rate_limited",  # 429 after every retry
    "gone",  # 410: an API Atlassian removed
    "server",  # any other status
]

_TOO_LONG = re.compile(r"too long|exceed|CONTENT_LIMIT_EXCEEDED|maximum length", re.I)
_PERMISSION = re.compile(r"permission|not allowed|forbidden", re.I)


def describe_error(response: HttpResponse) -> str:
    """The error text of a Jira response: messages and field errors joined with '; '."""
    try:
        body = json.loads(response.body) if response.body.strip() else None
    except ValueError:
        body = None
    parts: list[str] = []
    if isinstance(body, Mapping):
        messages = body.get("errorMessages")
        if isinstance(messages, list):
            parts.extend(str(m) for m in messages if m)
        errors = body.get("errors")
        if isinstance(errors, Mapping):
            parts.extend(f"{name}: {message}" for name, message in errors.items())
        for key in ("message", "errorMessage"):
            if not parts and isinstance(body.get(key), str):
                parts.append(str(body[key]))
    elif response.body.strip():
        text = response.text().strip()
        parts.append("(HTML error page)" if text.startswith("<") else text[:300])
    reason = response.header("ratelimit-reason")
    if response.status == 429 and reason:
        parts.append(f"RateLimit-Reason: {reason}")
    return "; ".join(parts) or f"no details (HTTP {response.status})"


class JiraProblem(HttpError):
    """A Jira failure with a kind and a message that says what to do about it."""

    def __init__(self, message: str, *, kind: Kind, status: int | None = None) -> None:
        super().__init__(message, status=status, service="Jira")
        self.kind: Kind = kind


def detail_of(error: HttpError) -> str:
    """The server's words from an `HttpError` message ("Jira POST /x: HTTP 400: <detail>")."""
    text = str(error)
    match = re.search(r"HTTP \d{3}: (.*)$", text, re.S)
    if match:
        return match.group(1).strip()
    return text.split(": ", 1)[1] if ": " in text else text


def classify(error: HttpError, doing: str, *, account: str = "the Jira account") -> JiraProblem:
    """A `JiraProblem` for a failed request; `doing` completes "Jira could not ..."."""
    if isinstance(error, JiraProblem):
        return error
    status = error.status
    detail = detail_of(error)
    if status is None:
        kind: Kind = "rate_limited" if "HTTP 429" in str(error) else "unreachable"
        return JiraProblem(f"Jira could not {doing}: {detail}.", kind=kind)
    if status == 401:
        return JiraProblem(
            f"Jira could not {doing}: the credentials were rejected (HTTP 401: {detail}); "
            "check jira_user and jira_token.",
            kind="auth",
            status=status,
        )
    # A 404 is "not found or not visible" (Jira hides what the account may not browse); its text
    # mentions permission either way, so only 403 and 400 are read as a missing permission.
    if status == 403 or (status == 400 and _PERMISSION.search(detail)):
        return JiraProblem(
            f"Jira could not {doing}: {account} lacks the permission (HTTP {status}: {detail}); "
            "ask a Jira admin to grant it in the project's permission scheme.",
            kind="permission",
            status=status,
        )
    if status == 404:
        return JiraProblem(
            f"Jira could not {doing}: not found, or not visible to {account} (HTTP 404: {detail}).",
            kind="not_found",
            status=status,
        )
    if status == 400 and _TOO_LONG.search(detail):
        return JiraProblem(
            f"Jira could not {doing}: a value is too long (HTTP 400: {detail}); tmsaction cuts "
            "summaries to 255 and texts to 32,767 characters, so a custom field or a site limit "
            "is lower here.",
            kind="too_long",
            status=status,
        )
    if status == 400:
        return JiraProblem(
            f"Jira could not {doing}: it rejected the request (HTTP 400: {detail}).",
            kind="invalid",
            status=status,
        )
    if status == 413:
        return JiraProblem(
            f"Jira could not {doing}: a per-issue limit is reached (HTTP 413: {detail}).",
            kind="limit",
            status=status,
        )
    if status == 410:
        return JiraProblem(
            f"Jira could not {doing}: Atlassian removed this API (HTTP 410: {detail}).",
            kind="gone",
            status=status,
        )
    return JiraProblem(
        f"Jira could not {doing}: HTTP {status}: {detail}.", kind="server", status=status
    )


# -- the one-line messages for configuration problems -----------------------------------------


def unreachable(url: str, error: HttpError) -> JiraProblem:
    return JiraProblem(
        f"Jira at {url} cannot be reached ({detail_of(error)}); check jira_url (for example "
        "https://acme.atlassian.net) and that the runner can reach it.",
        kind="unreachable",
        status=error.status,
    )


def not_jira(url: str, what: str) -> JiraProblem:
    return JiraProblem(
        f"{url} does not answer like Jira ({what}); set jira_url to the site root, for example "
        "https://acme.atlassian.net or https://jira.example.com, not a board, issue or login URL.",
        kind="not_jira",
    )


def bad_credentials(flavour: Flavour, user: str | None) -> JiraProblem:
    if flavour is Flavour.CLOUD:
        message = (
            f"Jira Cloud rejected the credentials of {user} (HTTP 401); check that jira_user is the "
            "Atlassian account email and jira_token a current API token (id.atlassian.com → "
            "Security → API tokens). API tokens expire after at most a year, and scoped tokens "
            "only work through https://api.atlassian.com/ex/jira/<cloudId>, not the site URL."
        )
    elif user:
        message = (
            f"Jira Data Center rejected user {user} and its password (HTTP 401); basic "
            "authentication may be off (Jira 11 disables it): put a personal access token in "
            "jira_token and leave jira_user empty."
        )
    else:
        message = (
            "Jira Data Center rejected the personal access token (HTTP 401); check that jira_token "
            "is a valid, unexpired token (Profile → Personal Access Tokens) of an active user."
        )
    return JiraProblem(message, kind="auth", status=401)


def cloud_needs_email(url: str) -> JiraProblem:
    return JiraProblem(
        f"{url} is Jira Cloud, which needs jira_user (the account email) together with an API "
        "token in jira_token; a token alone is only accepted by Jira Data Center.",
        kind="auth",
    )


def project_not_found(key: str, account: str) -> JiraProblem:
    return JiraProblem(
        f"Jira project '{key}' does not exist or is not visible to {account}; check jira_project "
        "(the project key, such as SHOP) and that the account can browse the project.",
        kind="not_found",
        status=404,
    )


def issue_type_unavailable(
    name: str, project: str, available: Sequence[str], account: str
) -> JiraProblem:
    if not available:
        return JiraProblem(
            f"{account} cannot create issues in Jira project {project} (no issue type is "
            "offered); ask a Jira admin for the 'Create issues' permission.",
            kind="permission",
        )
    return JiraProblem(
        f"Issue type '{name}' cannot be created in Jira project {project}; available: "
        f"{', '.join(available)}. Set one of them as the defect issue type in the config.",
        kind="invalid",
    )


def link_type_not_found(spec: str, available: Sequence[LinkType]) -> JiraProblem:
    names = "; ".join(t.describe() for t in available) or "none"
    return JiraProblem(
        f"Jira has no issue link type named or worded '{spec}'; available: {names}.",
        kind="invalid",
    )


def linking_disabled() -> JiraProblem:
    return JiraProblem(
        "Issue linking is disabled on this Jira site; ask a Jira admin to enable it "
        "(Settings → Issues → Issue linking) or turn off story links in the config.",
        kind="invalid",
        status=404,
    )
