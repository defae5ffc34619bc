"""Faults and bad input: seeded 429/503/resets/lost responses lose and duplicate nothing; Jira
down (from the start or in the middle) leaves the summary, the outputs, results_json and the PR
comment intact with a clear line; a wrong project, issue type, link type, permission, field or
value is one clear message."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from tmsaction.sandbox.github import seed_demo as seed_github
from tmsaction.sandbox.jira.world import ScreenField
from tmsaction.sandbox.server import SandboxServer, matching

from tests.jira_runs import Case, JiraWorld, jira_world

TWELVE = [
    Case(
        f"case{index:02d}", "failed" if index % 4 else "error", (f"SHOP-{(3, 12, 14)[index % 3]}",)
    )
    for index in range(12)
]
ROOM = "jira:\n  defects:\n    max_new: 20\n"


def fingerprint_owners(world: JiraWorld) -> Counter[str]:
    """How many issues carry each fingerprint label (a duplicate shows as 2)."""
    return Counter(
        label
        for issue in world.emulator.issues("SHOP")
        for label in issue.labels
        if label.startswith("tms-")
    )


@pytest.mark.parametrize(("deployment", "seed"), [("cloud", 7), ("cloud", 11), ("datacenter", 5)])
def test_seeded_faults_lose_nothing_and_duplicate_nothing(
    tmp_path: Path, deployment: str, seed: int
) -> None:
    with jira_world(tmp_path, deployment, config=ROOM) as world:  # type: ignore[arg-type]
        world.emulator.faults.random(seed, rate=0.2, kinds=("503", "429", "reset", "lose"))
        faulty = world.run(TWELVE, run_id="5001")
        injected = sum(world.emulator.faults.injected.values())
        assert injected >= 10, "the seed should hit this run many times"
        # Every failing test is accounted for: its defect, or an error the summary lists.
        for case in TWELVE:
            entry = faulty.entry(case.name)
            assert entry["done"] or entry["error"], entry
        if any(not faulty.entry(c.name)["done"] for c in TWELVE):
            assert any(p.get("sink") == "jira" for p in faulty.results["problems"])
        assert max(fingerprint_owners(world).values()) == 1

        world.emulator.faults.clear()
        clean = world.run(TWELVE, run_id="5002")
        assert clean.code == 0, clean.log
        owners = fingerprint_owners(world)
        assert max(owners.values()) == 1
        defects = {clean.entry(case.name)["defect"] for case in TWELVE}
        assert len(defects) == 12
        assert None not in defects
        assert set(world.defects()) == defects
        for key in defects:
            comments = world.comments(key)
            for run in ("5001", "5002"):
                assert sum(f"acme/shop run {run}" in c for c in comments) <= 1, comments
            phrases = world.emulator.link_phrases(key)
            assert len(phrases) == len(set(phrases)) == 1


def test_lost_responses_to_create_comment_and_transition_are_checked_not_resent(
    tmp_path: Path,
) -> None:
    config = "jira:\n  defects:\n    resolve:\n      transitions: [Done]\n"
    with jira_world(tmp_path, config=config) as world:
        faults = world.emulator.faults
        one = [Case("addsItem", "failed", ("SHOP-12",))]
        faults.lose_next_response(match=matching("POST", r"/rest/api/3/issue\?"))
        first = world.run(one, run_id="6001")
        assert faults.injected["lose"] == 1
        assert first.count("POST", "/issue") == 1  # found by the key walk, not sent again
        [key] = world.defects()
        faults.lose_next_response(match=matching("POST", r"/comment\?"))
        world.run(one, run_id="6002")
        assert len(world.comments(key)) == 1
        faults.lose_next_response(match=matching("POST", r"/transitions\?"))
        fixed = world.run([Case("addsItem", "passed", ("SHOP-12",))], run_id="6003")
        assert fixed.entry("addsItem")["done"]
        assert world.emulator.status_of(key) == "Done"
        assert faults.injected["lose"] == 3
        assert [c.count("Passes again") for c in world.comments(key)] == [0, 1]


def test_rate_limits_are_waited_out(tmp_path: Path) -> None:
    with jira_world(tmp_path) as world:
        world.emulator.faults.fail_next(429, retry_after=7, times=3)
        run = world.run(TWELVE[:3])
        assert run.code == 0, run.log
        assert len(world.defects()) == 3
        assert world.sleep.calls.count(7.0) == 3


def test_jira_unreachable_keeps_the_summary_outputs_results_and_pr_comment(
    tmp_path: Path,
) -> None:
    github = seed_github()
    with jira_world(tmp_path) as world, SandboxServer(github) as gh:
        event = tmp_path / "event.json"
        event.write_text(
            json.dumps(
                {
                    "number": 7,
                    "pull_request": {
                        "number": 7,
                        "head": {
                            "ref": "feature",
                            "sha": "9f1c2d3",
                            "repo": {"full_name": "acme/shop"},
                        },
                        "base": {"ref": "main", "repo": {"full_name": "acme/shop"}},
                    },
                }
            )
        )
        run = world.run(
            TWELVE,
            jira_url="http://127.0.0.1:9",  # the discard port: nothing listens
            comment="always",
            github_token="demo-token",
            env={
                "GITHUB_EVENT_NAME": "pull_request",
                "GITHUB_EVENT_PATH": str(event),
                "GITHUB_API_URL": gh.url,
            },
        )
        assert run.code == 1  # fail_on: sync-errors (the default) acts on the Jira problem
        [problem] = run.results["problems"]
        assert problem["sink"] == "jira"
        assert problem["message"].startswith("Jira at http://127.0.0.1:9 cannot be reached")
        assert "cannot be reached" in run.summary
        assert "### 📚 Stories (3)" in run.summary  # from the mapping, without Jira
        assert run.outputs["failed"] == "12"
        assert run.outputs["defects_created"] == ""
        assert len(run.results["tests"]) == 12
        [comment] = [c.body for c in github.issue_comments("acme/shop", 7)]
        assert "12 of 12 tests failed" in comment
        assert world.emulator.requests == []


def test_jira_going_down_mid_run_reports_every_step_not_done(tmp_path: Path) -> None:
    with jira_world(tmp_path, config=ROOM) as world:
        # Reads answer; from the first write on, Jira answers 503 to everything.
        world.emulator.faults.fail_next(
            503,
            times=10_000,
            match=lambda r: r.method in ("POST", "PUT") and "/search" not in r.path,
        )
        run = world.run(TWELVE)
        assert run.code == 1
        assert world.defects() == []
        entries = [run.entry(case.name) for case in TWELVE]
        assert all(not e["done"] and e["error"] for e in entries)
        problems = [p for p in run.results["problems"] if p["sink"] == "jira"]
        assert len(problems) == 1
        assert problems[0]["unsent"] == 12
        assert problems[0]["message"].startswith("Jira stopped answering")
        assert "12 test results not sent" in run.summary


def test_a_wrong_project_is_one_clear_line_and_stories_are_still_read(tmp_path: Path) -> None:
    with jira_world(tmp_path) as world:
        run = world.run(TWELVE, jira_project="NOPE")
        assert run.code == 1
        assert [p["message"] for p in run.results["problems"]] == [
            "Jira project 'NOPE' does not exist or is not visible to demo@example.com; check "
            "jira_project (the project key, such as SHOP) and that the account can browse the "
            "project. No defects were filed."
        ]
        assert "Jira project 'NOPE' does not exist" in run.summary
        assert "[SHOP-12](" in run.summary
        assert "Cart" in run.summary
        assert run.writes == []
        assert world.defects() == []


def test_a_wrong_issue_type_stops_creates_but_not_comments_on_existing_defects(
    tmp_path: Path,
) -> None:
    with jira_world(tmp_path) as world:
        world.run(TWELVE[:1], run_id="7001")
        [existing] = world.defects()
        run = world.run(
            TWELVE[:3], run_id="7002", config="jira:\n  defects:\n    issue_type: Incident\n"
        )
        messages = [p["message"] for p in run.results["problems"]]
        assert messages == [
            "No defect was filed: Issue type 'Incident' cannot be created in Jira project SHOP; "
            "available: Epic, Story, Task, Sub-task, Bug. Set one of them as the defect issue "
            "type in the config."
        ]
        assert run.results["problems"][0]["unsent"] == 2
        assert world.defects() == [existing]
        assert run.entry(TWELVE[0].name)["action"] == "comment"
        assert len(world.comments(existing)) == 1


def test_a_wrong_link_type_is_reported_once_and_defects_are_still_filed(tmp_path: Path) -> None:
    config = "jira:\n  defects:\n    link:\n      type: covers\n"
    with jira_world(tmp_path, config=config) as world:
        run = world.run(TWELVE[:3])
        assert len(world.defects()) == 3
        messages = [p["message"] for p in run.results["problems"]]
        assert len(messages) == 1
        assert messages[0].startswith("Jira has no issue link type named or worded 'covers'")
        assert "Relates (relates to / relates to)" in messages[0]


def test_required_fields_and_disallowed_values_are_listed_before_any_create(
    tmp_path: Path,
) -> None:
    config = "jira:\n  defects:\n    priority: Urgent\n"
    with jira_world(tmp_path, config=config) as world:
        with world.emulator.lock:
            screen = world.emulator.world.projects[0].screens["10004"]
            screen[screen.index(ScreenField("customfield_10020"))] = ScreenField(
                "customfield_10020", required=True
            )
        run = world.run(TWELVE[:4])
        [problem] = run.results["problems"]
        assert problem["message"] == (
            "No defect was filed: no defect can be filed until the config matches Jira's create "
            "screen: Jira SHOP Bug: Priority 'Urgent' is not allowed; allowed: Highest, High, "
            "Medium, Low, Lowest. Jira SHOP Bug: field 'Severity' (customfield_10020) is required "
            "by Jira; give it a value in the config's defect fields."
        )
        assert problem["unsent"] == 4
        assert run.count("POST", "/issue") == 0
        fixed = world.run(
            TWELVE[:4],
            config="jira:\n  defects:\n    priority: High\n    fields:\n"
            "      customfield_10020: S2 - Major\n",
            run_id="1002",
        )
        assert fixed.results["problems"] == []
        key = world.defects()[0]
        assert world.emulator.issue(key).fields["customfield_10020"] == {
            "id": "10101",
            "value": "S2 - Major",
        }


def test_a_value_too_long_for_jira_is_one_message_and_no_half_filed_defects(
    tmp_path: Path,
) -> None:
    config = f"jira:\n  defects:\n    fields:\n      customfield_10021: {'x' * 300}\n"
    with jira_world(tmp_path, config=config) as world:
        run = world.run(TWELVE[:5])
        [problem] = run.results["problems"]
        assert problem["message"].startswith("No defect was filed: Jira could not create an issue")
        assert "a value is too long" in problem["message"]
        assert problem["unsent"] == 5
        assert run.count("POST", "/issue") == 1  # the first rejection stops the others
        assert world.defects() == []


def test_missing_permissions_are_named(tmp_path: Path) -> None:
    with jira_world(tmp_path) as world:
        run = world.run(TWELVE[:2], jira_user="viewer@example.com", jira_token="viewer-token")
        [problem] = run.results["problems"]
        assert problem["message"] == (
            "No defect was filed: viewer@example.com cannot create issues in Jira project SHOP "
            "(no issue type is offered); ask a Jira admin for the 'Create issues' permission."
        )
        assert "viewer-token" not in run.log + run.summary


def test_hostile_test_names_never_reach_jql_and_are_escaped_everywhere(tmp_path: Path) -> None:
    hostile = '" OR key = "X <img src=x> [x](http://evil) @admin'
    with jira_world(tmp_path) as world:
        run = world.run([Case(hostile, "failed", ("SHOP-12",))])
        assert run.code == 0, run.log
        [key] = world.defects()
        assert (
            world.emulator.issue(key).summary == f"Failing test: com.acme.shop.CartTest › {hostile}"
        )
        # The fingerprint label is a hash: nothing of the name goes into a query.
        assert all(
            label.startswith(("tms-", "tmsaction")) for label in world.emulator.issue(key).labels
        )
        row = next(line for line in run.summary.splitlines() if line.startswith(f"| [{key}]("))
        assert re.search(r"(?<!\\)<img", row) is None  # every < is escaped
        assert "[x](http://evil)" not in row
        assert "\\<img" in row
        assert "@\u2060admin" in row
        again = world.run([Case(hostile, "failed", ("SHOP-12",))], run_id="1002")
        assert again.entry(hostile)["defect"] == key


def test_jira_create_defects_without_jira_url_or_project_says_what_to_set(tmp_path: Path) -> None:
    with jira_world(tmp_path) as world:
        no_url = world.run(TWELVE[:1], jira_url="", jira_create_defects="true")
        assert [p["message"] for p in no_url.results["problems"]] == [
            "jira_create_defects is true, but jira_url is not set, so no defects were filed; "
            "set jira_url, jira_user, jira_token and jira_project."
        ]
        no_project = world.run(TWELVE[:1], jira_project="")
        assert "jira_project is not set" in no_project.results["problems"][0]["message"]
        assert world.defects() == []


def test_a_dry_run_predicts_what_jira_would_reject_without_writing(tmp_path: Path) -> None:
    config = "jira:\n  defects:\n    priority: Urgent\n    link:\n      type: covers\n"
    with jira_world(tmp_path, config=config) as world:
        run = world.run(TWELVE[:2], dry_run=True)
        assert run.writes == []
        messages = [p["message"] for p in run.results["problems"]]
        assert messages[0].startswith(
            "Defects would not be filed: no defect can be filed until the config matches Jira's "
            "create screen: Jira SHOP Bug: Priority 'Urgent' is not allowed"
        )
        assert messages[1].startswith("Jira has no issue link type named or worded 'covers'")
        assert messages[1].endswith("No links would be made.")
        assert run.code == 1  # fail_on: sync-errors, as the real run would
