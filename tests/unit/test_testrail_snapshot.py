"""The snapshot reader: TestRail projects, suites, sections and cases into the pure catalog values,
with projects and suites resolved the way users name them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tmsaction.catalog import Case
from tmsaction.clients.testrail import TestRailClient, TestRailError
from tmsaction.clients.testrail_snapshot import (
    read_catalog,
    resolve_project,
    resolve_suite,
    split_refs,
    to_case,
    unwrap_automation_id,
)
from tmsaction.http import RetryPolicy
from tmsaction.sandbox.testrail import DEMO_API_KEY, DEMO_USER, TestRailEmulator
from tmsaction.sandbox.testrail.defaults import DROPDOWN, STRING, TEXT

from tests.testrail_support import FakeClock, serve


@pytest.fixture
def served() -> Iterator[tuple[TestRailEmulator, TestRailClient]]:
    with serve() as (emulator, url):
        clock = FakeClock()
        client = TestRailClient(
            url, DEMO_USER, DEMO_API_KEY, sleep=clock.sleep, clock=clock.now,
            retry=RetryPolicy(max_attempts=2),
        )  # fmt: skip
        yield emulator, client


def test_a_suite_reads_into_catalog_values(
    served: tuple[TestRailEmulator, TestRailClient],
) -> None:
    emulator, client = served
    with emulator.lock:
        emulator.world.add_case_field("component", DROPDOWN, "Component", items="1, Cart\n2, Pay")
        emulator.world.add_section(1, "Coupons", parent_id=1)
        emulator.world.cases[103]["custom_component"] = 1
    snapshot = read_catalog(client, [(None, None)], project="Shop", suite="Backend")
    assert snapshot.problems == ()
    [suite] = snapshot.catalog.suites
    assert (suite.project_id, suite.project_name, suite.suite_id, suite.suite_name) == (
        1, "Shop", 1, "Backend")  # fmt: skip
    assert [(s.name, s.depth) for s in suite.sections] == [
        ("Cart", 0),
        ("Coupons", 1),
        ("Checkout", 0),
    ]
    coupons = suite.sections[1]
    assert suite.section_path(coupons.id) == ("Cart", "Coupons")
    cases = {c.id: c for c in suite.cases}
    assert sorted(cases) == [101, 102, 103, 104, 105, 106]
    assert cases[104].refs == ("SHOP-12", "SHOP-14")
    assert cases[104].type_id == 9
    assert cases[105].automation_id == "com.acme.shop.CheckoutTest.chargesCardOnce"
    assert cases[101].automation_id is None
    assert cases[103].fields == {"custom_component": 1}
    assert cases[101].fields == {}
    assert cases[101].suite_id == 1
    assert snapshot.catalog.suite("shop", "backend") is suite
    # Only what is needed: the project list, the suites, one page of sections and of cases.
    assert [route for _, route in emulator.requests] == [
        "get_projects", "get_suites", "get_sections", "get_cases"]  # fmt: skip


def test_rich_text_automation_ids_are_unwrapped() -> None:
    emulator = TestRailEmulator(rich_text=True)
    world = emulator.world
    world.add_user("U", DEMO_USER, api_key=DEMO_API_KEY)
    world.add_case_field("case_automation_id", TEXT, "Automation ID")
    project = world.add_project("Rich")
    section = world.add_section(world.project_suites(project["id"])[0]["id"], "S")
    with serve(emulator) as (_, url):
        client = TestRailClient(url, DEMO_USER, DEMO_API_KEY, per_minute=None)
        created = client.add_case(
            section["id"], {"title": "t", "custom_case_automation_id": "a.B<C>&D"}
        )
        assert created["custom_case_automation_id"] == "<p>a.B&lt;C&gt;&amp;D</p>"  # type: ignore[typeddict-item]
        snapshot = read_catalog(client, [(None, None)], project=project["id"], suite=None)
    assert [c.automation_id for c in snapshot.catalog.suites[0].cases] == ["a.B<C>&D"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<p>com.acme.A</p>", "com.acme.A"),
        ("  <p>com.acme.A&amp;B </p> ", "com.acme.A&B"),
        ("plain.id", "plain.id"),
        ("<p></p>", None),
        ("", None),
        (None, None),
        (42, "42"),
    ],
)
def test_unwrap_automation_id(raw: object, expected: str | None) -> None:
    assert unwrap_automation_id(raw) == expected


def test_pure_conversions() -> None:
    assert split_refs(" SHOP-1,SHOP-2 ,, ") == ("SHOP-1", "SHOP-2")
    assert split_refs(None) == ()
    case = to_case(
        {"id": 7, "title": "t", "section_id": 3, "refs": "A-1",
         "custom_automation_id": "", "custom_case_automation_id": "<p>x.y</p>",
         "custom_preconds": None, "custom_goals": "g"},  # type: ignore[typeddict-unknown-key]
        suite_id=9,
    )  # fmt: skip
    assert case == Case(
        id=7, title="t", section_id=3, suite_id=9, refs=("A-1",), automation_id="x.y",
        fields={"custom_goals": "g"},
    )  # fmt: skip


def test_projects_resolve_by_id_or_name(served: tuple[TestRailEmulator, TestRailClient]) -> None:
    emulator, client = served
    assert resolve_project(client, 2)["name"] == "Legacy"
    assert resolve_project(client, " shop ")["id"] == 1
    with emulator.lock:
        emulator.world.add_project("2024")
        emulator.world.add_project("Shop", suite_mode=1)
    assert resolve_project(client, "2024")["name"] == "2024"  # a numeric name, not id 2024
    with pytest.raises(TestRailError, match=r"2 projects named 'Shop' \(ids 1, 4\)") as ambiguous:
        resolve_project(client, "Shop")
    assert ambiguous.value.kind == "ambiguous"
    with pytest.raises(TestRailError, match="did you mean 'Legacy'") as missing:
        resolve_project(client, "Legacyy")
    assert "testrail_project" in str(missing.value)
    assert missing.value.kind == "not_found"


def test_suites_follow_the_suite_mode(served: tuple[TestRailEmulator, TestRailClient]) -> None:
    emulator, client = served
    shop, legacy = resolve_project(client, "Shop"), resolve_project(client, "Legacy")
    assert resolve_suite(client, legacy, None)["name"] == "Master"
    assert resolve_suite(client, legacy, "Anything")["name"] == "Master"  # mode 1: the only suite
    assert resolve_suite(client, shop, "web")["id"] == 2
    assert resolve_suite(client, shop, 2)["name"] == "Web"
    assert resolve_suite(client, shop, "S1")["name"] == "Backend"
    with pytest.raises(TestRailError, match=r"several suites \('Backend', 'Web'\)") as required:
        resolve_suite(client, shop, None)
    assert required.value.kind == "suite_required"
    assert "testrail_suite" in str(required.value)
    with pytest.raises(TestRailError, match="did you mean 'Web'"):
        resolve_suite(client, shop, "Wep")
    with emulator.lock:
        baselines = emulator.world.add_project("Baselines", suite_mode=2)
        emulator.world.add_suite(baselines["id"], "Baseline 2.0", is_baseline=True)
    project = resolve_project(client, "Baselines")
    assert resolve_suite(client, project, None)["name"] == "Master"  # mode 2: the master
    assert resolve_suite(client, project, "Baseline 2.0")["is_baseline"] is True


def test_one_bad_route_does_not_stop_the_others(
    served: tuple[TestRailEmulator, TestRailClient],
) -> None:
    emulator, client = served
    with emulator.lock:
        emulator.world.add_case_field("owner", STRING, "Owner", project_ids=[2])
    routes = [
        (None, None),
        (None, "Web"),
        ("Legacy", None),
        ("Nope", None),
        (None, "Web"),
        (1, "2"),
    ]
    snapshot = read_catalog(client, routes, project="Shop", suite="Backend")
    assert [(s.project_name, s.suite_name) for s in snapshot.catalog.suites] == [
        ("Shop", "Backend"), ("Shop", "Web"), ("Legacy", "Master")]  # fmt: skip
    assert [e.kind for e in snapshot.problems] == ["not_found"]
    assert "'Nope'" in str(snapshot.problems[0])
    legacy = snapshot.catalog.suite("Legacy", None)
    assert legacy is not None
    assert [c.title for c in legacy.cases] == ["Home page loads", "Health endpoint answers"]


def test_errors_that_stop_everything_are_raised(
    served: tuple[TestRailEmulator, TestRailClient],
) -> None:
    _, client = served
    client.http.redact.add("demo-key")
    stranger = TestRailClient(client.base_url, DEMO_USER, "not-the-key", per_minute=None)
    with pytest.raises(TestRailError) as caught:
        read_catalog(stranger, [(None, None)], project="Shop", suite="Web")
    assert caught.value.kind == "auth"
    nothing = read_catalog(client, [(None, None)], project=None, suite=None)
    assert "testrail_project" in str(nothing.problems[0])
