"""Reading on two cores gives exactly what reading serially gives, whatever happens to the child.

The scenarios run in fresh interpreters (twocores_scenarios.py): the test session has threads,
and a process with threads never forks."""

from __future__ import annotations

import pickle
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from tmsaction.model import Outcome, ReportSet
from tmsaction.reports import twocores

ROOT = Path(__file__).resolve().parents[2]


def _case(name: str, outcome: str) -> str:
    body = {
        "passed": "",
        "failed": '<failure message="expected 2">at Cart.java:12</failure>',
        "skipped": "<skipped/>",
    }[outcome]
    return f'<testcase classname="com.acme.Cart" name="{name}" time="0.1">{body}</testcase>'


def _junit(cases: list[str]) -> str:
    return f'<testsuite name="com.acme.Cart">{"".join(cases)}</testsuite>'


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """Twelve files: shards of one class, a test that fails in an early file and passes in the
    later ones (flaky across the cut), a broken file and an empty one among the late files."""
    reports = tmp_path / "reports"
    reports.mkdir()
    for index in range(10):
        cases = [_case(f"adds_{index}_{n}", "passed") for n in range(30)]
        cases.append(_case("retried", "failed" if index == 1 else "passed"))
        cases.append(_case(f"skips_{index}", "skipped"))
        cases.append(_case(f"breaks_{index % 3}", "failed"))
        (reports / f"TEST-{index:02d}.xml").write_text(_junit(cases))
    broken = _junit([_case("kept", "passed"), _case("cut", "passed")])
    (reports / "TEST-08-broken.xml").write_text(broken[:-30])
    (reports / "TEST-09-empty.xml").write_text("")
    return tmp_path


def _run_scenario(name: str, workspace: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-W", "error", "-m", "tests.unit.twocores_scenarios", name, workspace],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    outcome: dict[str, Any] = pickle.loads(done.stdout)  # noqa: S301 - our own scenario wrote it
    return outcome


def _scenario(name: str, workspace: Path) -> dict[str, Any]:
    outcome = _run_scenario(name, workspace)
    serial, parallel = outcome["serial"], outcome["parallel"]
    assert isinstance(serial, ReportSet)
    assert isinstance(parallel, ReportSet)
    assert outcome["serial_forks"] == 0
    assert parallel.results == serial.results
    assert parallel.files == serial.files
    assert parallel.problems == serial.problems
    assert parallel.totals == serial.totals
    return outcome


def test_the_child_reads_the_last_files_and_the_outcome_is_the_serial_one(
    workspace: Path,
) -> None:
    outcome = _scenario("normal", workspace)
    assert outcome["forks"] == 1
    # This process reads 55% of the bytes (files 00-05); the child the six after, in order (the
    # empty file gives no ReportFile, only its problem).
    assert outcome["handed_back"] == [
        "reports/TEST-06.xml",
        "reports/TEST-07.xml",
        "reports/TEST-08-broken.xml",
        "reports/TEST-08.xml",
        "",
        "reports/TEST-09.xml",
    ]
    parallel: ReportSet = outcome["parallel"]
    retried = [r for r in parallel.results if r.name == "retried"]
    assert [r.outcome for r in retried] == [Outcome.FLAKY]
    assert len(retried[0].attempts) == 10
    assert {p.source for p in parallel.problems} == {
        "reports/TEST-08-broken.xml",
        "reports/TEST-09-empty.xml",
    }
    assert parallel.totals.total == 10 * 31 + 1 + 3 + 1  # "kept" from the broken file


def test_a_child_that_fails_leaves_its_files_to_the_parent(workspace: Path) -> None:
    outcome = _scenario("crash", workspace)
    assert outcome["forks"] == 1
    assert outcome["handed_back"] == []


def test_a_short_output_is_used_as_far_as_it_is_whole(workspace: Path) -> None:
    outcome = _scenario("short", workspace)
    assert outcome["forks"] == 1
    assert len(outcome["handed_back"]) == 1  # the first file came from the child, the rest here


def test_when_this_process_fails_the_child_is_stopped_and_waited_for(workspace: Path) -> None:
    outcome = _run_scenario("parent-breaks", workspace)
    assert outcome == {"raised": "a bug while reading", "started": 1, "children_left": False}


def test_small_sets_single_files_threads_and_one_core_are_read_here(workspace: Path) -> None:
    outcome = _scenario("guards", workspace)
    assert outcome["guarded_forks"] == 0
    assert outcome["forks"] == 1  # and with none of those, it forks


def test_the_cut_gives_this_process_more_than_half_the_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = []
    for index in range(10):
        path = tmp_path / f"{index}.xml"
        path.write_bytes(b"x" * 10_000)
        sources.append((path, path.name))
    monkeypatch.setattr(twocores, "MIN_BYTES", 0)
    monkeypatch.setattr(twocores, "usable_cores", lambda: 2)
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    assert twocores._cut(sources) == 6  # 55% of the bytes: six files of ten, four in the child
    monkeypatch.setattr(twocores, "MIN_BYTES", 100_001)
    assert twocores._cut(sources) is None
