"""The previous run from TestRail: the newest run of the same workflow on the base branch, found
by the `tmsaction-run:` line in run descriptions (`runmarker.py`), and its tests' statuses.

A workflow run can hold several TestRail runs (one per suite its routes use): all runs carrying
that workflow run's marker are read. Runs are listed newest first (research/testrail-api.md §2),
so the scan stops at the end of the page holding the first match, and never goes past
`MAX_RUNS_SCANNED` runs. Statuses map back to outcomes through `testrail.results.status`, so a
custom "Flaky" status reads as flaky; Untested means the case got no result and is left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from tmsaction.clients.testrail import PAGE_SIZE, TestRailClient
from tmsaction.clients.testrail_errors import TestRailError
from tmsaction.clients.testrail_snapshot import resolve_project
from tmsaction.clients.testrail_types import Run
from tmsaction.config.model import StatusChoice
from tmsaction.history.model import Figures, NoHistory, PreviousResults, PreviousRun, Side
from tmsaction.history.sides import case_key
from tmsaction.inputs import RunContext
from tmsaction.mapping.lookups import TestRailLookups
from tmsaction.model import Outcome
from tmsaction.runmarker import RunMarker, parse_marker

MAX_RUNS_SCANNED = 4 * PAGE_SIZE
UNTESTED = 3
#: TestRail's built-in statuses, for ids the config does not send (results added by hand).
_BUILTIN = {1: Outcome.PASSED, 2: Outcome.SKIPPED, 4: Outcome.SKIPPED, 5: Outcome.FAILED}
#: When two outcomes send the same status (failed and error both send Failed), the first wins.
_PREFERENCE = (Outcome.FAILED, Outcome.ERROR, Outcome.PASSED, Outcome.SKIPPED, Outcome.FLAKY)

FiguresOf = Callable[[set[int]], Figures]


@dataclass(frozen=True)
class _Found:
    run: Run
    marker: RunMarker


def branch_ref(branch: str) -> str:
    return branch if branch.startswith("refs/") else f"refs/heads/{branch}"


def is_earlier(marker: RunMarker, current: RunMarker, branch: str) -> bool:
    """Whether a run's marker belongs to an earlier run of this workflow on `branch`. Pure.

    Same repository and workflow name, the branch's ref (a pull request's own runs carry
    `refs/pull/N/merge` and never count), and not this workflow run: GitHub's run ids grow with
    time, so an earlier run has a smaller id, and a rerun of this run (same id) is excluded."""
    if not marker.same_workflow(current) or marker.ref not in (branch_ref(branch), branch):
        return False
    if marker.run_id == current.run_id:
        return False
    if current.run_id.isdigit():
        # A marker whose run id is not a number was not written by a GitHub workflow run: it
        # cannot be "earlier", and its text must not end up in the summary's link.
        return marker.run_id.isdigit() and int(marker.run_id) < int(current.run_id)
    return True


def status_outcomes(
    choices: Mapping[Outcome, StatusChoice], lookups: TestRailLookups | None = None
) -> dict[int, Outcome]:
    """TestRail status id -> the outcome that sends it (the config's `testrail.results.status`
    read backwards), with the built-in statuses for the rest. Pure."""
    table: dict[int, Outcome] = {}
    for outcome in _PREFERENCE:
        choice = choices.get(outcome)
        if choice is None or not choice.send:
            continue
        status_id = choice.id
        if status_id is None and choice.name and lookups is not None:
            status_id = lookups.status_id(choice.name)
        if status_id is not None:
            table.setdefault(status_id, outcome)
    for status_id, outcome in _BUILTIN.items():
        table.setdefault(status_id, outcome)
    return table


def read_previous_from_testrail(
    client: TestRailClient,
    context: RunContext,
    *,
    projects: Iterable[str | int],
    branch: str,
    statuses: Mapping[Outcome, StatusChoice],
    figures: FiguresOf | None = None,
    max_runs: int = MAX_RUNS_SCANNED,
) -> PreviousResults | NoHistory:
    """The earlier TestRail run(s) of this workflow on `branch`, by case.

    `figures` turns the previous run's case ids into coverage figures (with today's TestRail
    snapshot); without it only the number of cases is known."""
    current = RunMarker(
        repo=context.repository,
        run_id=context.run_id,
        workflow=context.workflow,
        ref=context.ref,
        sha=context.sha,
    )
    where = f"{context.workflow or 'this workflow'} on {branch}"
    try:
        found: list[_Found] = []
        for project in dict.fromkeys(str(p) for p in projects):
            project_id = resolve_project(client, project)["id"]
            found.extend(_scan(client, project_id, current, branch, max_runs))
        if not found:
            return NoHistory(
                f"No earlier TestRail run of {where} to compare with (tmsaction finds its runs by "
                "the tmsaction-run: line in their description)."
            )
        newest = max(found, key=lambda f: _order(f.marker))
        runs = [f.run for f in found if f.marker.run_id == newest.marker.run_id]
        side = _side(client, runs, statuses, figures)
    except TestRailError as error:
        return NoHistory(f"TestRail's earlier runs of {where} could not be read: {error}")
    marker = newest.marker
    previous = PreviousRun(
        source="testrail",
        label=runs[0]["name"] + (f" and {len(runs) - 1} more" if len(runs) > 1 else ""),
        url=f"{client.base_url}/index.php?/runs/view/{runs[0]['id']}",
        run_url=f"{context.server_url}/{context.repository}/actions/runs/{marker.run_id}"
        if marker.run_id.isdigit()
        else None,
        branch=branch,
        sha=marker.sha,
    )
    return PreviousResults(previous, side)


def _order(marker: RunMarker) -> tuple[int, int]:
    return (1, int(marker.run_id)) if marker.run_id.isdigit() else (0, 0)


def _scan(
    client: TestRailClient, project_id: int, current: RunMarker, branch: str, max_runs: int
) -> list[_Found]:
    """Matching runs, newest first, up to the end of the page holding the first match (the other
    suites' runs of one workflow run are created seconds apart, so they sit next to it)."""
    found: list[_Found] = []
    for seen, run in enumerate(client.iter_runs(project_id), start=1):
        marker = parse_marker(run.get("description"))
        first = found[0].marker.run_id if found else None
        if marker and is_earlier(marker, current, branch) and first in (None, marker.run_id):
            found.append(_Found(run, marker))
        if seen >= max_runs or (found and seen % PAGE_SIZE == 0):
            break  # stop before the next page: it costs a request and holds older runs
    return found


def _side(
    client: TestRailClient,
    runs: Sequence[Run],
    statuses: Mapping[Outcome, StatusChoice],
    figures: FiguresOf | None,
) -> Side:
    custom = any(c.send and c.id is None for c in statuses.values())
    lookups = TestRailLookups.from_api(client.get_statuses()) if custom else None
    outcome_of = status_outcomes(statuses, lookups)
    outcomes: dict[str, Outcome] = {}
    names: dict[str, str] = {}
    case_ids: set[int] = set()
    for run in runs:
        for test in client.get_tests(run["id"]):
            case_ids.add(test["case_id"])
            outcome = outcome_of.get(test["status_id"])
            if test["status_id"] == UNTESTED or outcome is None:
                continue
            key = case_key(test["case_id"])
            outcomes[key] = outcome
            if test.get("title"):
                names[key] = f"{key} · {test['title']}"
    counted = (
        figures(case_ids)
        if figures is not None
        else Figures(automated=len(case_ids), coverage_source="mapping")
    )
    flaky_status = next((i for i, o in outcome_of.items() if o is Outcome.FLAKY), None)
    return Side(
        "case", outcomes, names=names, figures=counted, flaky_known=flaky_status is not None
    )
