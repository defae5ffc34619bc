"""The Jira client against the emulator on loopback: flavours, paging, eventual consistency, rate
limits, lost responses, and the messages users get when something is wrong."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from tmsaction.clients.jira import JiraClient, site_root
from tmsaction.clients.jira_errors import JiraProblem
from tmsaction.clients.jira_fields import field_problems, resolve_field_id, shape_value
from tmsaction.clients.jira_http import parse_rate_limit_reset
from tmsaction.clients.jira_model import Flavour
from tmsaction.clients.jira_text import CodeBlock, Heading, document, paragraph
from tmsaction.errors import OutcomeUnknown
from tmsaction.sandbox.jira.emulator import BurstLimit, JiraEmulator
from tmsaction.sandbox.jira.world import ScreenField
from tmsaction.sandbox.server import Emulator, Request, Response, SandboxServer, matching

from tests.jira_support import FakeClock, FakeSleep, Relay, _relay, connect, running


def defect_fields(summary: str = "Checkout total is wrong", *labels: str) -> dict[str, Any]:
    return {
        "project": {"key": "SHOP"},
        "issuetype": {"name": "Bug"},
        "summary": summary,
        "labels": list(labels),
    }


@pytest.fixture
def cloud() -> Iterator[tuple[JiraEmulator, JiraClient, FakeClock]]:
    clock = FakeClock()
    with running(clock=clock, search_delay=30.0) as (emulator, server):
        yield emulator, connect(server), clock


# -- connecting ---------------------------------------------------------------------------------


def test_cloud_is_detected_and_uses_v3_with_adf() -> None:
    with running() as (emulator, server):
        client = connect(server)
        assert client.flavour is Flavour.CLOUD
        assert client.api == "/rest/api/3"
        assert client.browse_url("SHOP-3") == f"{server.url}/browse/SHOP-3"
        key = client.create_issue(
            defect_fields()
            | {"description": client.render(document(Heading("Failure"), CodeBlock("trace")))}
        ).key
        stored = emulator.issue(key).fields["description"]
        assert stored.adf is not None
        assert stored.adf["content"][1] == {
            "type": "codeBlock",
            "content": [{"type": "text", "text": "trace"}],
        }


def test_data_center_is_detected_and_a_lone_token_is_a_bearer_pat() -> None:
    with running("datacenter") as (emulator, server):
        client = connect(server, user=None, token="demo-pat")
        assert client.flavour is Flavour.DATA_CENTER
        assert client.api == "/rest/api/2"
        key = client.create_issue(
            defect_fields() | {"description": client.render(document(paragraph("a_b {x}")))}
        ).key
        assert emulator.issue(key).fields["description"].wiki == "a\\_b \\{x\\}"
        with_password = connect(server, user="demo", token="demo-password")
        assert with_password.myself()["name"] == "demo"


@pytest.mark.parametrize(
    ("url", "root"),
    [
        ("https://acme.atlassian.net/", "https://acme.atlassian.net"),
        ("https://acme.atlassian.net/browse/SHOP-1", "https://acme.atlassian.net"),
        (
            "https://acme.atlassian.net/jira/software/projects/SHOP/boards/1",
            "https://acme.atlassian.net",
        ),
        ("https://jira.example.com/jira/rest/api/2/", "https://jira.example.com/jira"),
        ("https://jira.example.com/jira?x=1#y", "https://jira.example.com/jira"),
        (
            " https://api.atlassian.com/ex/jira/abc-123 ",
            "https://api.atlassian.com/ex/jira/abc-123",
        ),
    ],
)
def test_site_root(url: str, root: str) -> None:
    assert site_root(url) == root


def test_wrong_url_says_it_cannot_be_reached() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleep = FakeSleep()
    with pytest.raises(JiraProblem) as caught:
        JiraClient.connect(f"http://127.0.0.1:{port}", "a@b.c", "tok-secret-1", sleep=sleep)
    assert caught.value.kind == "unreachable"
    assert str(caught.value).startswith(f"Jira at http://127.0.0.1:{port} cannot be reached (")
    assert "check jira_url" in str(caught.value)


class NotJira(Emulator):
    name = "not-jira"

    def handle(self, request: Request) -> Response:
        return Response(404, b"<html>Page not found</html>", {"Content-Type": "text/html"})


def test_a_site_that_is_not_jira_is_named_as_such() -> None:
    relay, server = _relay()
    relay.target = NotJira()
    try:
        with pytest.raises(JiraProblem) as caught:
            JiraClient.connect(server.url + "/wiki", "a@b.c", "tok-secret-1", sleep=FakeSleep())
    finally:
        relay.target = None
    assert caught.value.kind == "not_jira"
    assert str(caught.value) == (
        f"{server.url}/wiki does not answer like Jira (GET /rest/api/2/serverInfo answered HTTP "
        "404); set jira_url to the site root, for example https://acme.atlassian.net or "
        "https://jira.example.com, not a board, issue or login URL."
    )


def test_bad_credentials_name_the_likely_cause_and_never_the_token() -> None:
    with running() as (_, server):
        with pytest.raises(JiraProblem) as cloud:
            connect(server, token="expired-token-4711")
        assert cloud.value.kind == "auth"
        message = str(cloud.value)
        assert "demo@example.com" in message
        assert "expire" in message
        assert "scoped tokens" in message
        assert "expired-token-4711" not in message
        with pytest.raises(JiraProblem, match="needs jira_user"):
            connect(server, user=None, token="demo-token")
    with running("datacenter") as (_, server):
        with pytest.raises(JiraProblem) as dc:
            connect(server, user=None, token="revoked-pat-0815")
        assert "personal access token" in str(dc.value)
        assert "revoked-pat-0815" not in str(dc.value)


# -- search -------------------------------------------------------------------------------------


@pytest.mark.parametrize("deployment", ["cloud", "datacenter"])
def test_search_reads_every_page(deployment: str) -> None:
    with running(deployment, search_delay=0) as (emulator, server):  # type: ignore[arg-type]
        user, token = (
            ("demo@example.com", "demo-token") if deployment == "cloud" else (None, "demo-pat")
        )
        client = connect(server, user=user, token=token)
        for index in range(23):
            client.create_issue(defect_fields(f"failure {index}", "bulk"))
        found = client.search('labels = "bulk" ORDER BY key ASC', page_size=10)
        assert [issue.key for issue in found] == [f"SHOP-{n}" for n in range(20, 43)]
        assert client.searches == 3
        route = "/search/jql" if deployment == "cloud" else "/search"
        assert emulator.count("POST", route) == 3
        assert found[0].status_category == "new"
        assert found[0].open


def test_fingerprint_lookup_is_batched_and_sees_its_own_writes_by_reconciling(
    cloud: tuple[JiraEmulator, JiraClient, FakeClock],
) -> None:
    emulator, client, clock = cloud
    created = [client.create_issue(defect_fields(f"t{n}", f"tms-{n:03d}")) for n in range(60)]
    labels = [f"tms-{n:03d}" for n in range(250)]
    before = client.searches
    assert client.find_by_labels("SHOP", labels) == {}  # search has not caught up
    assert client.searches - before == 3  # 250 labels, 100 per search
    seen = client.find_by_labels("SHOP", labels, reconcile_ids=[c.id for c in created])
    assert sorted(seen) == labels[:60]
    assert seen["tms-007"][0].key == created[7].key
    # 60 ids to reconcile: at most 50 per request, so each label batch runs twice.
    assert client.searches - before == 3 + 3 * 2
    assert emulator.search_count() == client.searches
    clock.advance(30.0)
    assert len(client.find_by_labels("SHOP", labels)) == 60


def test_issues_by_keys_survives_keys_that_do_not_exist() -> None:
    with running() as (_, server):
        client = connect(server)
        found = client.issues_by_keys(["SHOP-3", "shop-12", "SHOP-999", "not a key", "SHOP-19"])
        assert sorted(found) == ["SHOP-12", "SHOP-19", "SHOP-3"]
        assert found["SHOP-3"].status_category == "done"
        assert found["SHOP-12"].summary == "Cart"


# -- rate limits --------------------------------------------------------------------------------


def test_429_waits_for_retry_after_and_records_the_reason() -> None:
    clock = FakeClock()

    class TickingSleep(FakeSleep):
        def __call__(self, seconds: float) -> None:
            super().__call__(seconds)
            clock.advance(seconds)

    sleep = TickingSleep()
    with running(clock=clock) as (emulator, server):
        client = connect(server, sleep=sleep)
        emulator.rate_limit = BurstLimit(3, window=10.0, clock=clock)
        for _ in range(5):
            client.myself()
        assert client.http.throttle_reasons["jira-burst-based"] >= 1
        assert client.http.stats.throttled >= 1
        assert 10.0 in sleep.calls  # Retry-After: 10
        assert client.http.near_limit >= 1  # X-RateLimit-NearLimit slowed it down


class ResetOnly(Emulator):
    """Answers one 429 that carries X-RateLimit-Reset but no Retry-After, then serverInfo/myself."""

    name = "reset-only"

    def __init__(self, inner: JiraEmulator) -> None:
        super().__init__()
        self.inner = inner
        self.throttled = False

    def handle(self, request: Request) -> Response:
        if request.path.endswith("/myself") and not self.throttled:
            self.throttled = True
            return Response.json(
                429,
                {"errorMessages": ["Rate limit exceeded."]},
                {
                    "X-RateLimit-Reset": "2025-01-01T00:01Z",
                    "RateLimit-Reason": "jira-quota-tenant-based",
                },
            )
        return self.inner.dispatch(request)


def test_429_without_retry_after_falls_back_to_the_reset_time() -> None:
    assert parse_rate_limit_reset("2025-01-01T00:01Z", now=1735689600.0) == 60.0
    assert parse_rate_limit_reset("soon", now=0.0) is None
    relay, server = _relay()
    with running() as (emulator, _):
        relay.target = ResetOnly(emulator)
        sleep = FakeSleep()
        client = JiraClient.connect(
            server.url, "demo@example.com", "demo-token", sleep=sleep, clock=lambda: 1735689600.0
        )
        assert client.myself()["displayName"] == "Demo QA Bot"
        assert sleep.calls == [60.0]
        assert client.http.throttle_reasons == {"jira-quota-tenant-based": 1}


def test_503_with_retry_after_is_retried_for_reads() -> None:
    with running() as (emulator, server):
        sleep = FakeSleep()
        client = connect(server, sleep=sleep)
        emulator.faults.fail_next(503, retry_after=4, match=matching("GET", "/issue/SHOP-3"))
        assert client.get_issue("SHOP-3").summary == "Login"
        assert sleep.calls == [4.0]


# -- lost responses -----------------------------------------------------------------------------


def test_lost_create_response_finds_the_issue_search_cannot_see_yet(
    cloud: tuple[JiraEmulator, JiraClient, FakeClock],
) -> None:
    emulator, client, _ = cloud
    emulator.faults.lose_next_response(match=matching("POST", r"/issue\?"))
    created = client.create_issue(defect_fields("lost", "tms-lost"), fingerprint_label="tms-lost")
    assert created.key == "SHOP-20"
    assert [i.key for i in emulator.issues()][-1] == "SHOP-20"
    assert emulator.count("POST", "/issue") == 1  # found by probing keys, not created twice


def test_lost_create_without_a_fingerprint_is_reported_as_unknown(
    cloud: tuple[JiraEmulator, JiraClient, FakeClock],
) -> None:
    emulator, client, _ = cloud
    emulator.faults.lose_next_response(match=matching("POST", r"/issue\?"))
    with pytest.raises(OutcomeUnknown, match="may have been applied"):
        client.create_issue(defect_fields("lost"))


def test_dropped_create_is_sent_again_exactly_once(
    cloud: tuple[JiraEmulator, JiraClient, FakeClock],
) -> None:
    emulator, client, _ = cloud
    emulator.faults.reset_next(match=matching("POST", r"/issue\?"))
    created = client.create_issue(
        defect_fields("dropped", "tms-drop"), fingerprint_label="tms-drop"
    )
    assert [i.key for i in emulator.issues() if "tms-drop" in i.labels] == [created.key]


def test_lost_comment_transition_link_and_attachment_are_not_repeated(
    cloud: tuple[JiraEmulator, JiraClient, FakeClock],
) -> None:
    emulator, client, _ = cloud
    key = client.create_issue(defect_fields()).key
    for route in ("/comment", "/transitions", "/issueLink", "/attachments"):
        emulator.faults.lose_next_response(match=matching("POST", route))
    comment = client.add_comment(
        key, document(paragraph("Failed again in run 812")), marker="run 812"
    )
    assert comment.text == "Failed again in run 812"
    assert len(emulator.issue(key).comments) == 1
    moved = client.transition(key, ["Done"], resolution="Fixed")
    assert moved is not None
    assert emulator.resolution_of(key) == "Fixed"
    assert client.link(key, "SHOP-3", client.resolve_link_type("Blocks"))
    assert emulator.link_phrases(key) == [("blocks", "SHOP-3")]
    ids = client.attach(key, "trace.txt", b"Traceback (most recent call last)")
    assert len(emulator.issue(key).attachments) == 1
    assert ids == [emulator.issue(key).attachments[0].id]


# -- links, transitions, remote links, properties ------------------------------------------------


def test_links_read_the_right_way_round() -> None:
    with running() as (emulator, server):
        client = connect(server)
        defect = client.create_issue(defect_fields()).key
        relates = client.resolve_link_type("relates to")
        blocks = client.resolve_link_type("Blocks")
        blocked_by = client.resolve_link_type("IS BLOCKED BY")
        assert (blocks.reverse, blocked_by.reverse) == (False, True)
        assert client.link(defect, "SHOP-3", blocks)
        assert emulator.link_phrases(defect) == [("blocks", "SHOP-3")]
        assert client.link(defect, "SHOP-12", blocked_by)
        assert ("is blocked by", "SHOP-12") in emulator.link_phrases(defect)
        assert client.link(defect, "SHOP-14", relates)
        links = client.get_issue(defect).links
        assert not client.link(defect, "SHOP-14", relates, existing=links)
        assert not client.link(defect, "SHOP-3", blocks, existing=links)
        assert not client.link(defect, "SHOP-3", blocks)  # reads the links itself
        assert emulator.count("POST", "/issueLink") == 3
        story = client.get_issue("SHOP-3")
        assert [(link.phrase, link.other.key, link.other.open) for link in story.links] == [
            ("is blocked by", defect, True)
        ]


def test_transition_by_name_or_target_status_and_none_when_unavailable() -> None:
    with running() as (emulator, server):
        client = connect(server)
        key = client.create_issue(defect_fields()).key
        assert client.transition(key, ["Reopen"]) is None
        started = client.transition(key, ["Start Progress", "in progress"])
        assert started is not None
        assert emulator.status_of(key) == "In Progress"
        done = client.transition(
            key,
            ["Resolve Issue", "Done"],
            resolution="Won't Fix",
            comment=document(paragraph("won't fix")),
        )
        assert done is not None
        assert done.to_category == "done"
        assert (emulator.status_of(key), emulator.resolution_of(key)) == ("Done", "Won't Fix")
        assert client.get_issue(key).resolution == "Won't Fix"
        assert [t.name for t in client.transitions(key)] == ["Reopen"]


def test_remote_links_properties_and_comments() -> None:
    with running() as (emulator, server):
        client = connect(server)
        key = client.create_issue(defect_fields()).key
        first = client.remote_link(
            key, global_id="gha:run:1", url="https://ci/1", title="Run 1", resolved=False
        )
        second = client.remote_link(
            key, global_id="gha:run:1", url="https://ci/1", title="Run 1 passed", resolved=True
        )
        assert first == second
        [link] = client.remote_links(key)
        assert (link.title, link.resolved, link.global_id) == ("Run 1 passed", True, "gha:run:1")
        client.set_property(key, "tmsaction", {"fingerprint": "tms-abc", "runs": [1, 2]})
        assert client.get_property(key, "tmsaction") == {"fingerprint": "tms-abc", "runs": [1, 2]}
        assert client.get_property(key, "missing") is None
        client.add_comment(key, document(paragraph("run 1")))
        client.add_comment(key, document(paragraph("run 2")))
        assert [c.text for c in client.comments(key)] == ["run 2", "run 1"]
        assert client.find_comment(key, "run 1") is not None
        assert client.find_comment(key, "run 3") is None
        client.add_labels(key, ["tms-flaky"])
        assert emulator.issue(key).labels == ["tms-flaky"]


# -- create metadata and one-line problems --------------------------------------------------------


def test_create_meta_finds_required_fields_and_allowed_values() -> None:
    with running() as (emulator, server):
        screen = emulator.world.projects[0].screens["10004"]
        screen.append(ScreenField("customfield_10021", required=True))
        screen[:] = [
            f for f in screen if not (f.field_id == "customfield_10021" and not f.required)
        ]
        client = connect(server)
        meta = client.create_meta("SHOP", "bug")
        assert meta.issue_type.name == "Bug"
        assert resolve_field_id(meta, "Severity") == "customfield_10020"
        severity = shape_value(meta.fields["customfield_10020"], "S9 - Cosmic")
        priority = shape_value(meta.fields["priority"], "Urgent")
        components = shape_value(meta.fields["components"], ["Checkout", "Billing"])
        problems = field_problems(
            meta,
            {
                "customfield_10020": severity,
                "priority": priority,
                "components": components,
                "duedate": "x",
            },
        )
        assert problems == [
            "Jira SHOP Bug: Severity 'S9 - Cosmic' is not allowed; allowed: S1 - Critical, "
            "S2 - Major, S3 - Minor, S4 - Trivial.",
            "Jira SHOP Bug: Priority 'Urgent' is not allowed; allowed: Highest, High, Medium, Low, Lowest.",
            "Jira SHOP Bug: Components 'Billing' is not allowed; allowed: Checkout, Cart, Accounts, Pricing.",
            "Jira SHOP Bug: field 'duedate' is not on the create screen; remove it from the config or "
            "ask a Jira admin to add it to the screen.",
            "Jira SHOP Bug: field 'Test environment' (customfield_10021) is required by Jira; give it a "
            "value in the config's defect fields.",
        ]
        good = {
            "priority": shape_value(meta.fields["priority"], "High"),
            "customfield_10021": "staging",
        }
        assert field_problems(meta, good) == []
        assert client.create_issue(defect_fields() | good).key == "SHOP-20"


def test_configuration_problems_read_as_one_sentence() -> None:
    with running() as (emulator, server):
        client = connect(server)
        with pytest.raises(JiraProblem) as project:
            client.project("NOPE")
        assert str(project.value) == (
            "Jira project 'NOPE' does not exist or is not visible to demo@example.com; check "
            "jira_project (the project key, such as SHOP) and that the account can browse the project."
        )
        with pytest.raises(JiraProblem) as issue_type:
            client.create_meta("SHOP", "Defect")
        assert "available: Epic, Story, Task, Sub-task, Bug" in str(issue_type.value)
        with pytest.raises(JiraProblem) as link_type:
            client.resolve_link_type("causes")
        assert str(link_type.value).startswith(
            "Jira has no issue link type named or worded 'causes'; available: Blocks (blocks / is "
            "blocked by);"
        )
        with pytest.raises(JiraProblem) as invalid:
            client.create_issue(defect_fields() | {"priority": {"name": "Urgent"}})
        assert invalid.value.kind == "invalid"
        assert str(invalid.value) == (
            "Jira could not create an issue in project SHOP: it rejected the request (HTTP 400: "
            "priority: The priority selected is invalid.)."
        )
        with pytest.raises(JiraProblem) as too_long:
            client.create_issue(defect_fields("x" * 300))
        assert too_long.value.kind == "too_long"
        emulator.world.linking_enabled = False
        fresh = connect(server)
        with pytest.raises(JiraProblem, match="Issue linking is disabled"):
            fresh.link_types()
    with running() as (_, server):
        viewer = connect(server, user="viewer@example.com", token="viewer-token")
        with pytest.raises(JiraProblem) as cannot_create:
            viewer.create_meta("SHOP", "Bug")
        assert cannot_create.value.kind == "permission"
        assert "Create issues" in str(cannot_create.value)
        with pytest.raises(JiraProblem) as denied:
            viewer.create_issue(defect_fields())
        assert denied.value.kind == "permission"
        assert "ask a Jira admin" in str(denied.value)


def test_relay_is_idle_between_tests() -> None:
    relay, server = _relay()
    assert isinstance(relay, Relay)
    assert isinstance(server, SandboxServer)
    assert relay.target is None


def test_the_removed_search_is_named_when_cloud_is_driven_like_data_center() -> None:
    with running() as (_, server):
        cloud = connect(server)
        misconfigured = JiraClient(
            cloud.http, Flavour.DATA_CENTER, site_url=server.url, account="demo@example.com"
        )
        with pytest.raises(JiraProblem) as caught:
            misconfigured.search('project = "SHOP"')
        assert caught.value.kind == "gone"
        assert caught.value.status == 410
        assert "Atlassian removed this API" in str(caught.value)
        assert "/rest/api/3/search/jql" in str(caught.value)
