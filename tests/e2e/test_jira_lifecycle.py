"""The defect lifecycle through `main()` against the Jira emulator, on Jira Cloud (eventually
consistent search) and Data Center: file, rerun without duplicates, recurrence, fixed, reopen or
file-and-link, never reopen, flaky, links, story comments, dry run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tmsaction.sandbox.jira.seed import DONE
from tmsaction.sandbox.jira.world import Deployment

from tests.jira_runs import Case, JiraWorld, jira_world

FAILING = [
    Case("addsItem", "failed", ("SHOP-12",)),
    Case("removesItem", "error", ("SHOP-12", "SHOP-14")),
    Case("appliesDiscount", "failed", ("SHOP-14",)),
    Case("logsIn", "passed", ("SHOP-3",), classname="com.acme.shop.LoginTest"),
]
FIXED = [
    Case("addsItem", "passed", ("SHOP-12",)),
    Case("removesItem", "passed", ("SHOP-12", "SHOP-14")),
    Case("appliesDiscount", "failed", ("SHOP-14",)),
    Case("logsIn", "passed", ("SHOP-3",), classname="com.acme.shop.LoginTest"),
]
RESOLVE = """
jira:
  defects:
    resolve:
      transitions: [Done]
      resolution: Fixed
"""


@pytest.fixture(params=["cloud", "datacenter"])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[JiraWorld]:
    deployment: Deployment = request.param
    with jira_world(tmp_path, deployment, config=RESOLVE) as made:
        yield made


def test_first_run_files_one_defect_per_failing_test_with_texts_links_and_outputs(
    world: JiraWorld,
) -> None:
    run = world.run(FAILING)
    assert run.code == 0, run.log
    keys = world.defects()
    assert len(keys) == 3
    assert run.outputs["defects_created"] == ",".join(keys)
    assert run.outputs["defects_updated"] == ""
    by_test = {name: run.entry(name) for name in ("addsItem", "removesItem", "appliesDiscount")}
    assert {entry["defect"] for entry in by_test.values() if entry} == set(keys)
    assert all(
        entry and entry["action"] == "create" and entry["done"] for entry in by_test.values()
    )
    assert run.jira("logsIn") is None
    removes = world.emulator.issue(by_test["removesItem"]["defect"])
    assert removes.summary == "Failing test: com.acme.shop.CartTest › removesItem"
    assert "tmsaction" in removes.labels
    assert "tmsaction-acme.shop" in removes.labels
    description = world.emulator.issue(removes.key).fields["description"]
    text = str(description.adf if world.deployment == "cloud" else description.wiki)
    assert "expected 3 but was 2" in text
    assert "CartTest.java:42" in text
    assert "https://github.com/acme/shop/actions/runs/1001" in text
    # "DEF relates to SHOP-12" and SHOP-14: the configured type, from the defect's side.
    assert world.emulator.link_phrases(removes.key) == [
        ("relates to", "SHOP-12"),
        ("relates to", "SHOP-14"),
    ]
    [run_link] = world.emulator.issue(removes.key).remote_links
    assert run_link.object["url"] == "https://github.com/acme/shop/actions/runs/1001"
    assert removes.properties["tmsaction"]["filed"] == "acme/shop run 1001"
    # The summary names every filed defect with its link and shows it on its stories.
    for key in keys:
        assert f"[{key}]({world.server.url}/browse/{key})" in run.summary
    assert "### 🐞 Jira defects" in run.summary
    assert "Filed **3**" in run.summary
    cart = next(line for line in run.summary.splitlines() if line.startswith("| [SHOP-12]"))
    assert "Cart" in cart
    assert "❌ failing" in cart
    assert by_test["addsItem"]["defect"] in cart


def test_a_rerun_seconds_later_files_nothing_new_and_comments_once(world: JiraWorld) -> None:
    first = world.run(FAILING, run_id="1001")
    keys = world.defects()
    # Cloud: search has indexed none of the new defects (the fake clock has not moved).
    second = world.run(FAILING, run_id="1002")
    assert second.code == 0, second.log
    assert world.defects() == keys
    assert second.count("POST", "/issue") == 0
    assert second.outputs["defects_created"] == ""
    assert sorted(second.outputs["defects_updated"].split(",")) == sorted(keys)
    assert {second.entry(n)["action"] for n in ("addsItem", "appliesDiscount")} == {"comment"}
    for key in keys:
        [comment] = world.comments(key)
        assert "Failed again in" in comment
        assert "tmsaction · failed · acme/shop run 1002" in comment
    # A second attempt of the same workflow run adds nothing: one comment per run.
    attempt = world.run(FAILING, run_id="1002", attempt="2")
    assert attempt.writes == []
    assert "Already up to date: " in attempt.summary
    assert all(f"[{key}](" in attempt.summary for key in keys)
    assert all(len(world.comments(key)) == 1 for key in keys)
    assert first.searches <= 4
    assert second.searches <= 4


def test_fixed_tests_are_noticed_commented_and_moved_by_the_configured_transition(
    world: JiraWorld,
) -> None:
    world.run(FAILING, run_id="1001")
    fixed = world.run(FIXED, run_id="1002")
    assert fixed.code == 0, fixed.log
    adds = fixed.jira("addsItem")
    removes = fixed.jira("removesItem")
    assert adds is not None
    assert removes is not None
    assert adds["action"] == "resolve"
    assert adds["done"]
    assert world.emulator.status_of(adds["defect"]) == "Done"
    assert world.emulator.resolution_of(adds["defect"]) == "Fixed"
    assert "Passes again in" in world.comments(adds["defect"])[-1]
    still = fixed.jira("appliesDiscount")
    assert still is not None
    assert still["action"] == "comment"
    assert world.emulator.status_of(still["defect"]) == "To Do"
    assert set(fixed.outputs["defects_updated"].split(",")) == {
        adds["defect"],
        removes["defect"],
        still["defect"],
    }
    assert "✅ passes again" in fixed.summary
    # Passing again in the next run changes nothing more: the defect is resolved.
    again = world.run(FIXED, run_id="1003")
    assert again.jira("addsItem") is None
    assert [c for c in world.comments(adds["defect"]) if "Passes again" in c] == [
        world.comments(adds["defect"])[-1]
    ]


def test_a_pass_without_transitions_is_commented_once(tmp_path: Path) -> None:
    with jira_world(tmp_path) as world:
        world.run(FAILING, run_id="1001")
        world.run(FIXED, run_id="1002")
        world.run(FIXED, run_id="1003")
        key = next(k for k in world.defects() if "addsItem" in world.emulator.issue(k).summary)
        assert world.emulator.status_of(key) == "To Do"
        passes = [c for c in world.comments(key) if "Passes again" in c]
        assert len(passes) == 1
        assert "run 1002" in passes[0]


def _resolve(world: JiraWorld, key: str, resolution: str, days_ago: float = 0.0) -> None:
    with world.emulator.lock:
        issue = world.emulator.issue(key)
        issue.status_id = DONE
        found = world.emulator.world.resolution(resolution)
        assert found is not None
        issue.resolution_id = found.id
        issue.resolution_date = world.emulator.now() - days_ago * 86400
        world.emulator.index.reindex(world.emulator.world, issue, immediately=True)


def test_a_resolved_defect_that_fails_again_is_reopened_within_the_window(
    world: JiraWorld,
) -> None:
    one = [Case("addsItem", "failed", ("SHOP-12",))]
    world.run(one, run_id="1001")
    [key] = world.defects()
    _resolve(world, key, "Fixed", days_ago=3)
    again = world.run(one, run_id="1002")
    assert again.jira("addsItem") == {
        "defect": key,
        "action": "reopen",
        "done": True,
        "reason": f"{key} was resolved (Fixed) and fails again: it is reopened",
        "error": None,
    }
    assert world.defects() == [key]
    assert world.emulator.status_of(key) == "To Do"
    assert "reopened this defect" in world.comments(key)[-1]
    assert "🔄 reopened" in again.summary


def test_past_the_window_a_new_defect_is_filed_and_linked_to_the_old_one(
    world: JiraWorld,
) -> None:
    one = [Case("addsItem", "failed", ("SHOP-12",))]
    world.run(one, run_id="1001")
    [old] = world.defects()
    _resolve(world, old, "Fixed", days_ago=45)
    again = world.run(one, run_id="1002")
    entry = again.jira("addsItem")
    assert entry is not None
    assert entry["action"] == "create-linked"
    new = entry["defect"]
    assert world.defects() == [old, new]
    assert ("relates to", old) in world.emulator.link_phrases(new)
    assert world.emulator.status_of(old) == "Done"
    assert f"follows [{old}]" in again.summary
    # The next failure finds the new, open defect (the old one stays resolved).
    third = world.run(one, run_id="1003")
    assert third.entry("addsItem")["defect"] == new
    assert third.count("POST", "/issue") == 0


def test_policy_new_files_a_linked_defect_even_within_the_window(tmp_path: Path) -> None:
    config = "jira:\n  defects:\n    reopen:\n      policy: new\n"
    with jira_world(tmp_path, config=config) as world:
        one = [Case("addsItem", "failed")]
        world.run(one, run_id="1001")
        [old] = world.defects()
        _resolve(world, old, "Fixed", days_ago=1)
        again = world.run(one, run_id="1002")
        assert again.entry("addsItem")["action"] == "create-linked"
        assert world.emulator.status_of(old) == "Done"
        assert len(world.defects()) == 2


def test_wont_fix_is_never_reopened_and_nothing_new_is_filed(world: JiraWorld) -> None:
    one = [Case("addsItem", "failed")]
    world.run(one, run_id="1001")
    [key] = world.defects()
    _resolve(world, key, "Won't Fix", days_ago=1)
    again = world.run(one, run_id="1002")
    entry = again.jira("addsItem")
    assert entry is not None
    assert entry["action"] == "skip"
    assert entry["defect"] == key
    assert "never reopened" in entry["reason"]
    assert world.defects() == [key]
    assert world.emulator.status_of(key) == "Done"
    assert again.writes == []
    assert "Defects left as they are (1)" in again.summary
    # The TestRail post still learns which defect accounts for the failure.
    assert "Won't Fix" in again.summary


def test_flaky_tests_file_nothing_unless_configured(tmp_path: Path) -> None:
    flaky = [Case("addsItem", "flaky")]
    with jira_world(tmp_path) as world:
        run = world.run(flaky)
        assert run.results["tests"][0]["outcome"] == "flaky"
        assert world.defects() == []
        assert run.jira("addsItem") is None
        filing = world.run(flaky, config="jira:\n  defects:\n    flaky: true\n", run_id="1002")
        assert filing.entry("addsItem")["action"] == "create"
        [key] = world.defects()
        # A flaky result never resolves the defect (it failed, then passed on a rerun).
        later = world.run(flaky, run_id="1003")
        assert later.entry("addsItem")["action"] == "skip"
        assert world.emulator.status_of(key) == "To Do"


def test_branches_filter_stops_the_lifecycle_on_other_branches(tmp_path: Path) -> None:
    config = "jira:\n  defects:\n    branches: [main, 'release/*']\n"
    with jira_world(tmp_path, config=config) as world:
        feature = world.run(FAILING, branch="feature/cart")
        assert world.defects() == []
        assert feature.writes == []
        assert feature.count("GET", "/issue/{key}") == 0  # nothing about defects is read
        assert "branch feature/cart is not in jira.defects.branches (main, release/" in (
            feature.summary
        )
        release = world.run(FAILING, branch="release/2.4")
        assert len(world.defects()) == 3
        assert release.code == 0


def test_story_to_defect_links_with_another_link_type_and_no_duplicates(tmp_path: Path) -> None:
    config = "jira:\n  defects:\n    link:\n      type: blocks\n      direction: story-to-defect\n"
    with jira_world(tmp_path, config=config) as world:
        one = [Case("addsItem", "failed", ("SHOP-12",))]
        world.run(one, run_id="1001")
        [key] = world.defects()
        assert world.emulator.link_phrases("SHOP-12") == [("blocks", key)]
        assert world.emulator.link_phrases(key) == [("is blocked by", "SHOP-12")]
        # The test now also covers SHOP-14: the next failure adds that link, and only that one.
        world.run([Case("addsItem", "failed", ("SHOP-12", "SHOP-14"))], run_id="1002")
        assert world.emulator.link_phrases(key) == [
            ("is blocked by", "SHOP-12"),
            ("is blocked by", "SHOP-14"),
        ]


def test_stories_get_one_rolling_comment_updated_by_each_run(tmp_path: Path) -> None:
    with jira_world(tmp_path, config="jira:\n  comment_on_stories: true\n") as world:
        run = world.run(FAILING, run_id="1001")
        assert "commented on 3 stories with the test results" in run.summary
        [first] = world.comments("SHOP-14")
        assert "2 tests cover this story: 2 failed" in first
        world.run(FIXED, run_id="1002")
        [second] = world.comments("SHOP-14")
        assert "1 passed, 1 failed" in second
        assert "run 002" in second
        assert world.comments("SHOP-19") == []  # no test covers it


def test_dry_run_reads_jira_plans_and_writes_nothing(world: JiraWorld) -> None:
    world.run(FAILING, run_id="1001")
    keys = world.defects()
    plan = world.run([*FIXED, Case("checksOut", "failed")], run_id="1002", dry_run=True)
    assert plan.code == 0, plan.log
    assert plan.writes == []
    assert plan.searches >= 1
    assert world.defects() == keys
    assert plan.jira("checksOut") == {
        "defect": None,
        "action": "create",
        "done": False,
        "reason": "no defect has this fingerprint (acme/shop: com.acme.shop.CartTest › checksOut)",
        "error": None,
    }
    assert plan.entry("addsItem")["action"] == "resolve"
    assert "### 🐞 Jira defects (dry run: nothing was written)" in plan.summary
    assert "Would file **1**, comment on **1**, reopen **0** and resolve **2**" in plan.summary
    assert "would resolve" in plan.summary
    assert "would file" in plan.summary
    assert plan.outputs["defects_created"] == ""
