"""The TestRail client against the emulator on loopback: pagination, throttling, lost answers,
the rate budget, and one-line errors that never carry the API key."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest
from tmsaction.clients.testrail import TestRailClient, TestRailError, normalise_base_url
from tmsaction.clients.testrail_timespan import format_elapsed, parse_timespan
from tmsaction.errors import OutcomeUnknown, UsageError
from tmsaction.http import RetryPolicy, write_once
from tmsaction.sandbox.server import RateLimit, matching
from tmsaction.sandbox.testrail import DEMO_API_KEY, DEMO_USER, TestRailEmulator, seed_demo

from tests.testrail_support import FakeClock, serve

FAST = RetryPolicy(max_attempts=3)


@pytest.fixture
def served() -> Iterator[tuple[TestRailEmulator, str]]:
    with serve() as running:
        yield running


def client_for(url: str, clock: FakeClock | None = None, **kwargs: object) -> TestRailClient:
    clock = clock or FakeClock()
    return TestRailClient(
        url,
        DEMO_USER,
        DEMO_API_KEY,
        sleep=clock.sleep,
        clock=clock.now,
        retry=kwargs.pop("retry", FAST),  # type: ignore[arg-type]
        seed=1,
        **kwargs,  # type: ignore[arg-type]
    )


def fail(call: object, *args: object) -> TestRailError:
    """The TestRailError a call raises; its message must never hold the key."""
    with pytest.raises(TestRailError) as caught:
        call(*args)  # type: ignore[operator]
    assert DEMO_API_KEY not in str(caught.value)
    assert "\n" not in str(caught.value)
    return caught.value


# -- reading --------------------------------------------------------------------------------------------


def test_pagination_builds_each_next_request_itself(served: tuple[TestRailEmulator, str]) -> None:
    emulator, url = served
    with emulator.lock:
        for n in range(600):
            emulator.world.add_case(2, f"checkout case {n}", refs=f"SHOP-{n}")
    client = client_for(url)
    cases = client.get_cases(1, 1)
    assert len(cases) == 606
    assert len({c["id"] for c in cases}) == 606
    assert emulator.count("GET", "get_cases") == 3  # 250 + 250 + 106
    filtered = client.get_cases(1, 1, section_id=2, refs="SHOP-599")
    assert [c["title"] for c in filtered] == ["checkout case 599"]


def test_bare_arrays_from_old_servers_are_read_whole() -> None:
    emulator = seed_demo(TestRailEmulator(legacy_arrays=True, legacy_auth_prefix=True))
    with serve(emulator) as (_, url):
        client = client_for(url)
        assert [s["name"] for s in client.get_suites(1)] == ["Backend", "Web"]
        assert [c["id"] for c in client.get_cases(1, 2)] == [201, 202]
        assert client.get_project(1)["name"] == "Shop"  # legacy prefix stripped


def test_reference_data(served: tuple[TestRailEmulator, str]) -> None:
    _, url = served
    client = client_for(url)
    assert [s["name"] for s in client.get_statuses()] == [
        "passed", "blocked", "untested", "retest", "failed"]  # fmt: skip
    assert any(f["system_name"] == "custom_automation_id" for f in client.get_case_fields())
    assert [f["system_name"] for f in client.get_result_fields()] == ["custom_step_results"]
    assert {t["name"] for t in client.get_case_types()} >= {"Regression", "Automated"}
    assert [p["name"] for p in client.get_priorities()][-1] == "Critical"
    assert client.get_templates(1)[0]["is_default"] is True
    assert [c["name"] for c in client.get_configs(1)[0]["configs"]] == ["Chrome", "Firefox"]
    assert [m["name"] for m in client.get_milestones(1)] == ["Release 1.0"]
    assert client.get_current_user()["email"] == DEMO_USER
    assert [u["email"] for u in client.get_users()] == [DEMO_USER]


def test_current_user_falls_back_on_servers_before_6_6(
    served: tuple[TestRailEmulator, str],
) -> None:
    emulator, url = served
    emulator.faults.fail_next(
        404, body=json.dumps({"error": "Unknown method 'get_current_user'"}),
        match=matching("GET", "get_current_user"),
    )  # fmt: skip
    assert client_for(url).get_current_user()["id"] == 1


# -- throttling and retries ---------------------------------------------------------------------------


def test_429_waits_for_retry_after(served: tuple[TestRailEmulator, str]) -> None:
    emulator, url = served
    body = '{"error":"API Rate Limit Exceeded - 180 per minute maximum allowed. Retry after 7 seconds."}'
    emulator.faults.fail_next(429, retry_after=7, body=body, match=matching("POST", "add_run"))
    clock = FakeClock()
    client = client_for(url, clock, per_minute=None)
    run = client.add_run(1, "throttled", [101], suite_id=1)
    assert clock.slept == [7.0]
    assert client.http.stats.throttled == 1
    assert [r["id"] for r in emulator.runs()] == [run["id"]]


def test_reads_retry_5xx_and_resets(served: tuple[TestRailEmulator, str]) -> None:
    emulator, url = served
    emulator.faults.fail_next(503, match=matching("GET", "get_project"))
    emulator.faults.reset_next(match=matching("GET", "get_project"))
    clock = FakeClock()
    assert client_for(url, clock).get_project(1)["name"] == "Shop"
    assert len(clock.slept) == 2


def test_budget_keeps_under_the_limit_without_a_single_429() -> None:
    clock = FakeClock()
    emulator = seed_demo(TestRailEmulator())
    emulator.rate_limit = RateLimit(180, 60.0, clock=clock.now)
    with serve(emulator) as (_, url):
        client = client_for(url, clock)
        for _ in range(400):
            client.get_project(1)
    assert emulator.rate_limit.rejected == 0
    assert client.http.stats.throttled == 0
    # 400 requests at 170 a minute after a burst of 5 take at least (400 - 5) / 170 minutes.
    assert clock.now() - 1_000 >= (400 - 5) / 170 * 60 - 1


def test_without_a_budget_the_limit_answers_429_and_the_client_recovers() -> None:
    clock = FakeClock()
    emulator = seed_demo(TestRailEmulator())
    emulator.rate_limit = RateLimit(10, 60.0, clock=clock.now)
    with serve(emulator) as (_, url):
        client = client_for(url, clock, per_minute=None)
        for _ in range(25):
            client.get_project(1)
    assert client.http.stats.throttled == 2
    assert emulator.rate_limit.rejected == 2


# -- writes whose answer was lost ---------------------------------------------------------------------


def test_a_lost_add_run_is_found_again_instead_of_resent(
    served: tuple[TestRailEmulator, str],
) -> None:
    emulator, url = served
    client = client_for(url)
    emulator.faults.lose_next_response(match=matching("POST", "add_run"))
    with pytest.raises(OutcomeUnknown):
        client.add_run(1, "Nightly", [101, 102], suite_id=1, description="tmsaction:first")
    assert [r["description"] for r in emulator.runs()] == ["tmsaction:first"]  # it was applied

    marker = "tmsaction:acme/shop/1234/1"

    def send() -> int:
        return client.add_run(1, "Nightly", [101, 102], suite_id=1, description=marker)["id"]

    def verify() -> int | None:
        found = client.find_runs(1, marker)
        return found[0]["id"] if found else None

    emulator.faults.lose_next_response(match=matching("POST", "add_run"))
    run_id = write_once(send, verify, sleep=lambda _: None)
    assert [r["id"] for r in emulator.runs() if r["description"] == marker] == [run_id]
    assert emulator.count("POST", "add_run") == 2  # the lost one was not sent again


def test_a_lost_result_batch_is_visible_as_a_whole(served: tuple[TestRailEmulator, str]) -> None:
    emulator, url = served
    client = client_for(url)
    run = client.add_run(1, "r", [101, 102, 103], suite_id=1)
    start = emulator.world.now() - 1
    emulator.faults.lose_next_response(match=matching("POST", "add_results_for_cases"))
    batch = [{"case_id": c, "status_id": 1} for c in (101, 102, 103)]
    with pytest.raises(OutcomeUnknown):
        client.add_results_for_cases(run["id"], batch)
    landed = client.results_since(run["id"], start, created_by=1)
    assert sorted(r["test_id"] for r in landed) == sorted(
        t["id"] for t in emulator.tests(run["id"])
    )


def test_read_backs_for_sections_cases_and_plan_entries(
    served: tuple[TestRailEmulator, str],
) -> None:
    _, url = served
    client = client_for(url)
    section = client.add_section(1, "Payments", suite_id=1)
    client.add_section(1, "Payments", suite_id=1, parent_id=section["id"])
    assert [s["id"] for s in client.find_sections(1, 1, "Payments", None)] == [section["id"]]
    case = client.add_case(section["id"], {"title": "Refunds [x]", "refs": "SHOP-5"})
    assert [c["id"] for c in client.find_cases(1, 1, section["id"], "Refunds [x]")] == [case["id"]]
    assert client.find_cases(1, 1, section["id"], "Refunds") == []
    plan = client.add_plan(1, "Release")
    entry = client.add_plan_entry(plan["id"], 1, "Backend", [101], description="tmsaction:run-9")
    assert [e["id"] for e in client.find_plan_entries(plan["id"], "run-9")] == [entry["id"]]


# -- the write calls ------------------------------------------------------------------------------------


def test_runs_results_and_attachments(served: tuple[TestRailEmulator, str]) -> None:
    emulator, url = served
    client = client_for(url)
    run = client.add_run(1, "Nightly", [101, 102], suite_id=1, milestone_id=1, refs="SHOP-12")
    assert (run["include_all"], run["untested_count"], run["milestone_id"]) == (False, 2, 1)
    assert client.add_cases_to_run(run["id"], [101]) is None
    updated = client.add_cases_to_run(run["id"], [103, 104])
    assert updated is not None
    assert sorted(t["case_id"] for t in client.get_tests(run["id"])) == [101, 102, 103, 104]
    results = client.add_results_for_cases(run["id"], [
        {"case_id": 103, "status_id": 5, "comment": "boom", "elapsed": format_elapsed(0.2)},
        {"case_id": 101, "status_id": 1, "elapsed": format_elapsed(75.4)},
    ])  # fmt: skip
    assert [r["elapsed"] for r in results] == ["1s", "1m 15s"]
    assert parse_timespan(results[1]["elapsed"]) == 75
    attachment = client.add_attachment_to_result(results[0]["id"], "shot.png", b"\x89PNG")
    assert emulator.attachment(int(attachment))[1] == b"\x89PNG"
    assert [a["name"] for a in client.get_attachments_for_test(results[0]["test_id"])] == [
        "shot.png"
    ]
    assert [t["case_id"] for t in client.get_tests(run["id"], status_id=[5])] == [103]
    assert len(client.get_results_for_case(run["id"], 103)) == 1
    closed = client.close_run(run["id"])
    assert closed["is_completed"] is True
    assert [r["id"] for r in client.get_runs(1, is_completed=True)] == [run["id"]]


def test_plans_with_configurations(served: tuple[TestRailEmulator, str]) -> None:
    _, url = served
    client = client_for(url)
    chrome, firefox = (c["id"] for c in client.get_configs(1)[0]["configs"])
    plan = client.add_plan(1, "Release 1.0", milestone_id=1)
    entry = client.add_plan_entry(plan["id"], 2, "Web", [201, 202], config_ids=[chrome, firefox])
    assert sorted(r["config"] or "" for r in entry["runs"]) == ["Chrome", "Firefox"]
    run_id = entry["runs"][0]["id"]
    client.update_run_in_plan_entry(run_id, {"include_all": False, "case_ids": [201]})
    assert client.get_run(run_id)["untested_count"] == 1
    client.update_plan_entry(plan["id"], entry["id"], {"name": "Web (all browsers)"})
    assert client.get_plan(plan["id"])["entries"][0]["name"] == "Web (all browsers)"
    assert [p["id"] for p in client.get_plans(1)] == [plan["id"]]
    assert len(client.get_runs(1, include_plan_runs=True)) == 2
    assert client.close_plan(plan["id"])["is_completed"] is True


# -- failures as one-line messages -----------------------------------------------------------------------


def test_connection_refused_names_the_url() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = client_for(f"http://127.0.0.1:{port}")
    error = fail(client.get_project, 1)
    assert error.kind == "unreachable"
    assert f"http://127.0.0.1:{port}" in str(error)
    assert "testrail_url" in str(error)


def test_wrong_path_and_html_answers(served: tuple[TestRailEmulator, str]) -> None:
    emulator, url = served
    error = fail(client_for(url + "/testrail").get_project, 1)
    assert (error.kind, error.status) == ("bad_url", 404)
    assert "testrail_url" in str(error)
    emulator.faults.fail_next(200, body="<html>Sign in</html>", match=matching("GET"))
    error = fail(client_for(url).get_project, 1)
    assert error.kind == "not_testrail"


def test_bad_credentials_name_the_api_key_and_save_settings(
    served: tuple[TestRailEmulator, str],
) -> None:
    _, url = served
    client = TestRailClient(url, DEMO_USER, "wrong-key-123", retry=FAST)
    error = fail(client.get_projects)
    assert (error.kind, error.status) == ("auth", 401)
    assert "testrail_api_key" in str(error)
    assert "Save Settings" in str(error)
    assert "wrong-key-123" not in str(error)


def test_api_disabled() -> None:
    with serve(seed_demo(TestRailEmulator(api_enabled=False))) as (_, url):
        error = fail(client_for(url).get_projects)
    assert error.kind == "api_disabled"
    assert "Administration → Site Settings → API" in str(error)


def test_missing_entities(served: tuple[TestRailEmulator, str]) -> None:
    _, url = served
    client = client_for(url)
    assert "testrail_project" in str(fail(client.get_project, 99))
    assert "testrail_run_id" in str(fail(client.get_run, 99))
    assert "C999" in str(fail(client.get_case, 999))
    assert "testrail_plan_id" in str(fail(client.get_plan, 99))
    error = fail(client.get_cases, 1)
    assert error.kind == "suite_required"
    assert "testrail_suite" in str(error)


def test_results_for_a_case_outside_the_run_name_the_case(
    served: tuple[TestRailEmulator, str],
) -> None:
    emulator, url = served
    client = client_for(url)
    run = client.add_run(1, "r", [101], suite_id=1)
    error = fail(client.add_results_for_cases, run["id"], [
        {"case_id": 101, "status_id": 1}, {"case_id": 105, "status_id": 1}])  # fmt: skip
    assert (error.kind, error.case_id) == ("case_not_in_run", 105)
    assert f"R{run['id']}" in str(error)
    assert emulator.results(run["id"]) == []


def test_closed_runs_and_plan_runs(served: tuple[TestRailEmulator, str]) -> None:
    _, url = served
    client = client_for(url)
    run = client.add_run(1, "r", [101], suite_id=1)
    client.close_run(run["id"])
    error = fail(client.add_results_for_cases, run["id"], [{"case_id": 101, "status_id": 1}])
    assert error.kind == "closed"
    assert f"R{run['id']} is closed" in str(error)
    plan = client.add_plan(1, "p")
    plan_run = client.add_plan_entry(plan["id"], 1, "e", [101])["runs"][0]
    error = fail(client.update_run, plan_run["id"], {"name": "x"})
    assert error.kind == "plan_run"
    assert "testrail_plan_id" in str(error)
    assert fail(client.close_run, plan_run["id"]).kind == "plan_run"


def test_permissions_and_required_fields(served: tuple[TestRailEmulator, str]) -> None:
    emulator, url = served
    with emulator.lock:
        emulator.world.add_user(
            "Viewer", "viewer@example.com", api_key="viewer-key", role="Read-only"
        )
        emulator.world.add_case_field("component", 1, "Component", required=True)
    viewer = TestRailClient(url, "viewer@example.com", "viewer-key", retry=FAST)
    error = fail(viewer.add_run, 1, "r", [101])
    assert error.kind == "forbidden"
    assert "viewer@example.com" in str(error)
    error = fail(client_for(url).add_case, 1, {"title": "t"})
    assert error.kind == "required_field"
    assert "custom_component" in str(error)


def test_request_too_large() -> None:
    with serve(seed_demo(TestRailEmulator(max_body_bytes=2_000))) as (emulator, url):
        client = client_for(url)
        run = client.add_run(1, "r", [101], suite_id=1)
        error = fail(client.add_results_for_cases, run["id"],
                     [{"case_id": 101, "status_id": 5, "comment": "x" * 5_000}])  # fmt: skip
    assert (error.kind, error.status) == ("too_large", 413)
    assert emulator.results(run["id"]) == []


def test_a_post_redirect_says_to_use_the_new_address(served: tuple[TestRailEmulator, str]) -> None:
    emulator, url = served
    emulator.faults.fail_next(301, match=matching("POST"))
    client = client_for(url)
    error = fail(lambda: client.add_run(1, "r", [101], suite_id=1))
    assert error.kind == "redirect"


def test_base_urls_are_normalised() -> None:
    assert normalise_base_url(" https://acme.testrail.io/ ") == "https://acme.testrail.io"
    assert normalise_base_url("https://acme.testrail.io/index.php?/dashboard") == (
        "https://acme.testrail.io"
    )
    assert normalise_base_url("http://tr.local/testrail/index.php") == "http://tr.local/testrail"
    with pytest.raises(UsageError, match=r"https://acme\.testrail\.io"):
        normalise_base_url("acme.testrail.io")
    with pytest.raises(UsageError, match="empty"):
        normalise_base_url("")


def test_elapsed_formatting() -> None:
    assert format_elapsed(None) is None
    assert format_elapsed(0) is None
    assert format_elapsed(0.001) == "1s"
    assert format_elapsed(1.5) == "2s"
    assert format_elapsed(3600.4) == "3600s"
    assert parse_timespan("1h 2m 3s") == 3723
    assert parse_timespan("1hr 1min 40sec") == 3700
    assert parse_timespan("1d") == 8 * 3600
    assert parse_timespan("soon") is None


def test_full_updates_are_retried_and_closes_are_read_back(
    served: tuple[TestRailEmulator, str],
) -> None:
    emulator, url = served
    client = client_for(url)
    run = client.add_run(1, "r", [101], suite_id=1)
    emulator.faults.fail_next(502, match=matching("POST", "update_run"))
    updated = client.update_run(run["id"], {"include_all": False, "case_ids": [101, 102]})
    assert updated["untested_count"] == 2
    assert emulator.count("POST", "update_run") == 2  # a full update converges: safe to resend
    emulator.faults.lose_next_response(match=matching("POST", "close_run"))
    assert client.close_run(run["id"])["is_completed"] is True
    assert emulator.count("POST", "close_run") == 1  # read back, not closed twice


def test_giving_up_says_why(served: tuple[TestRailEmulator, str]) -> None:
    emulator, url = served
    emulator.faults.fail_next(503, match=matching("GET"), times=3)
    assert fail(client_for(url).get_project, 1).kind == "unavailable"
    emulator.faults.fail_next(429, retry_after=1, match=matching("GET"), times=3)
    error = fail(client_for(url, per_minute=None).get_project, 1)
    assert (error.kind, error.status) == ("rate_limited", 429)
