"""`sync_jira` as the pipeline weaves it between the TestRail prepare and post steps: TestRail
test URLs in (remote links and description links on new defects), defect keys per result out
(for the TestRail results' `defects` field)."""

from __future__ import annotations

import io
from pathlib import Path

from tmsaction.config.load import load_config
from tmsaction.ghactions import Console
from tmsaction.inputs import Inputs, RunContext, parse_inputs
from tmsaction.plan.build import plan_mapping
from tmsaction.reports.collect import read_reports
from tmsaction.runreport import RunReport
from tmsaction.sandbox.jira.seed import DEMO_EMAIL, DEMO_TOKEN
from tmsaction.sinks.jira import sync_jira

from tests.jira_runs import Case, junit
from tests.jira_support import FakeClock, FakeSleep, running

CASES = [
    Case("addsItem", "failed", ("SHOP-12",)),
    Case("logsIn", "passed", ("SHOP-3",)),
    Case("appliesDiscount", "error", ("SHOP-14",)),
]


def prepared(tmp_path: Path, url: str, *, dry_run: bool = False) -> tuple[RunReport, Inputs]:
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "TEST-shop.xml").write_text(junit(CASES))
    config = load_config(tmp_path, ".github/tmsaction.yml", explicit=False)
    reports = read_reports(tmp_path, ("reports/*.xml",))
    planned = plan_mapping(reports.results, reports.totals, config)
    context = RunContext.from_env(
        {"GITHUB_REPOSITORY": "acme/shop", "GITHUB_RUN_ID": "42", "GITHUB_WORKFLOW": "CI"}, tmp_path
    )
    report = RunReport(
        reports=reports,
        context=context,
        dry_run=dry_run,
        config=config,
        mappings=planned.mappings,
        plan=planned.plan,
        coverage=planned.coverage,
    )
    inputs = parse_inputs(
        [
            "--jira-url",
            url,
            "--jira-user",
            DEMO_EMAIL,
            "--jira-token",
            DEMO_TOKEN,
            "--jira-project",
            "SHOP",
            "--jira-create-defects",
        ]
        + (["--dry-run"] if dry_run else []),
        {},
    )
    return report, inputs


def test_testrail_links_in_and_defect_keys_out(tmp_path: Path) -> None:
    links = {
        0: "https://acme.testrail.io/index.php?/tests/view/501",
        2: "https://acme.testrail.io/index.php?/tests/view/503",
    }
    with running(clock=FakeClock(), search_delay=60) as (emulator, server):
        report, inputs = prepared(tmp_path, server.url)
        console = Console(io.StringIO(), in_actions=False)
        done = sync_jira(
            report,
            inputs,
            report.context,
            console,
            sleep=FakeSleep(),
            testrail_links=links,
        )
        assert done.jira is not None
        defects = dict(done.jira.defects)
        assert set(defects) == {0, 2}  # the failing tests; the passing one has none
        key = defects[0][0]
        issue = emulator.issue(key)
        testrail = [
            r for r in issue.remote_links if r.global_id == f"tmsaction:testrail:{links[0]}"
        ]
        assert [r.object["url"] for r in testrail] == [links[0]]
        assert testrail[0].relationship == "tested in"
        assert links[0] in str(issue.fields["description"].adf)
        assert done.plan is not None
        assert done.plan.jira is not None
        assert done.plan.jira.new_defects == 2
        assert done.traceability is not None
        assert {row.key: row.coverage for row in done.traceability.rows} == {
            "SHOP-12": "failing",
            "SHOP-14": "failing",
            "SHOP-3": "passing",
        }


def test_a_dry_run_hands_no_keys_to_testrail_for_defects_not_filed(tmp_path: Path) -> None:
    with running(clock=FakeClock(), search_delay=60) as (emulator, server):
        report, inputs = prepared(tmp_path, server.url, dry_run=True)
        console = Console(io.StringIO(), in_actions=False)
        done = sync_jira(report, inputs, report.context, console, sleep=FakeSleep())
        assert done.jira is not None
        assert done.jira.dry_run
        assert dict(done.jira.defects) == {}
        assert emulator.count("POST", "/issue") == 0
