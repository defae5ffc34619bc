"""Mass failures: a 300-failure run stays within `max_new`, lists the rest on one umbrella issue,
needs a handful of searches, and its reruns file nothing more."""

from __future__ import annotations

from pathlib import Path

from tests.jira_runs import Case, jira_world

BROKEN_BUILD = [
    Case(f"test{index:03d}", "failed", ("SHOP-12",) if index % 3 == 0 else ())
    for index in range(300)
]


def test_300_failures_file_max_new_defects_and_one_umbrella_with_a_handful_of_searches(
    tmp_path: Path,
) -> None:
    with jira_world(tmp_path) as world:
        first = world.run(BROKEN_BUILD, run_id="3001")
        assert first.code == 0, first.log
        defects = world.defects()
        assert len(defects) == 11  # max_new (10) and the umbrella issue
        # The open defects, the key walk, 300 fingerprints in 3 batches, the stories.
        assert first.searches == 6
        assert first.count("POST", "/issue") == 11
        umbrella = world.emulator.issue(defects[-1])
        assert umbrella.summary.startswith("Many tests fail in acme/shop CI")
        listed = [t for t in first.results["tests"] if t["sync"]["jira"]["action"] == "umbrella"]
        assert len(listed) == 290
        assert {t["sync"]["jira"]["defect"] for t in listed} == {umbrella.key}
        assert len(umbrella.properties["tmsaction"]["tests"]) == 290
        assert "290 failing tests over the cap of 10 new defects per run" in first.summary
        assert f"[{umbrella.key}]" in first.summary

        # Seconds later, before search has indexed any of it: nothing new is filed.
        rerun = world.run(BROKEN_BUILD, run_id="3002")
        assert world.defects() == defects
        assert rerun.count("POST", "/issue") == 0
        assert rerun.searches <= 4
        assert [c for c in world.comments(umbrella.key) if "run 3002" in c] != []
        # Another attempt of the same run writes nothing at all.
        attempt = world.run(BROKEN_BUILD, run_id="3002", attempt="2")
        assert attempt.writes == []

        # Once people resolve the umbrella, the tests still failing get their own defects,
        # again at most max_new per run.
        with world.emulator.lock:
            umbrella.status_id = "10002"
            umbrella.resolution_id = "10000"
            world.emulator.index.reindex(world.emulator.world, umbrella, immediately=True)
        world.emulator.settle()
        after = world.run(BROKEN_BUILD[:20], run_id="3003")
        assert after.count("POST", "/issue") == 10
        assert len(world.defects()) == 21
        assert after.summary.count("🆕 filed") == 10


def test_without_an_umbrella_the_tests_over_the_cap_are_reported_not_filed(
    tmp_path: Path,
) -> None:
    config = "jira:\n  defects:\n    max_new: 2\n    umbrella: false\n"
    with jira_world(tmp_path, config=config) as world:
        run = world.run(BROKEN_BUILD[:5])
        assert len(world.defects()) == 2
        assert [run.entry(f"test{i:03d}")["action"] for i in range(5)] == [
            "create",
            "create",
            "skip",
            "skip",
            "skip",
        ]
        assert "3 failing tests over the cap of 2 new defects per run are not filed" in run.summary
