"""Matrix shards: N copies of the action, started at the same moment in threads, each with its
share of the tests, all reporting the same workflow run into one emulator. Whatever the
interleaving (seeded random delays on every request, and in one variant seeded faults), they
must end with one run, every result in it exactly once, each shared section and case created
once, and no temporary ticket run or duplicate run left behind."""

from __future__ import annotations

import random
import threading
from collections import Counter
from pathlib import Path

import pytest
from tmsaction.sandbox.testrail import TestRailEmulator, seed_demo

from tests.testrail_support import serve
from tests.testrail_sync_support import (
    Case,
    Jitter,
    Run,
    fast_services,
    keys_by_case,
    run_action,
    workspace,
)

pytestmark = pytest.mark.slow

CONFIG = """\
version: 1
testrail:
  names:
    section: none
    root: [Sharded]
"""


def shard_world(bulk: int) -> tuple[TestRailEmulator, list[int]]:
    emulator = seed_demo(TestRailEmulator())
    section = emulator.world.add_section(1, "Bulk")
    ids = [emulator.world.add_case(section["id"], f"bulk {n}")["id"] for n in range(bulk)]
    return emulator, ids


def shard_tests(seed: int, shards: int, ids: list[int]) -> list[list[Case]]:
    """Tests by case id (existing cases) and tests matched by title (cases created on the fly);
    different classes share titles, so several shards create the same case at once."""
    rng = random.Random(seed)
    tests = [
        Case(
            f"bulk{n}",
            classname="com.acme.BulkTest",
            case_id=case_id,
            failure="x" if n % 7 else None,
        )
        for n, case_id in enumerate(ids)
    ]
    tests += [
        Case(f"shared title {n % 5}", classname=f"com.acme.Shared{n}Test")
        for n in range(3 * shards)
    ]
    rng.shuffle(tests)
    return [tests[i::shards] for i in range(shards)]


def run_shards(
    tmp_path: Path, emulator: TestRailEmulator, url: str, tests: list[list[Case]]
) -> list[Run]:
    roots = [
        workspace(tmp_path / f"shard{i}", {f"TEST-{i}.xml": part}, CONFIG)
        for i, part in enumerate(tests)
    ]
    start = threading.Barrier(len(roots))
    runs: list[Run | None] = [None] * len(roots)

    def shard(index: int) -> None:
        start.wait()
        runs[index] = run_action(
            roots[index],
            url,
            services=fast_services(real_share=0.02),
            testrail_create_cases="true",
            env={"GITHUB_JOB": "tests"},
        )

    threads = [threading.Thread(target=shard, args=(i,)) for i in range(len(roots))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(run is not None for run in runs), "a shard did not finish"
    return [run for run in runs if run is not None]


def assert_one_run_with_every_result_once(
    emulator: TestRailEmulator, runs: list[Run], tests: list[list[Case]]
) -> None:
    for run in runs:
        assert run.code == 0, run.log
    marked = [r for r in emulator.runs() if "tmsaction-run:" in (r["description"] or "")]
    assert len(marked) == 1, [(r["id"], r["name"]) for r in emulator.runs()]
    run_id = marked[0]["id"]
    assert [r["id"] for r in emulator.runs()] == [run_id]  # no ticket, no duplicate left
    assert {run.outputs["run_id"] for run in runs} == {str(run_id)}
    keys = keys_by_case(emulator, run_id)
    assert sum(keys.values()) == sum(len(part) for part in tests)
    assert set(keys.values()) == {1}
    # Every result a shard says it sent is in the run.
    reported = {
        test["sync"]["testrail"]["result_id"] for run in runs for test in run.results["tests"]
    }
    assert reported == {r["id"] for r in emulator.results(run_id)}
    sharded = [s for s in emulator.sections(1) if s["name"] == "Sharded"]
    assert len(sharded) == 1
    titles = Counter(c["title"] for c in emulator.cases(1) if c["section_id"] == sharded[0]["id"])
    assert titles == Counter({f"shared title {n}": 1 for n in range(5)})


@pytest.mark.parametrize(("shards", "seed"), [(3, 1), (3, 2), (3, 3), (8, 4), (8, 5), (8, 6)])
def test_concurrent_shards_end_in_one_run_with_every_result_once(
    tmp_path: Path, shards: int, seed: int
) -> None:
    emulator, ids = shard_world(bulk=24)
    Jitter(emulator, seed)
    tests = shard_tests(seed, shards, ids)
    with serve(emulator) as (_, url):
        runs = run_shards(tmp_path, emulator, url, tests)
        assert_one_run_with_every_result_once(emulator, runs, tests)


@pytest.mark.parametrize(("shards", "seed"), [(4, 7), (6, 8), (8, 203)])
def test_concurrent_shards_under_seeded_faults(tmp_path: Path, shards: int, seed: int) -> None:
    """Lost answers included: a create that landed unseen leaves a duplicate, which goes too."""
    emulator, ids = shard_world(bulk=16)
    Jitter(emulator, seed)
    tests = shard_tests(seed, shards, ids)
    with serve(emulator) as (_, url):
        emulator.faults.random(seed, rate=0.12)
        runs = run_shards(tmp_path, emulator, url, tests)
        injected = sum(emulator.faults.injected.values())
        emulator.faults.clear()
        assert_one_run_with_every_result_once(emulator, runs, tests)
    assert injected >= 3


def test_a_final_job_after_the_shards_adds_nothing_and_closes(tmp_path: Path) -> None:
    """The recommended matrix workflow's last job: every shard's reports again, alone."""
    emulator, ids = shard_world(bulk=12)
    tests = shard_tests(9, 3, ids)
    with serve(emulator) as (_, url):
        runs = run_shards(tmp_path, emulator, url, tests)
        run_id = runs[0].outputs["run_id"]
        final = workspace(
            tmp_path / "final",
            {f"TEST-{i}.xml": part for i, part in enumerate(tests)},
            CONFIG,
        )
        before = emulator.count("POST", "add_results_for_cases")
        closing = run_action(
            final,
            url,
            testrail_run_id=run_id,
            testrail_close_run="true",
            testrail_create_cases="true",
        )
        assert closing.code == 0, closing.log
        assert emulator.count("POST", "add_results_for_cases") == before
        [tr_run] = emulator.runs()
        keys = keys_by_case(emulator, tr_run["id"])
    assert tr_run["is_completed"] is True
    assert set(keys.values()) == {1}
    assert sum(keys.values()) == sum(len(part) for part in tests)
