"""The one call the pipeline makes: find the previous run, compare, put the result on the report.

Source (README "What changed since the previous run"): with TestRail configured, the previous
TestRail run of this workflow on the base branch, compared by case; without TestRail, the
`tmsaction-results` artifact of the previous completed run of this workflow on that branch,
compared by test. The base branch is `GITHUB_BASE_REF` on pull requests, the pushed branch
otherwise. Nothing here fails the run: every way history can be missing is a note.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from tmsaction.catalog import CaseCatalog
from tmsaction.clients.github import GitHubClient
from tmsaction.clients.testrail import TestRailClient
from tmsaction.errors import TmsError
from tmsaction.history.compare import compare
from tmsaction.history.github import read_previous_from_github, workflow_file
from tmsaction.history.model import Figures, NoHistory, PreviousResults
from tmsaction.history.sides import by_case, by_test, figures_for_cases
from tmsaction.history.testrail import FiguresOf, read_previous_from_testrail
from tmsaction.http import Redactor
from tmsaction.inputs import Inputs, RunContext
from tmsaction.mapping.lookups import TestRailLookups
from tmsaction.runreport import RunReport

#: History is a nice-to-have: a rate limit that lasts longer than this is not waited out.
GITHUB_MAX_WAIT = 30.0


def baseline_branch(context: RunContext) -> str | None:
    """The branch whose previous run this run is compared with; None for a tag or a detached ref.
    Pure."""
    if context.base_ref:
        return context.base_ref
    if context.ref.startswith("refs/heads/"):
        return context.ref.removeprefix("refs/heads/")
    if not context.ref and context.ref_name:
        return context.ref_name
    return None


def read_history(
    report: RunReport,
    inputs: Inputs,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
    testrail: TestRailClient | None = None,
    catalog: CaseCatalog | None = None,
    lookups: TestRailLookups | None = None,
) -> RunReport:
    """`report` with `changes` and `previous`, or with `history_note` saying why there are none.

    `testrail` is the sink's client when the pipeline has one (else one is made from the
    inputs); `catalog`/`lookups` are the TestRail snapshot, which lets the previous run's cases
    be counted with this run's coverage rules."""
    context = report.context
    if not context.repository:
        return report  # not a GitHub workflow run: there is no "previous run of this workflow"
    branch = baseline_branch(context)
    if branch is None:
        what = f"is for {context.ref}, not a branch" if context.ref else "names no branch"
        return replace(
            report, history_note=f"This run {what}, so there is no previous run to compare with."
        )
    found: PreviousResults | NoHistory
    if inputs.testrail_enabled and not (inputs.testrail_user and inputs.testrail_api_key):
        found = NoHistory(
            "TestRail's user or API key is not set, so TestRail's previous run was not read."
        )
    elif inputs.testrail_enabled:
        found = _from_testrail(
            report, inputs, branch, sleep=sleep, client=testrail, catalog=catalog, lookups=lookups
        )
    elif inputs.github_token:
        found = _from_github(report, inputs, branch, sleep, clock)
    else:
        found = NoHistory(
            "Without TestRail or a github_token there is nowhere to read the previous run from."
        )
    if isinstance(found, NoHistory):
        return replace(report, history_note=found.note)
    results = report.reports.results
    if found.side.kind == "case":
        current = by_case(results, report.mappings, report.coverage)
    else:
        current = by_test(results, report.coverage)
    return replace(report, changes=compare(found.side, current), previous=found.run)


def _from_testrail(
    report: RunReport,
    inputs: Inputs,
    branch: str,
    *,
    sleep: Callable[[float], None],
    client: TestRailClient | None,
    catalog: CaseCatalog | None,
    lookups: TestRailLookups | None,
) -> PreviousResults | NoHistory:
    routes = report.plan.mapping.routes if report.plan else ()
    projects = [use.route.project or inputs.testrail_project for use in routes] or [
        inputs.testrail_project
    ]
    wanted = [project for project in projects if project]
    if not wanted:
        return NoHistory("No TestRail project is set, so TestRail's previous run was not read.")
    figures: FiguresOf | None = None
    if catalog is not None and report.config is not None:
        coverage_config = report.config.coverage

        def figures(case_ids: set[int]) -> Figures:
            return figures_for_cases(coverage_config, case_ids, catalog, lookups)

    statuses = report.config.testrail.results.status if report.config else {}
    own = client is None
    try:
        if client is None:
            client = TestRailClient(
                inputs.testrail_url or "",
                inputs.testrail_user or "",
                inputs.testrail_api_key or "",
                sleep=sleep,
            )
        return read_previous_from_testrail(
            client,
            report.context,
            projects=wanted,
            branch=branch,
            statuses=statuses,
            figures=figures,
        )
    except TmsError as error:
        return NoHistory(f"TestRail's previous run could not be read: {error}")
    finally:
        if own and client is not None:
            client.close()


def _from_github(
    report: RunReport,
    inputs: Inputs,
    branch: str,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
) -> PreviousResults | NoHistory:
    context = report.context
    client = GitHubClient.connect(
        context.api_url,
        inputs.github_token or "",
        sleep=sleep,
        clock=clock,
        redactor=Redactor(inputs.secrets()),
    )
    client.max_wait = GITHUB_MAX_WAIT
    try:
        return read_previous_from_github(
            client,
            context,
            branch=branch,
            workflow=workflow_file(context.env.get("GITHUB_WORKFLOW_REF", "")),
        )
    except TmsError as error:
        return NoHistory(f"The previous run could not be read from GitHub: {error}")
    finally:
        client.close()
