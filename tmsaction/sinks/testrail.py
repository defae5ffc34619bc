"""The TestRail sink: executes a `TestRailPlan` in phases, so the pipeline can weave Jira between
them, and returns a `TestRailOutcome`. It never raises for API errors: a suite that fails does not
stop the others, and every result that could not be sent is listed with the reason.

The phases, in the order `pipeline.run` calls them:

1. `read(routes, config)` (before mapping): the suites the routes use, and the lookups.
2. `plan(reports, mappings, config, routes, facts)`: reads what the plan needs, builds it (pure).
3. `prepare(plan, test_ids=...)`: creates sections and cases, finds or creates each suite's run
   and adds the cases it lacks; `Prepared.links(index)` then gives each mapped test's run and
   TestRail test (id and URL, when `test_ids` asked for them): what Jira defects link to.
4. `post(prepared, defects)`: sends the results (with the Jira keys of each test, by its index in
   `reports.results`, in the result's `defects` field) and uploads failed tests' attachments.
5. `finish(prepared)`: closes the runs when `testrail_close_run` is set; the outcome.

In a dry run, 3 and 4 send nothing and 5 reports what would have been done.

`TestLink`, `Prepared` (testrail_prepared.py) and `TestRailOutcome` (testrail_outcome.py) are the
values the pipeline passes between the phases and on to the summary.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from tmsaction.clients.testrail import TestRailClient, TestRailError
from tmsaction.config.model import Config
from tmsaction.errors import SyncError, TemplateError
from tmsaction.ghactions import Console
from tmsaction.http import RateBudget
from tmsaction.inputs import Inputs, RunContext
from tmsaction.mapping.model import Route
from tmsaction.mapping.table import Mappings
from tmsaction.model import ReportSet, TestResult
from tmsaction.plan.testrail import build_testrail_plan, run_marker
from tmsaction.plan.testrail_keys import result_key, with_key
from tmsaction.plan.testrail_model import (
    PlannedResult,
    TestRailFacts,
    TestRailPlan,
)
from tmsaction.sink_texts import result_comment
from tmsaction.sinks.testrail_attachments import Uploader
from tmsaction.sinks.testrail_cases import CaseMaker
from tmsaction.sinks.testrail_kinds import is_fatal
from tmsaction.sinks.testrail_outcome import (
    Delivery,
    TestRailOutcome,
)
from tmsaction.sinks.testrail_prepared import Prepared, PreparedRun, TestLink
from tmsaction.sinks.testrail_read import needs_cases, read_catalog_facts, read_plan_facts
from tmsaction.sinks.testrail_results import Item, ResultSender, Sent, existing_keys
from tmsaction.sinks.testrail_runs import LOOKBACK_SECONDS, RunKeeper
from tmsaction.sinks.testrail_tally import build_outcome

DEFECTS_LIMIT = 250  # the result's defects field holds 250 characters
# TestRail Cloud allows 180 requests a minute per instance (research §1.5). A token bucket of rate
# r and burst b lets through at most b + r in any minute: 60 at once, then 120 a minute, stays
# under 180 and lets a whole usual sync (under 60 requests) go without waiting at all.
PER_MINUTE = 120.0
BURST = 60
MISSING_CREDENTIALS = (
    "testrail_url is set but testrail_user or testrail_api_key is empty, so nothing was sent to "
    "TestRail: set both (the API key as a secret); secrets are empty in workflows run for pull "
    "requests from forks, where dry_run: true avoids this error"
)


def closed_before(run_id: int) -> str:
    return (
        f"TestRail run R{run_id} of this workflow run was closed before this result came, and a "
        "closed run is read-only: close the run only in the workflow's last job, after every "
        "shard (the result is kept in results_json)"
    )


class TestRailSync:
    """One invocation's TestRail sync (see the module docstring for the phases)."""

    __test__ = False

    def __init__(
        self,
        client: TestRailClient | None,
        inputs: Inputs,
        context: RunContext,
        console: Console,
        *,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
        fatal: str | None = None,
    ) -> None:
        self.client = client
        self.inputs = inputs
        self.context = context
        self.console = console
        self.sleep = sleep
        self.clock = clock
        self.fatal = fatal
        self.problems: list[str] = []
        self.notes: list[str] = []
        self.attachments = 0
        self._reports: ReportSet | None = None
        self._mappings: Mappings | None = None
        self._config: Config | None = None
        self.keeper = (
            RunKeeper(
                client,
                sleep=sleep,
                clock=clock,
                since=int(clock()) - LOOKBACK_SECONDS,
                problems=self.problems,
                notes=self.notes,
            )
            if client is not None
            else None
        )

    @staticmethod
    def start(
        inputs: Inputs,
        context: RunContext,
        console: Console,
        *,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
    ) -> TestRailSync | None:
        """The sync for these inputs; None without `testrail_url`, or in a dry run without
        credentials (it then plans from the reports alone)."""
        if not inputs.testrail_url:
            return None
        if not (inputs.testrail_user and inputs.testrail_api_key):
            if inputs.dry_run:
                console.info("TestRail: no credentials, so the dry run does not read TestRail.")
                return None
            return TestRailSync(
                None, inputs, context, console, sleep=sleep, clock=clock, fatal=MISSING_CREDENTIALS
            )
        client = TestRailClient(
            inputs.testrail_url,
            inputs.testrail_user,
            inputs.testrail_api_key,
            sleep=sleep,
            clock=clock,
            budget=RateBudget(PER_MINUTE, clock=clock, sleep=sleep, burst=BURST),
        )
        return TestRailSync(client, inputs, context, console, sleep=sleep, clock=clock)

    # -- 1. read ------------------------------------------------------------------------------
    def read(
        self, routes: Sequence[Route], config: Config, results: Sequence[TestResult]
    ) -> TestRailFacts:
        if self.client is None:
            return TestRailFacts(fatal=self.fatal)
        cases = needs_cases(results, config, self.inputs)
        facts = read_catalog_facts(self.client, routes, config, self.inputs, cases=cases)
        if facts.fatal:
            self.fatal = facts.fatal
        return facts

    # -- 2. plan ------------------------------------------------------------------------------
    def plan(
        self,
        reports: ReportSet,
        mappings: Mappings,
        config: Config,
        routes: Sequence[Route],
        facts: TestRailFacts,
    ) -> TestRailPlan:
        self._reports, self._mappings, self._config = reports, mappings, config
        if self.client is not None and not facts.fatal:
            marker = run_marker(self.context)
            facts = read_plan_facts(
                self.client,
                facts,
                routes,
                mappings,
                config=config,
                inputs=self.inputs,
                marker=marker.search_key() if marker else None,
                since=int(self.clock()) - LOOKBACK_SECONDS,
            )
            if facts.fatal:
                self.fatal = facts.fatal
        return build_testrail_plan(
            reports, mappings, config, context=self.context, inputs=self.inputs, facts=facts
        )

    # -- 3. prepare ---------------------------------------------------------------------------
    def prepare(self, plan: TestRailPlan, *, test_ids: bool = False) -> Prepared:
        """Create sections and cases, open each suite's run, add the cases it lacks. With
        `test_ids` the runs' tests are read, so `Prepared.links` carries test ids and URLs."""
        base_url = self.client.base_url if self.client else ""
        prepared = Prepared(plan, [PreparedRun(run) for run in plan.runs], base_url)
        if plan.dry_run or self.client is None or self.keeper is None:
            return prepared
        for run in prepared.runs:
            if run.plan.problem:
                run.error = run.plan.problem
                continue
            if self.fatal:
                run.error = self.fatal
                continue
            try:
                self._prepare_run(run, test_ids=test_ids)
            except (TestRailError, SyncError) as error:
                run.error = str(error)
                if isinstance(error, TestRailError) and is_fatal(error):
                    self.fatal = str(error)
        return prepared

    def _prepare_run(self, run: PreparedRun, *, test_ids: bool) -> None:
        assert self.client is not None
        assert self.keeper is not None
        if run.plan.new_cases:
            run.made = CaseMaker(self.client, run.plan, sleep=self.sleep).run()
            if run.made.fatal is not None:
                raise run.made.fatal
        case_ids = [
            case_id for case_id in (run.case_of(r) for r in run.plan.results) if case_id is not None
        ]
        case_ids = list(dict.fromkeys(case_ids))
        opened = self.keeper.open(run.plan, case_ids)
        if opened.run.is_completed:
            # This workflow run's run was closed (by a final job) before these results came: a
            # re-run of that job finds them all there; anything new is reported, not lost.
            run.opened = opened
            return
        run.opened = self.keeper.ensure_cases(opened, case_ids, read_back=test_ids)

    # -- 4. post ------------------------------------------------------------------------------
    def post(
        self, prepared: Prepared, defects: Mapping[int, tuple[str, ...]] | None = None
    ) -> Prepared:
        """Send every result of every opened run; `defects` are Jira keys by test index."""
        if prepared.plan.dry_run or self.client is None or self.keeper is None:
            return prepared
        uploader = Uploader(self.client, self.context.workspace, sleep=self.sleep)
        for run in prepared.runs:
            if run.opened is None or run.error:
                continue
            try:
                self._post_run(prepared.plan, run, defects or {}, uploader)
            except (TestRailError, SyncError) as error:
                run.error = str(error)
                if isinstance(error, TestRailError) and is_fatal(error):
                    self.fatal = str(error)
        self.attachments = uploader.uploaded
        for note in uploader.notes:
            if note not in self.notes:
                self.notes.append(note)
        return prepared

    def _post_run(
        self,
        plan: TestRailPlan,
        run: PreparedRun,
        defects: Mapping[int, tuple[str, ...]],
        uploader: Uploader,
    ) -> None:
        assert self.client is not None
        assert self.keeper is not None
        assert run.opened is not None
        opened = run.opened
        case_ids = [c for c in (run.case_of(r) for r in run.plan.results) if c is not None]
        present = existing_keys(self.client, opened, case_ids)
        items: list[Item] = []
        for planned in run.plan.results:
            case_id = run.case_of(planned)
            if case_id is None or case_id in opened.missing_cases:
                continue
            key = result_key(planned.key_base, case_id)
            if key in present:
                result_id, test_id = present[key]
                run.sent[key] = Sent(Delivery.PRESENT, result_id, test_id)
                continue
            if opened.run.is_completed:
                run.sent[key] = Sent(Delivery.UNSENT, error=closed_before(opened.run.id))
                continue
            items.append(Item(planned, case_id, key))
        if not items:
            self._upload(run, uploader)
            return

        def render(item: Item) -> dict[str, Any] | str:
            return self._body(plan, item.planned, item.case_id, item.key, defects)

        sender = ResultSender(self.client, self.keeper, opened, render=render, sleep=self.sleep)
        run.sent.update(sender.send(items))
        self._upload(run, uploader)

    def _body(
        self,
        plan: TestRailPlan,
        planned: PlannedResult,
        case_id: int,
        key: str,
        defects: Mapping[int, tuple[str, ...]],
    ) -> dict[str, Any] | str:
        assert self._reports is not None
        assert self._mappings is not None
        assert self._config
        result = self._reports.results[planned.index]
        try:
            comment = result_comment(
                self._config, plan.run_variables, result, self._mappings[planned.index]
            )
        except TemplateError as error:
            return str(error)
        body: dict[str, Any] = {
            "case_id": case_id,
            "status_id": planned.status_id,
            "comment": with_key(comment, key),
        }
        if planned.elapsed:
            body["elapsed"] = planned.elapsed
        if plan.version:
            body["version"] = plan.version
        keys = defects.get(planned.index)
        if keys:
            text = ""
            for defect in dict.fromkeys(keys):
                candidate = f"{text}, {defect}" if text else defect
                if len(candidate) > DEFECTS_LIMIT:
                    break
                text = candidate
            body["defects"] = text
        body.update(plan.result_fields)
        return body

    def _upload(self, run: PreparedRun, uploader: Uploader) -> None:
        assert self._reports is not None
        if run.opened is None or run.opened.run.is_completed:
            return  # a closed run's results take no attachments
        counts: dict[str, int] = {}
        for planned in run.plan.results:
            result = self._reports.results[planned.index]
            if not result.outcome.is_failure or not result.attachments:
                continue
            case_id = run.case_of(planned)
            if case_id is None:
                continue
            sent = run.sent.get(result_key(planned.key_base, case_id))
            if sent is None or sent.result_id is None or sent.test_id is None:
                continue
            if sent.status not in (Delivery.SENT, Delivery.PRESENT):
                continue
            uploaded = uploader.upload(
                result, sent.result_id, sent.test_id, check=sent.status is Delivery.PRESENT
            )
            if uploaded:
                counts[result_key(planned.key_base, case_id)] = uploaded
        for key, count in counts.items():
            sent = run.sent[key]
            run.sent[key] = Sent(sent.status, sent.result_id, sent.test_id, sent.error, count)

    # -- 5. finish ----------------------------------------------------------------------------
    def finish(self, prepared: Prepared) -> TestRailOutcome:
        """Close the runs (`testrail_close_run`) and say what was done."""
        if not prepared.plan.dry_run and self.keeper is not None:
            for run in prepared.runs:
                if not run.plan.close or run.opened is None or run.error or self.fatal:
                    continue
                try:
                    run.closed = self.keeper.close(run.opened.run)
                except (TestRailError, SyncError) as error:
                    self.problems.append(
                        f"TestRail run R{run.opened.run.id} was not closed: {error}"
                    )
        outcome = build_outcome(
            prepared,
            problems=self.problems,
            notes=self.notes,
            attachments=self.attachments,
            requests=self.client.http.stats.requests if self.client else 0,
        )
        self._log(outcome)
        return outcome

    def _log(self, outcome: TestRailOutcome) -> None:
        for run in outcome.runs:
            if outcome.dry_run:
                where = f"R{run.run_id}" if run.run_id else "a new run"
                self.console.info(
                    f"TestRail (dry run): {run.planned:,} results would go to {where} of {run.label}."
                )
                continue
            if run.run_id is None:
                continue
            parts = [f"{run.sent:,} results sent"]
            if run.present:
                parts.append(f"{run.present:,} already there")
            if run.unsent:
                parts.append(f"{run.unsent:,} not sent")
            if run.created_cases:
                parts.append(f"{len(run.created_cases):,} cases created")
            closed = ", closed" if run.closed else ""
            self.console.info(
                f"TestRail: {', '.join(parts)} · run R{run.run_id} ({run.how}{closed}) "
                f"{run.url or ''}".rstrip()
            )
        for problem in outcome.problems:
            self.console.warning(problem.message, title="TestRail")
        for note in outcome.notes:
            self.console.notice(note, title="TestRail")


__all__ = ["Prepared", "TestLink", "TestRailSync"]
