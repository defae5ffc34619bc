"""The previous run from TestRail against the TestRail emulator on loopback: found by the
`tmsaction-run:` marker of the same workflow on the base branch (never another workflow, branch,
repository, this run or a later one), read by case, statuses mapped back through the config."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tmsaction.clients.testrail import TestRailClient
from tmsaction.config.model import StatusChoice
from tmsaction.history.model import Figures, NoHistory, PreviousResults
from tmsaction.history.testrail import (
    is_earlier,
    read_previous_from_testrail,
    status_outcomes,
)
from tmsaction.http import RetryPolicy
from tmsaction.inputs import RunContext
from tmsaction.mapping.lookups import TestRailLookups
from tmsaction.model import Outcome
from tmsaction.runmarker import RunMarker
from tmsaction.sandbox.testrail import DEMO_API_KEY, DEMO_USER, TestRailEmulator

from tests.testrail_support import FakeClock, serve

P, F, E, S, K = Outcome.PASSED, Outcome.FAILED, Outcome.ERROR, Outcome.SKIPPED, Outcome.FLAKY
DEFAULT_STATUSES = {
    P: StatusChoice(1, "passed"),
    F: StatusChoice(5, "failed"),
    E: StatusChoice(5, "failed"),
    S: StatusChoice(4, "retest"),
    K: StatusChoice(1, "passed"),
}
CURRENT = RunContext(
    workspace=Path("/ws"),
    repository="acme/shop",
    run_id="300",
    workflow="CI",
    ref="refs/pull/7/merge",
    base_ref="main",
    server_url="https://github.com",
)
BACKEND, WEB = "Backend", "Web"


class Shop:
    """The demo TestRail (project Shop) and a client signed in to it."""

    def __init__(self, emulator: TestRailEmulator, client: TestRailClient, url: str) -> None:
        self.emulator = emulator
        self.client = client
        self.url = url
        world = emulator.world
        self.project = next(p for p in world.projects.values() if p["name"] == "Shop")
        self.suites = {
            s["name"]: s["id"]
            for s in world.suites.values()
            if s["project_id"] == self.project["id"]
        }

    def run(
        self,
        run_id: str,
        statuses: dict[int, int],
        *,
        suite: str = BACKEND,
        workflow: str = "CI",
        ref: str = "refs/heads/main",
        repo: str = "acme/shop",
        name: str | None = None,
    ) -> int:
        """A run as the TestRail sync leaves it: the marker line, a result per case (3: none)."""
        marker = RunMarker(repo, run_id, workflow, ref, "abc1234def")
        made = self.client.add_run(
            self.project["id"],
            name or f"{workflow} #{run_id}",
            list(statuses),
            suite_id=self.suites[suite],
            description=f"Results from CI.\n{marker.line()}",
        )
        results = [{"case_id": c, "status_id": s} for c, s in statuses.items() if s != 3]
        if results:
            self.client.add_results_for_cases(made["id"], results)
        return made["id"]

    def read(self, **options: object) -> PreviousResults | NoHistory:
        return read_previous_from_testrail(
            self.client,
            options.pop("context", CURRENT),  # type: ignore[arg-type]
            projects=["Shop"],
            branch="main",
            statuses=options.pop("statuses", DEFAULT_STATUSES),  # type: ignore[arg-type]
            **options,  # type: ignore[arg-type]
        )


@pytest.fixture
def shop() -> Iterator[Shop]:
    with serve() as (emulator, url):
        clock = FakeClock()
        client = TestRailClient(
            url, DEMO_USER, DEMO_API_KEY, sleep=clock.sleep, clock=clock.now,
            retry=RetryPolicy(max_attempts=2),
        )  # fmt: skip
        yield Shop(emulator, client, url)
        client.close()


def test_the_previous_run_of_this_workflow_on_the_base_branch(shop: Shop) -> None:
    shop.run("100", {101: 5, 102: 5})  # older
    wanted_backend = shop.run("200", {101: 1, 102: 5, 103: 4, 104: 3}, name="CI #200 backend")
    shop.run("200", {201: 5, 202: 1}, suite=WEB, name="CI #200 web")  # the same workflow run
    shop.run("250", {101: 5}, workflow="Nightly")
    shop.run("260", {101: 5}, ref="refs/heads/feature/cart")
    shop.run("270", {101: 5}, ref="refs/pull/7/merge")
    shop.run("280", {101: 5}, repo="acme/other")
    shop.run("300", {101: 5})  # this run (a rerun attempt would find it too)
    shop.run("400", {101: 5})  # later
    found = shop.read()
    assert isinstance(found, PreviousResults)
    assert found.side.kind == "case"
    assert dict(found.side.outcomes) == {"C101": P, "C102": F, "C103": S, "C201": F, "C202": P}
    assert not found.side.flaky_known  # flaky sends Passed by default
    assert found.side.names["C101"] == "C101 · Adds an item to an empty cart"
    # Untested C104 had no result, but it was in the run: counted as a case the tests reach.
    assert found.side.figures == Figures(automated=6, coverage_source="mapping")
    run = found.run
    assert run.source == "testrail"
    assert run.label == "CI #200 web and 1 more"
    assert run.url is not None
    assert run.url.endswith("/index.php?/runs/view/" + str(wanted_backend + 1))
    assert run.run_url == "https://github.com/acme/shop/actions/runs/200"
    assert (run.branch, run.sha) == ("main", "abc1234def")


def test_a_push_compares_with_the_pushed_branch_and_skips_its_own_run(shop: Shop) -> None:
    shop.run("10", {101: 1}, ref="refs/heads/release")
    shop.run("11", {101: 5}, ref="refs/heads/release")
    context = RunContext(
        workspace=Path("/ws"), repository="acme/shop", run_id="11", workflow="CI",
        ref="refs/heads/release",
    )  # fmt: skip
    found = read_previous_from_testrail(
        shop.client, context, projects=["Shop"], branch="release", statuses=DEFAULT_STATUSES
    )
    assert isinstance(found, PreviousResults)
    assert found.run.run_url == "https://github.com/acme/shop/actions/runs/10"
    assert dict(found.side.outcomes) == {"C101": P}


def test_custom_statuses_read_back_as_the_outcomes_that_send_them(shop: Shop) -> None:
    flaky = shop.emulator.world.enable_custom_status(1, "Flaky")["id"]
    shop.run("200", {101: flaky, 102: 2, 103: 5})
    statuses = {**DEFAULT_STATUSES, K: StatusChoice(None, "Flaky")}
    found = shop.read(statuses=statuses)
    assert isinstance(found, PreviousResults)
    # Blocked (2) is sent by no outcome: read as skipped, like retest.
    assert dict(found.side.outcomes) == {"C101": K, "C102": S, "C103": F}
    assert found.side.flaky_known
    assert shop.emulator.count("GET", "get_statuses") == 1


def test_statuses_only_when_a_custom_status_needs_its_id(shop: Shop) -> None:
    shop.run("200", {101: 1})
    assert isinstance(shop.read(), PreviousResults)
    assert shop.emulator.count("GET", "get_statuses") == 0


def test_the_figures_come_from_the_callback_with_every_case_of_the_run(shop: Shop) -> None:
    shop.run("200", {101: 1, 102: 3})
    seen: list[set[int]] = []

    def figures(case_ids: set[int]) -> Figures:
        seen.append(case_ids)
        return Figures(automated=len(case_ids), cases=14, coverage_source="testrail")

    found = shop.read(figures=figures)
    assert isinstance(found, PreviousResults)
    assert seen == [{101, 102}]
    assert found.side.figures == Figures(2, 14, None, "testrail")


def test_no_earlier_run(shop: Shop) -> None:
    shop.run("400", {101: 1})
    found = shop.read()
    assert isinstance(found, NoHistory)
    assert found.note.startswith("No earlier TestRail run of CI on main to compare with")


def test_the_scan_stops_at_the_end_of_the_page_holding_the_match(shop: Shop) -> None:
    world = shop.emulator.world
    shop.run("200", {101: 1})
    for number in range(300):  # 300 newer runs of other work: the match is on page 2
        world.create_run(
            shop.project["id"], shop.suites[BACKEND], {"name": f"manual {number}"},
            include_all=False, case_ids=[], created_by=1,
        )  # fmt: skip
    assert isinstance(shop.read(), PreviousResults)
    assert shop.emulator.count("GET", "get_runs") == 2
    found = shop.read(max_runs=250)
    assert isinstance(found, NoHistory)


def test_testrail_errors_are_a_note(shop: Shop) -> None:
    wrong = TestRailClient(shop.url, DEMO_USER, "wrong-key", sleep=lambda _s: None)
    found = read_previous_from_testrail(
        wrong, CURRENT, projects=["Shop"], branch="main", statuses=DEFAULT_STATUSES
    )
    wrong.close()
    assert isinstance(found, NoHistory)
    assert found.note.startswith("TestRail's earlier runs of CI on main could not be read:")
    assert "wrong-key" not in found.note
    other = read_previous_from_testrail(
        shop.client, CURRENT, projects=["Nope"], branch="main", statuses=DEFAULT_STATUSES
    )
    assert isinstance(other, NoHistory)
    assert "'Nope' was not found" in other.note


@pytest.mark.parametrize(
    ("marker", "earlier"),
    [
        (RunMarker("acme/shop", "200", "CI", "refs/heads/main"), True),
        (RunMarker("acme/shop", "200", "CI", "main"), True),
        (RunMarker("acme/shop", "300", "CI", "refs/heads/main"), False),  # this run
        (RunMarker("acme/shop", "301", "CI", "refs/heads/main"), False),  # later
        (RunMarker("acme/shop", "200", "CI ", "refs/heads/main"), False),
        (RunMarker("ACME/other", "200", "CI", "refs/heads/main"), False),
        (RunMarker("acme/shop", "200", "CI", "refs/heads/main-2"), False),
        (RunMarker("acme/shop", "200", "CI", "refs/pull/7/merge"), False),
        (RunMarker("acme/shop", "local", "CI", "refs/heads/main"), False),  # not a run id
        (RunMarker("acme/shop", "1)[x](https://evil.example", "CI", "refs/heads/main"), False),
    ],
)
def test_which_markers_are_earlier_runs(marker: RunMarker, earlier: bool) -> None:
    current = RunMarker("acme/shop", "300", "CI", "refs/pull/7/merge")
    assert is_earlier(marker, current, "main") is earlier


def test_outside_a_workflow_run_any_earlier_marker_counts() -> None:
    local = RunMarker("acme/shop", "", "CI", "refs/heads/main")
    assert is_earlier(RunMarker("acme/shop", "200", "CI", "refs/heads/main"), local, "main")


def test_status_outcomes_read_the_config_backwards() -> None:
    assert status_outcomes(DEFAULT_STATUSES) == {1: P, 5: F, 4: S, 2: S}
    custom = {
        **DEFAULT_STATUSES,
        S: StatusChoice(None, "Skipped"),
        K: StatusChoice(None, "Flaky"),
        E: StatusChoice(None),  # sends nothing
    }
    lookups = TestRailLookups.from_api([{"id": 7, "name": "custom_status2", "label": "Skipped"}])
    assert status_outcomes(custom, lookups) == {1: P, 5: F, 7: S, 2: S, 4: S}
