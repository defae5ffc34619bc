"""The Jira emulator over HTTP, driven with plain `requests`: what Jira answers, status codes and exact
error bodies included, and the state it keeps."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import requests
from tmsaction.sandbox.jira.api_search import SEARCH_REMOVED, UNBOUNDED
from tmsaction.sandbox.jira.fields import BAD_ADF_ON_CREATE
from tmsaction.sandbox.jira.world import Limits
from tmsaction.sandbox.server import matching

from tests.jira_support import CLOUD_AUTH, DC_BEARER, FakeClock, adf, api, bug, create, running


def post(url: str, body: Any, **options: Any) -> requests.Response:
    return requests.post(url, json=body, **({"auth": CLOUD_AUTH} | options))


# -- authentication -----------------------------------------------------------------------------


def test_cloud_auth_is_email_and_api_token() -> None:
    with running() as (_, server):
        ok = requests.get(f"{api(server)}/myself", auth=CLOUD_AUTH)
        assert ok.status_code == 200
        assert ok.json()["emailAddress"] == "demo@example.com"
        assert ok.headers["X-AAccountId"] == ok.json()["accountId"]
        for auth in (("demo@example.com", "wrong"), ("nobody@example.com", "demo-token")):
            denied = requests.get(f"{api(server)}/myself", auth=auth)
            assert denied.status_code == 401
            assert denied.json() == {
                "message": "Client must be authenticated to access this resource.",
                "status-code": 401,
            }
        pat = requests.get(f"{api(server)}/myself", headers=DC_BEARER)
        assert pat.status_code == 401  # Cloud takes no personal access tokens
        assert requests.get(f"{api(server)}/myself").status_code == 401
        info = requests.get(f"{api(server)}/serverInfo")  # anonymous
        assert info.json()["deploymentType"] == "Cloud"


def test_data_center_takes_a_bearer_pat_and_answers_v2_only() -> None:
    with running("datacenter") as (emulator, server):
        info = requests.get(f"{api(server, 2)}/serverInfo").json()
        assert info["deploymentType"] == "Server"
        me = requests.get(f"{api(server, 2)}/myself", headers=DC_BEARER)
        assert me.json()["name"] == "demo"
        assert me.headers["X-AUSERNAME"] == "demo"
        wrong = requests.get(f"{api(server, 2)}/myself", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        assert wrong.headers["X-Seraph-LoginReason"] == "AUTHENTICATED_FAILED"
        basic = requests.get(f"{api(server, 2)}/myself", auth=("demo", "demo-password"))
        assert basic.status_code == 200
        emulator.basic_auth_enabled = False  # Jira 11's default
        assert (
            requests.get(f"{api(server, 2)}/myself", auth=("demo", "demo-password")).status_code
            == 401
        )
        v3 = requests.get(f"{api(server, 3)}/myself", headers=DC_BEARER)
        assert v3.status_code == 404
        assert v3.json()["message"].startswith("null for uri:")


# -- create: validation and Jira's error strings -------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"summary": "x" * 256}, {"summary": "Summary can't exceed 255 characters."}),
        (
            {"summary": "a\nb"},
            {"summary": "The summary is invalid because it contains newline characters."},
        ),
        ({"summary": ""}, {"summary": "You must specify a summary of the issue."}),
        ({"labels": ["flaky test"]}, {"labels": "The label 'flaky test' can't contain spaces."}),
        ({"priority": {"name": "Urgent"}}, {"priority": "The priority selected is invalid."}),
        (
            {"priority": "High"},
            {"priority": "Specify the Priority (id or name) in the string format"},
        ),
        ({"components": [{"name": "Nope"}]}, {"components": "Component name 'Nope' is not valid"}),
        (
            {"customfield_10020": {"value": "S9"}},
            {"customfield_10020": "Option value 'S9' is not valid"},
        ),
        (
            {"customfield_99999": "x"},
            {
                "customfield_99999": "Field 'customfield_99999' cannot be set. It is not on the "
                "appropriate screen, or unknown."
            },
        ),
        (
            {"description": "plain string on v3"},
            {
                "description": "Operation value must be an Atlassian Document (see the Atlassian "
                "Document Format)"
            },
        ),
    ],
)
def test_create_rejects_bad_fields_with_jiras_words(
    fields: dict[str, Any], errors: dict[str, str]
) -> None:
    with running() as (emulator, server):
        body = bug(**fields)
        if "summary" in fields:
            body["fields"]["summary"] = fields["summary"]
        response = post(f"{api(server)}/issue", body)
        assert response.status_code == 400
        assert response.json() == {"errorMessages": [], "errors": errors}
        assert emulator.issues("SHOP")[-1].key == "SHOP-19"  # nothing created


def test_create_project_and_issue_type_errors_differ_between_cloud_and_data_center() -> None:
    unknown_project = {
        "fields": {"project": {"key": "NOPE"}, "issuetype": {"name": "Bug"}, "summary": "s"}
    }
    unknown_type = {
        "fields": {"project": {"key": "SHOP"}, "issuetype": {"name": "Defect"}, "summary": "s"}
    }
    with running() as (_, server):
        assert post(f"{api(server)}/issue", unknown_project).json()["errors"] == {
            "project": "Specify a valid project ID or key"
        }
        assert post(f"{api(server)}/issue", unknown_type).json()["errors"] == {
            "issuetype": "The issue type selected is invalid."
        }
    with running("datacenter") as (_, server):
        url = f"{api(server, 2)}/issue"
        assert post(url, unknown_project, headers=DC_BEARER, auth=None).json()["errors"] == {
            "project": "valid project is required"
        }
        assert post(url, unknown_type, headers=DC_BEARER, auth=None).json()["errors"] == {
            "issuetype": "valid issue type is required"
        }
        long = bug(labels=["a b"])
        long["fields"]["summary"] = "y" * 300
        assert post(url, long, headers=DC_BEARER, auth=None).json()["errors"] == {
            "summary": "Summary must be less than 255 characters.",
            "labels": "The label 'a b' contains spaces which is invalid.",
        }


def test_required_fields_come_from_the_create_screen() -> None:
    with running() as (emulator, server):
        screen = emulator.world.projects[0].screens["10004"]
        index = next(i for i, f in enumerate(screen) if f.field_id == "customfield_10020")
        screen[index] = type(screen[index])("customfield_10020", required=True)
        missing = post(f"{api(server)}/issue", bug())
        assert missing.json()["errors"] == {"customfield_10020": "Severity is required."}
        meta = requests.get(
            f"{api(server)}/issue/createmeta/SHOP/issuetypes/10004", auth=CLOUD_AUTH
        ).json()
        severity = next(f for f in meta["fields"] if f["fieldId"] == "customfield_10020")
        assert severity["required"] is True
        assert [v["value"] for v in severity["allowedValues"]][:2] == [
            "S1 - Critical",
            "S2 - Major",
        ]
        ok = post(f"{api(server)}/issue", bug(customfield_10020={"value": "S2 - Major"}))
        assert ok.status_code == 201


def test_text_limits_v2_message_and_v3_content_limit_which_still_burns_a_key() -> None:
    big = "x" * 32768
    with running() as (emulator, server):
        v2 = post(f"{api(server, 2)}/issue", bug(description=big))
        assert v2.json()["errors"] == {
            "description": "The entered text is too long. It exceeds the allowed limit of 32,767 characters."
        }
        v3 = post(f"{api(server)}/issue", bug(description=adf(big)))
        assert v3.status_code == 400
        assert v3.json() == {"errorMessages": ["CONTENT_LIMIT_EXCEEDED"], "errors": {}}
        # JRACLOUD-78553: the failed v3 create used up SHOP-20.
        assert create(server) == "SHOP-21"
        assert [i.key for i in emulator.issues()][-1] == "SHOP-21"


def test_bad_adf_is_rejected_as_jira_does() -> None:
    with running() as (_, server):
        empty_text = {
            "type": "doc",
            "version": 1,
            "content": [{"type": "paragraph", "content": [{"type": "text", "text": ""}]}],
        }
        on_create = post(f"{api(server)}/issue", bug(description=empty_text))
        assert on_create.json() == {"errorMessages": [BAD_ADF_ON_CREATE], "errors": {}}
        assert "non-empty string" in on_create.headers["X-Sandbox-Detail"]
        key = create(server)
        on_comment = post(f"{api(server)}/issue/{key}/comment", {"body": empty_text})
        assert on_comment.json() == {"errorMessages": ["INVALID_INPUT"], "errors": {}}
        as_string = post(f"{api(server)}/issue/{key}/comment", {"body": "plain"})
        assert as_string.json() == {
            "errorMessages": [],
            "errors": {"comment": "Comment body is not valid!"},
        }


def test_created_issue_reads_back_in_both_formats() -> None:
    with running() as (_, server):
        response = post(
            f"{api(server)}/issue",
            bug(
                description=adf("Total off by one cent"),
                labels=["tms-abc"],
                components=[{"name": "Checkout"}],
            ),
        )
        assert response.status_code == 201
        created = response.json()
        assert created["key"] == "SHOP-20"
        assert created["self"].endswith(f"/rest/api/3/issue/{created['id']}")
        v3 = requests.get(
            f"{api(server)}/issue/shop-20", auth=CLOUD_AUTH
        ).json()  # case-insensitive
        fields = v3["fields"]
        assert fields["description"]["type"] == "doc"
        assert fields["status"]["statusCategory"]["key"] == "new"
        assert fields["priority"]["name"] == "Medium"  # the screen's default
        assert fields["components"][0]["name"] == "Checkout"
        assert fields["resolution"] is None
        v2 = requests.get(
            f"{api(server, 2)}/issue/SHOP-20?fields=description,labels", auth=CLOUD_AUTH
        ).json()
        assert v2["fields"] == {"description": "Total off by one cent", "labels": ["tms-abc"]}
        missing = requests.get(f"{api(server)}/issue/SHOP-999", auth=CLOUD_AUTH)
        assert missing.status_code == 404
        assert missing.json()["errorMessages"] == [
            "Issue does not exist or you do not have permission to see it."
        ]


def test_edit_with_fields_and_update_operations() -> None:
    with running() as (emulator, server):
        key = create(server, labels=["tms-abc"])
        response = requests.put(
            f"{api(server)}/issue/{key}",
            json={
                "update": {"labels": [{"add": "tms-flaky"}, {"remove": "tms-abc"}]},
                "fields": {"summary": "New"},
            },
            auth=CLOUD_AUTH,
        )
        assert response.status_code == 204
        assert emulator.issue(key).labels == ["tms-flaky"]
        assert emulator.issue(key).summary == "New"
        both = requests.put(
            f"{api(server)}/issue/{key}",
            json={"update": {"summary": [{"set": "a"}]}, "fields": {"summary": "b"}},
            auth=CLOUD_AUTH,
        )
        assert both.status_code == 400


# -- search -------------------------------------------------------------------------------------


def test_old_search_answers_410_on_cloud_with_the_exact_body() -> None:
    with running() as (_, server):
        for version in (2, 3):
            for method in ("GET", "POST"):
                response = requests.request(
                    method,
                    f"{api(server, version)}/search",
                    params={"jql": "project = SHOP"},
                    json={},
                    auth=CLOUD_AUTH,
                )
                assert response.status_code == 410
                assert response.json() == {"errorMessages": [SEARCH_REMOVED], "errors": {}}


def test_search_jql_needs_a_bounded_query_and_returns_ids_by_default() -> None:
    with running() as (_, server):
        unbounded = post(f"{api(server)}/search/jql", {"jql": "order by key desc"})
        assert unbounded.status_code == 400
        assert unbounded.json()["errorMessages"] == [UNBOUNDED]
        ids_only = post(f"{api(server)}/search/jql", {"jql": "project = SHOP ORDER BY key ASC"})
        assert ids_only.json() == {
            "issues": [{"id": str(10001 + n)} for n in range(6)],
            "isLast": True,
        }
        unknown = post(f"{api(server)}/search/jql", {"jql": "project = SHOP", "startAt": 5})
        assert unknown.json()["errorMessages"] == ['Unrecognized field "startAt"']


def test_search_jql_pages_with_a_token_that_is_omitted_on_the_last_page() -> None:
    with running(search_delay=0) as (_, server):
        for index in range(7):
            create(server, f"issue {index}", labels=["paged"])
        seen: list[str] = []
        token: str | None = None
        pages = 0
        while True:
            body: dict[str, Any] = {
                "jql": "labels = paged ORDER BY key",
                "fields": ["summary"],
                "maxResults": 3,
            }
            if token:
                body["nextPageToken"] = token
            page = post(f"{api(server)}/search/jql", body).json()
            pages += 1
            seen.extend(issue["key"] for issue in page["issues"])
            if page["isLast"]:
                assert "nextPageToken" not in page
                break
            token = page["nextPageToken"]
        assert pages == 3
        assert seen == [f"SHOP-{n}" for n in range(20, 27)]
        stale = post(f"{api(server)}/search/jql", {"jql": "labels = other", "nextPageToken": token})
        assert stale.status_code == 400


def test_search_is_eventually_consistent_unless_reconciled() -> None:
    clock = FakeClock()
    with running(clock=clock, search_delay=5.0) as (emulator, server):
        key = create(server, labels=["tms-new"])
        issue_id = emulator.issue(key).id
        query = {"jql": "project = SHOP AND labels = tms-new", "fields": ["labels"]}
        assert post(f"{api(server)}/search/jql", query).json()["issues"] == []
        reconciled = post(
            f"{api(server)}/search/jql", query | {"reconcileIssues": [issue_id]}
        ).json()
        assert [i["key"] for i in reconciled["issues"]] == [key]
        clock.advance(5.0)
        assert [i["key"] for i in post(f"{api(server)}/search/jql", query).json()["issues"]] == [
            key
        ]
        # An edit is seen late as well: the index still matches the old labels.
        requests.put(
            f"{api(server)}/issue/{key}",
            json={"fields": {"labels": ["tms-moved"]}},
            auth=CLOUD_AUTH,
        )
        assert [i["key"] for i in post(f"{api(server)}/search/jql", query).json()["issues"]] == [
            key
        ]
        assert (
            post(f"{api(server)}/search/jql", query | {"reconcileIssues": [issue_id]}).json()[
                "issues"
            ]
            == []
        )
        too_many = post(f"{api(server)}/search/jql", query | {"reconcileIssues": list(range(51))})
        assert too_many.status_code == 400


def test_jql_values_are_checked_against_the_site() -> None:
    with running() as (_, server):
        cases = {
            "project = NOPE": "The value 'NOPE' does not exist for the field 'project'.",
            "key in (SHOP-3, SHOP-999)": "An issue with key 'SHOP-999' does not exist for field 'key'.",
            "project = SHOP AND flavour = x": (
                "Field 'flavour' does not exist or you do not have permission to view it."
            ),
            'labels = "two words"': "The label 'two words' can't contain spaces.",
            "labels ~ x": "The operator '~' is not supported by the 'labels' field.",
        }
        for jql, message in cases.items():
            response = post(f"{api(server)}/search/jql", {"jql": jql})
            assert response.status_code == 400, jql
            assert response.json()["errorMessages"] == [message]


def test_data_center_search_pages_with_start_at_and_total() -> None:
    with running("datacenter") as (_, server):
        url = f"{api(server, 2)}/search"
        first = requests.get(
            url, params={"jql": "project = SHOP ORDER BY key", "maxResults": "3"}, headers=DC_BEARER
        ).json()
        assert (first["startAt"], first["maxResults"], first["total"]) == (0, 3, 6)
        assert [i["key"] for i in first["issues"]] == ["SHOP-3", "SHOP-12", "SHOP-14"]
        assert "summary" in first["issues"][0]["fields"]  # *navigable by default
        second = post(
            url, {"jql": "project = SHOP ORDER BY key", "startAt": 3}, headers=DC_BEARER, auth=None
        ).json()
        assert [i["key"] for i in second["issues"]] == ["SHOP-15", "SHOP-16", "SHOP-19"]
        assert (
            requests.post(
                f"{api(server, 2)}/search/jql", json={"jql": "project = SHOP"}, headers=DC_BEARER
            ).status_code
            == 404
        )


# -- workflow, links, remote links, properties, attachments -----------------------------------


def test_transitions_follow_the_workflow_and_set_resolutions() -> None:
    with running() as (emulator, server):
        key = create(server)
        names = [
            t["name"]
            for t in requests.get(f"{api(server)}/issue/{key}/transitions", auth=CLOUD_AUTH).json()[
                "transitions"
            ]
        ]
        assert names == ["In Progress", "Done"]
        reopen = post(f"{api(server)}/issue/{key}/transitions", {"transition": {"id": "41"}})
        assert reopen.json()["errorMessages"] == ["Transition id '41' is not valid for this issue."]
        done = post(
            f"{api(server)}/issue/{key}/transitions",
            {
                "transition": {"id": "31"},
                "fields": {"resolution": {"name": "Won't Fix"}},
                "update": {"comment": [{"add": {"body": adf("Not a bug")}}]},
            },
        )
        assert done.status_code == 204
        assert (emulator.status_of(key), emulator.resolution_of(key)) == ("Done", "Won't Fix")
        assert len(emulator.issue(key).comments) == 1
        expanded = requests.get(
            f"{api(server)}/issue/{key}/transitions?expand=transitions.fields", auth=CLOUD_AUTH
        ).json()["transitions"]
        assert [t["name"] for t in expanded] == ["Reopen"]
        post(f"{api(server)}/issue/{key}/transitions", {"transition": {"id": "41"}})
        assert (emulator.status_of(key), emulator.resolution_of(key)) == ("To Do", None)
        no_screen = post(
            f"{api(server)}/issue/{key}/transitions",
            {"transition": {"id": "21"}, "fields": {"resolution": {"name": "Done"}}},
        )
        assert no_screen.json()["errors"] == {
            "resolution": "Field 'resolution' cannot be set. It is not on the appropriate screen, or unknown."
        }


def test_issue_links_read_from_both_ends_and_duplicates_are_accepted() -> None:
    with running() as (emulator, server):
        defect = create(server)
        body = {
            "type": {"name": "Blocks"},
            "inwardIssue": {"key": defect},
            "outwardIssue": {"key": "SHOP-3"},
        }
        for _ in range(2):
            assert post(f"{api(server)}/issueLink", body).status_code == 201
        assert emulator.link_phrases(defect) == [("blocks", "SHOP-3")]
        assert emulator.link_phrases("SHOP-3") == [("is blocked by", defect)]
        links = requests.get(
            f"{api(server)}/issue/{defect}?fields=issuelinks", auth=CLOUD_AUTH
        ).json()["fields"]["issuelinks"]
        assert len(links) == 1
        assert links[0]["outwardIssue"]["key"] == "SHOP-3"
        assert links[0]["outwardIssue"]["fields"]["status"]["statusCategory"]["key"] == "done"
        story = requests.get(
            f"{api(server)}/issue/SHOP-3?fields=issuelinks", auth=CLOUD_AUTH
        ).json()
        assert story["fields"]["issuelinks"][0]["inwardIssue"]["key"] == defect
        types = requests.get(f"{api(server)}/issueLinkType", auth=CLOUD_AUTH).json()[
            "issueLinkTypes"
        ]
        assert {(t["name"], t["outward"]) for t in types} >= {
            ("Relates", "relates to"),
            ("Test", "tests"),
        }
        wrong = post(f"{api(server)}/issueLink", body | {"type": {"name": "Causes"}})
        assert wrong.status_code == 404


def test_remote_links_upsert_by_global_id() -> None:
    with running() as (emulator, server):
        key = create(server)
        link = {
            "globalId": "gha:acme/shop:run:812",
            "object": {"url": "https://github.com/r/812", "title": "Run 812", "summary": "failed"},
        }
        assert post(f"{api(server)}/issue/{key}/remotelink", link).status_code == 201
        updated = link | {
            "object": {
                "url": "https://github.com/r/812",
                "title": "Run 812",
                "status": {"resolved": True},
            }
        }
        again = post(f"{api(server)}/issue/{key}/remotelink", updated)
        assert again.status_code == 200
        stored = emulator.issue(key).remote_links
        assert len(stored) == 1
        assert stored[0].object == updated["object"]  # fields left out became null
        one = requests.get(
            f"{api(server)}/issue/{key}/remotelink",
            params={"globalId": "gha:acme/shop:run:812"},
            auth=CLOUD_AUTH,
        )
        assert one.json()["object"]["status"] == {"resolved": True}
        untitled = post(f"{api(server)}/issue/{key}/remotelink", {"object": {"url": "https://x"}})
        assert untitled.json() == {"errorMessages": [], "errors": {"title": "'title' is required."}}


def test_properties_and_attachments() -> None:
    with running() as (emulator, server):
        key = create(server)
        url = f"{api(server)}/issue/{key}/properties/tmsaction"
        assert requests.put(url, json={"fingerprint": "abc"}, auth=CLOUD_AUTH).status_code == 201
        assert requests.put(url, json={"fingerprint": "def"}, auth=CLOUD_AUTH).status_code == 200
        assert requests.get(url, auth=CLOUD_AUTH).json() == {
            "key": "tmsaction",
            "value": {"fingerprint": "def"},
        }
        files = {"file": ("trace.txt", b"Traceback...", "text/plain")}
        blocked = requests.post(
            f"{api(server)}/issue/{key}/attachments", files=files, auth=CLOUD_AUTH
        )
        assert blocked.status_code == 403
        assert blocked.text == "XSRF check failed"
        attached = requests.post(
            f"{api(server)}/issue/{key}/attachments",
            files=files,
            auth=CLOUD_AUTH,
            headers={"X-Atlassian-Token": "no-check"},
        )
        assert attached.status_code == 200
        assert attached.json()[0]["filename"] == "trace.txt"
        assert emulator.issue(key).attachments[0].content == b"Traceback..."
        wrong_part = requests.post(
            f"{api(server)}/issue/{key}/attachments",
            files={"upload": ("x.txt", b"x")},
            auth=CLOUD_AUTH,
            headers={"X-Atlassian-Token": "no-check"},
        )
        assert wrong_part.status_code == 400


def test_per_issue_limits_answer_413() -> None:
    with running() as (emulator, server):
        emulator.world.limits = Limits(comments=2, remote_links=1, issue_links=1)
        key = create(server)
        for _ in range(2):
            assert (
                post(f"{api(server)}/issue/{key}/comment", {"body": adf("again")}).status_code
                == 201
            )
        assert post(f"{api(server)}/issue/{key}/comment", {"body": adf("again")}).status_code == 413
        remote = {"object": {"url": "https://x", "title": "x"}}
        assert post(f"{api(server)}/issue/{key}/remotelink", remote).status_code == 201
        assert post(f"{api(server)}/issue/{key}/remotelink", remote).status_code == 413
        link = {
            "type": {"name": "Relates"},
            "inwardIssue": {"key": key},
            "outwardIssue": {"key": "SHOP-3"},
        }
        assert post(f"{api(server)}/issueLink", link).status_code == 201
        assert (
            post(
                f"{api(server)}/issueLink", link | {"outwardIssue": {"key": "SHOP-12"}}
            ).status_code
            == 413
        )


def test_permissions_missing_for_a_read_only_user() -> None:
    viewer = ("viewer@example.com", "viewer-token")
    with running() as (_, server):
        key = create(server)
        denied = post(f"{api(server)}/issue", bug(), auth=viewer)
        assert denied.json()["errorMessages"] == [
            "You do not have permission to create issues in this project."
        ]
        comment = post(f"{api(server)}/issue/{key}/comment", {"body": adf("x")}, auth=viewer)
        assert comment.status_code == 400
        assert (
            requests.get(f"{api(server)}/issue/{key}/transitions", auth=viewer).json()[
                "transitions"
            ]
            == []
        )
        types = requests.get(f"{api(server)}/issue/createmeta/SHOP/issuetypes", auth=viewer).json()
        assert types["issueTypes"] == []


# -- rate limits and faults ---------------------------------------------------------------------


def test_rate_limit_answers_429_with_jira_headers() -> None:
    from tmsaction.sandbox.jira.emulator import BurstLimit

    clock = FakeClock()
    with running(clock=clock) as (emulator, server):
        emulator.rate_limit = BurstLimit(5, window=10.0, clock=clock)
        answers = [requests.get(f"{api(server)}/myself", auth=CLOUD_AUTH) for _ in range(6)]
        assert [a.status_code for a in answers] == [200] * 5 + [429]
        assert answers[3].headers.get("X-RateLimit-NearLimit") == "true"
        throttled = answers[-1]
        assert throttled.headers["Retry-After"] == "10"
        assert throttled.headers["RateLimit-Reason"] == "jira-burst-based"
        assert throttled.headers["X-RateLimit-Remaining"] == "0"
        assert throttled.headers["X-RateLimit-Reset"].endswith("Z")


def test_per_issue_write_limit() -> None:
    with running() as (emulator, server):
        key = create(server)
        emulator.per_issue_write_limit = (2, 60.0)
        codes = [
            post(f"{api(server)}/issue/{key}/comment", {"body": adf("x")}).status_code
            for _ in range(3)
        ]
        assert codes == [201, 201, 429]
        assert (
            requests.get(f"{api(server)}/issue/{key}", auth=CLOUD_AUTH).status_code == 200
        )  # reads are free


def test_faults_from_the_shared_server() -> None:
    with running() as (emulator, server):
        emulator.faults.fail_next(503, retry_after=2, match=matching("POST", r"/issue\?"))
        response = post(f"{api(server)}/issue", bug())
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "2"
        assert emulator.issues()[-1].key == "SHOP-19"
        assert emulator.count("POST", "/issue") == 1


def test_sandbox_registry_serves_the_seeded_demo() -> None:
    from tmsaction.sandbox.registry import build_emulators

    jira = [e for e in build_emulators() if e.name == "jira"]
    assert len(jira) == 1
    keys = [issue.key for issue in jira[0].issues("SHOP")]  # type: ignore[attr-defined]
    assert keys == ["SHOP-3", "SHOP-12", "SHOP-14", "SHOP-15", "SHOP-16", "SHOP-19"]


def test_basic_header_garbage_is_a_401() -> None:
    with running() as (_, server):
        header = {"Authorization": "Basic " + base64.b64encode(b"\xff\xfe").decode()}
        assert requests.get(f"{api(server)}/myself", headers=header).status_code == 401


def test_reading_and_deleting_links_attachments_and_projects() -> None:
    with running() as (emulator, server):
        key = create(server)
        body = {
            "type": {"id": "10003"},
            "inwardIssue": {"key": key},
            "outwardIssue": {"key": "SHOP-3"},
        }
        post(f"{api(server)}/issueLink", body)
        [link] = emulator.world.links.values()
        read = requests.get(f"{api(server)}/issueLink/{link.id}", auth=CLOUD_AUTH).json()
        assert (read["inwardIssue"]["key"], read["outwardIssue"]["key"]) == (key, "SHOP-3")
        assert (
            requests.delete(f"{api(server)}/issueLink/{link.id}", auth=CLOUD_AUTH).status_code
            == 204
        )
        assert emulator.link_phrases(key) == []
        remote = post(
            f"{api(server)}/issue/{key}/remotelink",
            {"globalId": "g1", "object": {"url": "https://x", "title": "x"}},
        ).json()
        by_id = f"{api(server)}/issue/{key}/remotelink/{remote['id']}"
        assert requests.get(by_id, auth=CLOUD_AUTH).json()["globalId"] == "g1"
        gone = requests.delete(
            f"{api(server)}/issue/{key}/remotelink", params={"globalId": "g1"}, auth=CLOUD_AUTH
        )
        assert gone.status_code == 204
        assert emulator.issue(key).remote_links == []
        [attachment] = requests.post(
            f"{api(server)}/issue/{key}/attachments",
            files={"file": ("a.txt", b"abc")},
            headers={"X-Atlassian-Token": "no-check"},
            auth=CLOUD_AUTH,
        ).json()
        content = requests.get(attachment["content"], auth=CLOUD_AUTH)
        assert content.content == b"abc"
        projects = requests.get(f"{api(server)}/project/search", auth=CLOUD_AUTH).json()
        assert [p["key"] for p in projects["values"]] == ["SHOP"]
        components = requests.get(f"{api(server)}/project/SHOP/components", auth=CLOUD_AUTH).json()
        assert [c["name"] for c in components] == ["Checkout", "Cart", "Accounts", "Pricing"]
        missing = requests.get(f"{api(server)}/project/NOPE", auth=CLOUD_AUTH)
        assert missing.json()["errorMessages"] == ["No project could be found with key 'NOPE'."]
