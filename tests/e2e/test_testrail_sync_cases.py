"""`testrail_create_cases` and attachments through `main()` against the emulator: sections and
cases created from an empty project with the configured fields, nothing created twice on a
re-run, required custom case fields reported before any case is created, and the files a failed
test refers to uploaded to its result (within the workspace, and within bounds)."""

from __future__ import annotations

import base64
from pathlib import Path

from tmsaction.sandbox.testrail import TestRailEmulator, seed_demo
from tmsaction.sandbox.testrail.defaults import DROPDOWN

from tests.testrail_support import serve
from tests.testrail_sync_support import Case, Run, posts, run_action, workspace

CREATE = """\
version: 1
testrail:
  names:
    section: class
    strip_suffix: [Test]
    title: words
    root: [Automated]
  new_cases:
    type: Automated
    priority: High
jira:
  stories:
    properties: [story]
"""

NEW_TESTS = [
    Case("addsItemToEmptyCart", properties=(("story", "SHOP-12"),)),
    Case("removesItem", failure="item still there"),
    Case("paysByCard", classname="com.acme.shop.CheckoutTest"),
]


def run_greenfield(root: Path, url: str, attempt: str = "1") -> Run:
    return run_action(
        root,
        url,
        env={"GITHUB_RUN_ATTEMPT": attempt},
        testrail_project="Greenfield",
        testrail_suite="",
        testrail_create_cases="true",
    )


def greenfield() -> tuple[TestRailEmulator, int]:
    """The demo world plus an empty single-suite project."""
    emulator = seed_demo(TestRailEmulator())
    project = emulator.world.add_project("Greenfield", suite_mode=1)
    [suite] = emulator.world.project_suites(project["id"])
    return emulator, suite["id"]


def test_sections_and_cases_are_created_in_an_empty_project(tmp_path: Path) -> None:
    emulator, suite_id = greenfield()
    root = workspace(tmp_path / "ws", {"TEST-new.xml": NEW_TESTS}, CREATE)
    with serve(emulator) as (_, url):
        first = run_greenfield(root, url)
        before = len(emulator.requests)
        again = run_greenfield(root, url, attempt="2")
        rerun_posts = [m for m, _ in emulator.requests[before:] if m == "POST"]
        sections = {s["id"]: s for s in emulator.sections(suite_id)}
        cases = {c["title"]: c for c in emulator.cases(suite_id)}
        [tr_run] = emulator.runs(project_id=3)
        results = emulator.results(tr_run["id"])
    assert (first.code, again.code) == (0, 0), first.log
    paths = {
        (sections[s["parent_id"]]["name"] if s["parent_id"] else None, s["name"])
        for s in sections.values()
    }
    assert paths == {(None, "Automated"), ("Automated", "Cart"), ("Automated", "Checkout")}
    assert set(cases) == {"Adds item to empty cart", "Removes item", "Pays by card"}
    adds = cases["Adds item to empty cart"]
    assert (adds["type_id"], adds["priority_id"], adds["refs"]) == (3, 3, "SHOP-12")
    assert adds["custom_automation_id"] == "com.acme.shop.CartTest.addsItemToEmptyCart"
    assert sections[cases["Pays by card"]["section_id"]]["name"] == "Checkout"
    assert len(results) == 3
    assert {t["case_id"] for t in emulator.tests(tr_run["id"])} == {c["id"] for c in cases.values()}
    assert rerun_posts == []  # found by name the second time; results already there
    assert first.sync("removesItem")["case_created"] is True
    created = first.results["testrail"]["runs"][0]["created_cases"]
    assert sorted(c["title"] for c in created) == sorted(cases)
    assert "Cases created in TestRail (3)" in first.summary
    assert again.sync("removesItem")["status"] == "present"


def test_required_case_fields_are_reported_before_any_case_is_created(tmp_path: Path) -> None:
    emulator = seed_demo(TestRailEmulator())
    emulator.world.add_case_field(
        "component", DROPDOWN, "Component", required=True, items="1, Cart\n2, Checkout"
    )
    tests = [Case("addsItem", case_id=101), Case("brandNewTest")]
    root = workspace(tmp_path / "ws", {"TEST-x.xml": tests})
    with serve(emulator) as (_, url):
        run = run_action(root, url, testrail_create_cases="true")
        written = posts(emulator)
    message = (
        "TestRail requires case fields that the mapping config does not give, so none of the 1 new "
        "cases of Shop › Backend was created: set testrail.new_cases.fields.custom_component "
        "(Component, one of 1 = Cart; 2 = Checkout)"
    )
    assert run.code == 1
    assert "add_section" not in written
    assert "add_case" not in written
    assert run.sync("brandNewTest")["error"] == message
    assert run.sync("addsItem")["status"] == "sent"  # the rest is sent
    assert f"::warning title=TestRail::{message}" in run.log


def test_a_required_field_given_in_the_config_lets_cases_be_created(tmp_path: Path) -> None:
    emulator = seed_demo(TestRailEmulator())
    emulator.world.add_case_field(
        "component", DROPDOWN, "Component", required=True, items="1, Cart\n2, Checkout"
    )
    config = "version: 1\ntestrail:\n  new_cases:\n    fields:\n      custom_component: 2\n"
    root = workspace(tmp_path / "ws", {"TEST-x.xml": [Case("brandNewTest")]}, config)
    with serve(emulator) as (_, url):
        run = run_action(root, url, testrail_create_cases="true")
        [case] = [c for c in emulator.cases(1) if c["title"] == "brandNewTest"]
    assert run.code == 0, run.log
    assert case["custom_component"] == 2


def test_attachments_of_a_failed_test_are_uploaded_within_bounds(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    (root / "screens").mkdir(parents=True)
    (root / "screens" / "cart.png").write_bytes(b"\x89PNG cart")
    (tmp_path / "secret.txt").write_text("runner secrets")
    inline = "data:text/plain;base64," + base64.b64encode(b"browser log").decode()
    failing = Case(
        "removesItem",
        case_id=102,
        failure="item still there",
        stdout="[[ATTACHMENT|screens/cart.png]]",
        properties=(
            ("attachment", inline),
            ("screenshot", "../secret.txt"),
            ("screenshot", "screens/missing.png"),
        ),
    )
    workspace(root, {"TEST-x.xml": [Case("addsItem", case_id=101), failing]})
    with serve() as (emulator, url):
        run = run_action(root, url)
        [tr_run] = emulator.runs()
        by_test = {r["test_id"]: r for r in emulator.results(tr_run["id"])}
        test_102 = next(t for t in emulator.tests(tr_run["id"]) if t["case_id"] == 102)
        files = [emulator.attachment(a) for a in by_test[test_102["id"]]["attachment_ids"]]
        again = run_action(root, url, env={"GITHUB_RUN_ATTEMPT": "2"})
        after = {r["test_id"]: r for r in emulator.results(tr_run["id"])}
    assert run.code == 0, run.log
    assert sorted((record["name"], content) for record, content in files) == [
        ("attachment-2.txt", b"browser log"),
        ("cart.png", b"\x89PNG cart"),
    ]
    assert run.sync("removesItem")["attachments"] == 2
    assert (
        "'../secret.txt' (com.acme.shop.CartTest › removesItem) is outside the workspace" in run.log
    )
    assert "'screens/missing.png' (com.acme.shop.CartTest › removesItem) was not found" in run.log
    assert run.results["testrail"]["attachments"] == 2
    # A re-run finds the files on the result and uploads nothing again.
    assert again.code == 0
    assert len(after) == 2
    assert len(after[test_102["id"]]["attachment_ids"]) == 2
