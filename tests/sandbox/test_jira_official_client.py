"""The fidelity proof: the official `jira` client from PyPI (pycontribs/jira), which no one here
wrote, works against the Jira emulator on loopback, Cloud and Data Center, and the emulator ends up
in the state the calls asked for.

What the client relies on beyond research/jira-api.md (read in its source, jira 3.10.5):
- it talks REST v2 by default (`rest_api_version: "2"`), so Cloud is exercised through v2 with wiki
  strings, and through v3 with ADF when asked;
- on Cloud `search_issues` goes to `GET /rest/api/2/search/jql` (enhanced search), with repeated
  `fields` parameters; on Data Center to `GET /rest/api/2/search` with startAt/maxResults;
- `search_issues` resolves field names through `GET /field` (`clauseNames`);
- `add_remote_link` first lists application links (`/rest/applinks/...`) and warns when it may not,
  as it does for non-admin users on a real site;
- `transition_issue` always sends `"fields": {}`; `create_issue` with a project key reads the project.
- its 429 retry parses `Retry-After` with `int()`, so the emulator sends whole seconds.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from jira import JIRA, JIRAError
from tmsaction.sandbox.jira.emulator import JiraEmulator
from tmsaction.sandbox.server import SandboxServer, matching

from tests.jira_support import FakeClock, adf, running


@pytest.fixture
def cloud() -> Iterator[tuple[JiraEmulator, SandboxServer, JIRA, FakeClock]]:
    clock = FakeClock()
    with running(clock=clock, search_delay=10.0) as (emulator, server):
        client = JIRA(server=server.url, basic_auth=("demo@example.com", "demo-token"))
        yield emulator, server, client, clock
        client.close()  # type: ignore[no-untyped-call]


def test_cloud_connect_create_search_comment_transition_link(
    cloud: tuple[JiraEmulator, SandboxServer, JIRA, FakeClock],
) -> None:
    emulator, _, jira, clock = cloud
    assert jira.server_info()["deploymentType"] == "Cloud"
    assert jira.myself()["emailAddress"] == "demo@example.com"

    issue = jira.create_issue(
        project="SHOP",
        summary="CheckoutTest.total fails",
        issuetype={"name": "Bug"},
        description="h3. Failure\n{noformat}AssertionError: 10.00 != 9.99{noformat}",
        labels=["tms-3f9a1c2b7e10"],
        priority={"name": "High"},
    )
    assert issue.key == "SHOP-20"
    assert issue.fields.status.name == "To Do"

    # Cloud search lags behind writes: the client's own search misses the new issue ...
    jql = 'project = SHOP AND labels = "tms-3f9a1c2b7e10"'
    assert [i.key for i in jira.search_issues(jql)] == []
    # ... unless it reconciles it, as the enhanced search API allows.
    reconciled = jira.enhanced_search_issues(jql, reconcileIssues=[int(issue.id)])
    assert [i.key for i in reconciled] == ["SHOP-20"]
    clock.advance(10.0)
    assert [i.key for i in jira.search_issues(jql)] == ["SHOP-20"]
    assert emulator.count("GET", "/search/jql") == 3

    comment = jira.add_comment(issue, "Failed again in run 813")
    assert comment.body == "Failed again in run 813"

    assert [t["name"] for t in jira.transitions(issue)] == ["In Progress", "Done"]
    jira.transition_issue(issue, "Done", fields={"resolution": {"name": "Fixed"}})
    response = jira.create_issue_link("Blocks", issue.key, "SHOP-3")
    assert response.status_code == 201
    link = jira.add_simple_link(
        issue.key, {"url": "https://github.com/acme/shop/actions/runs/813", "title": "Run 813"}
    )
    with pytest.warns(Warning, match="Unable to gather applicationlinks"):
        jira.add_remote_link(
            issue.key,
            {"url": "https://acme.testrail.io/index.php?/tests/view/987", "title": "C1234 (R55)"},
            globalId="testrail:result:987",
            relationship="tested in",
        )
    with pytest.warns(Warning, match="Unable to gather applicationlinks"):
        jira.add_remote_link(
            issue.key,
            {
                "url": "https://acme.testrail.io/index.php?/tests/view/987",
                "title": "C1234 (R55) passed",
                "status": {"resolved": True},
            },
            globalId="testrail:result:987",
        )
    attachment = jira.add_attachment(issue, io.BytesIO(b"Traceback ..."), filename="trace.txt")
    jira.add_issue_property(issue.key, "tmsaction", {"fingerprint": "3f9a1c2b7e10"})
    issue.update(fields={"labels": ["tms-3f9a1c2b7e10", "tmsaction"]})

    stored = emulator.issue("SHOP-20")
    assert stored.fields["description"].wiki.startswith("h3. Failure")
    assert stored.fields["priority"] == "2"
    assert [c.body.wiki for c in stored.comments] == ["Failed again in run 813"]
    assert (emulator.status_of("SHOP-20"), emulator.resolution_of("SHOP-20")) == ("Done", "Fixed")
    assert emulator.link_phrases("SHOP-20") == [("blocks", "SHOP-3")]
    assert emulator.link_phrases("SHOP-3") == [("is blocked by", "SHOP-20")]
    titles = sorted(r.object["title"] for r in stored.remote_links)
    assert titles == ["C1234 (R55) passed", "Run 813"]
    assert link.id in [r.id for r in stored.remote_links]
    assert stored.attachments[0].content == b"Traceback ..."
    assert attachment.filename == "trace.txt"
    assert stored.properties == {"tmsaction": {"fingerprint": "3f9a1c2b7e10"}}
    assert stored.labels == ["tms-3f9a1c2b7e10", "tmsaction"]
    reread = jira.issue("SHOP-20")
    assert reread.fields.issuelinks[0].outwardIssue.key == "SHOP-3"
    assert reread.fields.resolution is not None
    assert reread.fields.resolution.name == "Fixed"


def test_cloud_v3_takes_adf_and_rejects_what_jira_rejects() -> None:
    with running(search_delay=0) as (emulator, server):
        jira = JIRA(
            server=server.url,
            basic_auth=("demo@example.com", "demo-token"),
            options={"rest_api_version": "3"},
        )
        issue = jira.create_issue(
            fields={
                "project": {"key": "SHOP"},
                "issuetype": {"name": "Bug"},
                "summary": "Cart total",
                "description": adf("Expected 3 items, found 2"),
            }
        )
        jira.add_comment(issue, adf("Still failing"))
        stored = emulator.issue(issue.key)
        assert stored.fields["description"].adf == adf("Expected 3 items, found 2")
        assert stored.comments[0].body.adf == adf("Still failing")
        with pytest.raises(JIRAError) as too_long:
            jira.create_issue(project="SHOP", issuetype={"name": "Bug"}, summary="x" * 300)
        assert too_long.value.status_code == 400
        assert too_long.value.text == "Summary can't exceed 255 characters."
        with pytest.raises(JIRAError) as gone:
            jira._get_json("search", params={"jql": "project = SHOP"})
        assert gone.value.status_code == 410
        assert "/rest/api/3/search/jql" in str(gone.value.text)
        jira.close()  # type: ignore[no-untyped-call]


def test_the_official_client_honours_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr("jira.resilientsession.time.sleep", slept.append)
    with running() as (emulator, server):
        jira = JIRA(server=server.url, basic_auth=("demo@example.com", "demo-token"))
        emulator.faults.fail_next(429, retry_after=3, match=matching("GET", "/myself"))
        assert jira.myself()["displayName"] == "Demo QA Bot"
        assert len(slept) == 1
        assert 3.0 <= slept[0] <= 6.0  # it waits 2 x Retry-After with jitter
        assert emulator.count("GET", "/myself") == 2
        jira.close()  # type: ignore[no-untyped-call]


def test_data_center_with_a_personal_access_token() -> None:
    with running("datacenter") as (emulator, server):
        jira = JIRA(server=server.url, token_auth="demo-pat")
        assert jira.server_info()["deploymentType"] == "Server"
        assert jira.myself()["name"] == "demo"
        issue = jira.create_issue(
            project="SHOP", summary="Quantity 0 accepted", issuetype={"name": "Bug"}
        )
        found = jira.search_issues("project = SHOP AND issuetype = Bug", maxResults=10)
        assert [i.key for i in found] == [issue.key]
        assert found.total == 1
        assert emulator.count("GET", "/search") == 1
        jira.add_comment(issue.key, "Failed again")
        jira.transition_issue(issue.key, "In Progress")
        jira.create_issue_link("Relates", issue.key, "SHOP-19")
        jira.add_simple_link(issue.key, {"url": "https://ci/run/9", "title": "Run 9"})
        jira.add_attachment(issue.key, io.BytesIO(b"log"), filename="run.log")
        stored = emulator.issue(issue.key)
        assert [c.body.wiki for c in stored.comments] == ["Failed again"]
        assert emulator.status_of(issue.key) == "In Progress"
        assert emulator.link_phrases("SHOP-19") == [("relates to", issue.key)]
        assert stored.remote_links[0].object["title"] == "Run 9"
        assert stored.attachments[0].filename == "run.log"
        with pytest.raises(JIRAError) as denied:
            JIRA(server=server.url, token_auth="wrong-pat")
        assert denied.value.status_code == 401
        jira.close()  # type: ignore[no-untyped-call]
