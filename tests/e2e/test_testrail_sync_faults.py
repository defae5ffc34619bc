"""Nothing lost, nothing twice, whatever the network does: a lost answer on each kind of write,
HTTP 413 on large batches, a case removed from the run behind the sync's back, and a seeded
stream of 429s, 503s, resets and lost answers on every endpoint. Each test asserts the
emulator's final state: one run, every result exactly once."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from tmsaction.sandbox.server import Request, Response, matching
from tmsaction.sandbox.testrail import TestRailEmulator, seed_demo

from tests.testrail_support import serve
from tests.testrail_sync_support import Case, Run, keys_by_case, run_action, workspace

CREATE = """\
version: 1
testrail:
  names:
    section: class
    strip_suffix: [Test]
    title: words
    root: [Generated]
"""


def rich_reports(root: Path) -> Path:
    """Tests by case id, tests whose cases are created, and a failed test with a screenshot."""
    (root / "shots").mkdir(parents=True, exist_ok=True)
    (root / "shots" / "fail.png").write_bytes(b"\x89PNG")
    tests = [
        Case("addsItem", case_id=101),
        Case("merges", case_id=102, failure="2 != 3", stdout="[[ATTACHMENT|shots/fail.png]]"),
        Case("discount", case_id=103, skipped=True),
        Case("chargesOnce", case_id=105, classname="com.acme.shop.CheckoutTest"),
        *(Case(f"generatedTest{n}", classname="com.acme.shop.ExtraTest") for n in range(6)),
        Case("refundsTwice", classname="com.acme.shop.RefundTest", failure="refunded twice"),
    ]
    return workspace(root, {"TEST-shop.xml": tests}, CREATE)


def assert_every_result_once(emulator: TestRailEmulator, run: Run, expected: int) -> int:
    """One run of this workflow run; each (case, key) once; no duplicate section or case."""
    assert run.code == 0, run.log
    marked = [r for r in emulator.runs() if "tmsaction-run:" in (r["description"] or "")]
    assert len(marked) == 1, marked
    assert [r for r in emulator.runs() if "tmsaction-turn:" in (r["description"] or "")] == []
    keys = keys_by_case(emulator, marked[0]["id"])
    assert sum(keys.values()) == expected
    assert set(keys.values()) == {1}
    names = Counter((s["parent_id"], s["name"]) for s in emulator.sections(1))
    assert set(names.values()) == {1}
    titles = Counter((c["section_id"], c["title"]) for c in emulator.cases(1))
    assert set(titles.values()) == {1}
    for test in run.results["tests"]:
        status = test["sync"]["testrail"]["status"]
        assert status in ("sent", "present", "skipped"), test
    return int(marked[0]["id"])


WRITES = [
    "add_run",
    "add_section",
    "add_case",
    "add_results_for_cases",
    "add_attachment_to_result",
    "close_run",
]


@pytest.mark.parametrize("endpoint", WRITES)
def test_a_lost_answer_on_a_write_is_checked_before_resending(
    tmp_path: Path, endpoint: str
) -> None:
    root = rich_reports(tmp_path / "ws")
    with serve() as (emulator, url):
        emulator.faults.lose_next_response(match=matching("POST", endpoint))
        run = run_action(root, url, testrail_create_cases="true", testrail_close_run="true")
        assert emulator.faults.injected["lose"] == 1
        run_id = assert_every_result_once(emulator, run, expected=11)
        [tr_run] = [r for r in emulator.runs() if r["id"] == run_id]
        results = {r["test_id"]: r for r in emulator.results(run_id)}
    assert tr_run["is_completed"] is True
    assert sum(len(r["attachment_ids"]) for r in results.values()) == 1


@pytest.mark.parametrize(
    "endpoint", ["add_run", "update_run", "delete_run", "add_results_for_cases"]
)
def test_a_lost_answer_while_joining_an_existing_run(tmp_path: Path, endpoint: str) -> None:
    """Adding cases to `testrail_run_id` takes a turn: a ticket run (add_run), the selection
    (update_run), the ticket's removal (delete_run), then the results."""
    emulator = seed_demo(TestRailEmulator())
    manual = emulator.world.create_run(
        1, 1, {"name": "Manual"}, include_all=False, case_ids=[104], created_by=1
    )
    root = workspace(
        tmp_path / "ws",
        {"TEST-x.xml": [Case("addsItem", case_id=101), Case("merges", case_id=102, failure="x")]},
    )
    with serve(emulator) as (_, url):
        emulator.faults.lose_next_response(match=matching("POST", endpoint))
        run = run_action(root, url, testrail_run_id=str(manual["id"]))
        assert emulator.faults.injected["lose"] == 1
        runs = emulator.runs()
        tests = {t["case_id"] for t in emulator.tests(manual["id"])}
        keys = keys_by_case(emulator, manual["id"])
    assert run.code == 0, run.log
    assert [r["id"] for r in runs] == [manual["id"]]  # the ticket run is gone
    assert tests == {101, 102, 104}
    assert sorted(case for case, _ in keys) == [101, 102]


def test_a_lost_answer_adding_a_plan_entry(tmp_path: Path) -> None:
    emulator = seed_demo(TestRailEmulator())
    plan = emulator.world.add_plan(1, {"name": "Regression"}, 1)
    root = workspace(tmp_path / "ws", {"TEST-x.xml": [Case("addsItem", case_id=101)]})
    with serve(emulator) as (_, url):
        emulator.faults.lose_next_response(match=matching("POST", "add_plan_entry"))
        run = run_action(root, url, testrail_plan_id=str(plan["id"]))
        entries = emulator.plans()[0]["entries"]
    assert run.code == 0, run.log
    assert len(entries) == 1
    assert len(emulator.results(entries[0]["runs"][0]["id"])) == 1


def test_batches_over_the_servers_size_limit_are_halved(tmp_path: Path) -> None:
    emulator = seed_demo(TestRailEmulator(max_body_bytes=6_000))
    section = emulator.world.add_section(1, "Bulk")
    ids = [emulator.world.add_case(section["id"], f"bulk {n}")["id"] for n in range(40)]
    tests = [Case(f"bulk{n}", case_id=case_id, failure="x" * 150) for n, case_id in enumerate(ids)]
    root = workspace(tmp_path / "ws", {"TEST-bulk.xml": tests})
    with serve(emulator) as (_, url):
        run = run_action(root, url)
        sends = emulator.count("POST", "add_results_for_cases")
        [tr_run] = emulator.runs()
        keys = keys_by_case(emulator, tr_run["id"])
    assert run.code == 0, run.log
    assert sends > 2  # refused whole (413), then sent in halves
    assert sorted(case for case, _ in keys) == ids
    assert set(keys.values()) == {1}


class RemovesACase(TestRailEmulator):
    """Someone (the TestRail UI, another tool) takes case 102 out of the run just before the
    first batch of results arrives."""

    def __init__(self) -> None:
        super().__init__()
        self.done = False

    def handle(self, request: Request) -> Response:
        if not self.done and "add_results_for_cases" in request.query:
            self.done = True
            with self.lock:
                run = next(iter(self.world.runs.values()))
                kept = [c for c in self.world.run_tests[run["id"]] if c != 102]
                self.world.set_run_cases(run, False, kept)
        return super().handle(request)


def test_a_case_taken_out_of_the_run_is_put_back_and_its_result_sent(tmp_path: Path) -> None:
    emulator = seed_demo(RemovesACase())
    root = workspace(
        tmp_path / "ws",
        {"TEST-x.xml": [Case("addsItem", case_id=101), Case("merges", case_id=102, failure="x")]},
    )
    with serve(emulator) as (_, url):
        run = run_action(root, url)
        [tr_run] = emulator.runs()
        keys = keys_by_case(emulator, tr_run["id"])
    assert run.code == 0, run.log
    assert sorted(case for case, _ in keys) == [101, 102]
    assert set(keys.values()) == {1}


@pytest.mark.parametrize("seed", range(1, 9))
def test_seeded_faults_on_every_endpoint_leave_every_result_once(tmp_path: Path, seed: int) -> None:
    root = rich_reports(tmp_path / "ws")
    with serve() as (emulator, url):
        emulator.faults.random(seed, rate=0.25)
        run = run_action(root, url, testrail_create_cases="true", testrail_close_run="true")
        again = run_action(
            root,
            url,
            testrail_create_cases="true",
            testrail_close_run="false",
            env={"GITHUB_RUN_ATTEMPT": "2"},
        )
        injected: dict[str, Any] = dict(emulator.faults.injected)
        emulator.faults.clear()
        assert_every_result_once(emulator, run, expected=11)
        # The run is closed; a re-run of the same reports finds every result there.
        assert again.code == 0, again.log
        assert {t["sync"]["testrail"]["status"] for t in again.results["tests"]} <= {
            "present",
            "skipped",
        }
    assert sum(injected.values()) >= 5, injected
