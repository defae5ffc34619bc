"""Plumbing shared by the parts of the Jira client: the HTTP funnel, the API version of the flavour,
the text format, and HTTP errors turned into `JiraProblem`s."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any
from urllib.parse import quote as url_quote

from tmsaction.clients.jira_errors import JiraProblem, classify
from tmsaction.clients.jira_http import JiraHttp
from tmsaction.clients.jira_model import (
    Flavour,
    JiraIssue,
    LinkType,
)
from tmsaction.clients.jira_text import (
    TEXT_BUDGET,
    Format,
    RichText,
    render,
)
from tmsaction.errors import HttpError, OutcomeUnknown
from tmsaction.http import HttpResponse


def chunks(items: Sequence[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


class JiraBase:
    """The funnel and flavour every part of `JiraClient` builds on."""

    def __init__(
        self,
        http: JiraHttp,
        flavour: Flavour,
        *,
        site_url: str,
        account: str,
        sleep: Callable[[float], None] = time.sleep,
        text_budget: int = TEXT_BUDGET,
    ) -> None:
        self.http = http
        self.flavour = flavour
        self.site_url = site_url.rstrip("/")
        self.account = account  # who we are, for messages ("demo@example.com")
        self.text_budget = text_budget
        self._sleep = sleep
        self._link_types: list[LinkType] | None = None
        self.searches = 0  # search requests sent (pages included), for benchmarks and tests

    @property
    def api(self) -> str:
        return "/rest/api/3" if self.flavour is Flavour.CLOUD else "/rest/api/2"

    @property
    def text_format(self) -> Format:
        return "adf" if self.flavour is Flavour.CLOUD else "wiki"

    def close(self) -> None:
        self.http.close()

    def browse_url(self, key: str) -> str:
        # The site URL from serverInfo, not the API base: with scoped tokens the API base is
        # api.atlassian.com/ex/jira/<cloudId>, which has no /browse (pycontribs/jira#2368).
        return f"{self.site_url}/browse/{key}"

    def render(self, doc: RichText) -> Any:
        """`doc` in this site's text format, fitted to Jira's limits."""
        return render(doc, self.text_format, self.text_budget)

    # -- plumbing ---------------------------------------------------------------------------------
    def _request(
        self,
        method: str,
        path: str,
        *,
        doing: str,
        expected: Sequence[int] = (200, 201, 204),
        **options: Any,
    ) -> HttpResponse:
        try:
            return self.http.request(method, self.api + path, expected=expected, **options)
        except OutcomeUnknown:
            raise
        except HttpError as error:
            raise classify(error, doing, account=self.account) from None

    def _json(self, method: str, path: str, *, doing: str, **options: Any) -> Any:
        response = self._request(method, path, doing=doing, **options)
        try:
            return response.json()
        except ValueError:
            raise JiraProblem(
                f"Jira could not {doing}: the answer was not JSON (HTTP {response.status}).",
                kind="not_jira",
                status=response.status,
            ) from None

    def get_issue(
        self, key: str, *, fields: Sequence[str] | None = None, properties: Sequence[str] = ()
    ) -> JiraIssue:
        """One issue, read live (`GET /issue` is consistent, unlike Cloud search); `properties`
        are issue property keys to return with it (`JiraIssue.properties`)."""
        params: dict[str, str] = {}
        if fields:
            params["fields"] = ",".join(fields)
        if properties:
            params["properties"] = ",".join(properties)
        data = self._json(
            "GET", f"/issue/{url_quote(key, safe='')}", params=params or None, doing=f"read {key}"
        )
        return JiraIssue.from_json(data)
