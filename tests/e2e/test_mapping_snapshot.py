"""The mapping against a real TestRail snapshot: the shop example's reports and config, the routes
known before TestRail is read, the snapshot reader and the client against the demo emulator on
loopback, then the plan, coverage and gates from what TestRail holds."""

from __future__ import annotations

from pathlib import Path

from tmsaction.clients.testrail import TestRailClient
from tmsaction.clients.testrail_snapshot import read_catalog
from tmsaction.config.load import load_config
from tmsaction.mapping.lookups import TestRailLookups
from tmsaction.mapping.model import Route
from tmsaction.mapping.routes import routes_in_use
from tmsaction.plan.build import plan_mapping
from tmsaction.reports.collect import read_reports
from tmsaction.sandbox.testrail import DEMO_API_KEY, DEMO_USER

from tests.conftest import ROOT
from tests.testrail_support import FakeClock, serve

EXAMPLES = ROOT / "examples"


def test_the_shop_example_against_the_demo_testrail() -> None:
    config = load_config(EXAMPLES, ".github/tmsaction.yml", explicit=True)
    reports = read_reports(EXAMPLES, ("reports/**/*.xml", "reports/**/*.json"))
    routes = routes_in_use(reports.results, config.testrail.routes)
    assert routes == (Route("Shop", "Backend"), Route("Shop", "Web"))
    with serve() as (_, url):
        client = TestRailClient(url, DEMO_USER, DEMO_API_KEY, sleep=FakeClock().sleep)
        snapshot = read_catalog(
            client, [(r.project, r.suite) for r in routes], project=None, suite=None
        )
        lookups = TestRailLookups.from_api(
            client.get_statuses(), client.get_case_types(), client.get_priorities()
        )
    assert snapshot.problems == ()
    planned = plan_mapping(
        reports.results,
        reports.totals,
        config,
        catalog=snapshot.catalog,
        lookups=lookups,
        create_cases=True,
    )
    by_name = {r.name: m for r, m in planned.mappings.pairs()}
    assert [c.case_id for c in by_name["chargesCardOnce"].cases] == [105]
    # Case refs from TestRail join the stories the test names itself.
    assert by_name["recalculatesTotalAfterRemoval"].stories == ("SHOP-12", "SHOP-14")
    assert [(c.case_id, c.section_path, c.title) for c in by_name["addsItemToEmptyCart"].cases] == [
        (101, ("Cart",), "Adds an item to an empty cart")
    ]
    plan = planned.plan.mapping
    assert plan.testrail_read
    assert plan.unmatched_count == 0
    assert [(s.route_label, s.section_path, s.titles) for s in plan.new_sections] == [
        ("Shop › Backend", ("Cart",), ("Rejects negative quantity",)),
        ("Shop › Backend", ("Checkout",), ("Guest checkout creates order",)),
        (
            "Shop › Web",
            ("Checkout",),
            ("Pay by card", "An expired card is declined", "Apply a voucher"),
        ),
        ("Shop › Web", ("Search",), ("Finds products by name", "Suggests spelling corrections")),
    ]
    coverage = planned.coverage
    assert (coverage.cases, coverage.automated) == (8, 8)
    assert (coverage.regression, coverage.regression_percent) == (6, 100.0)
    assert [g.sentence for g in planned.gates] == [
        "Regression automation is 100.0% (minimum 80.0%).",
        "Stories with failing tests is 2 (SHOP-12, SHOP-14), above the maximum of 0.",
    ]


def test_without_creating_cases_missing_titles_are_unmatched_with_the_reason(
    tmp_path: Path,
) -> None:
    config = load_config(EXAMPLES, ".github/tmsaction.yml", explicit=True)
    reports = read_reports(EXAMPLES, ("reports/backend/*.xml",))
    with serve() as (_, url):
        client = TestRailClient(url, DEMO_USER, DEMO_API_KEY, sleep=FakeClock().sleep)
        snapshot = read_catalog(client, [("Shop", "Backend")], project=None, suite=None)
    planned = plan_mapping(reports.results, reports.totals, config, catalog=snapshot.catalog)
    plan = planned.plan.mapping
    assert plan.unmatched_count == 2
    assert [(row.test, row.reason) for row in plan.unmatched] == [
        (
            "com.acme.shop.CartTest › rejectsNegativeQuantity",
            "no pinned entry matches 'com.acme.shop.CartTest.rejectsNegativeQuantity'; no case id "
            "in the name or properties test_id, testrail_case_id, case_id, testrail_id or tags; "
            "no case has the automation id 'com.acme.shop.CartTest.rejectsNegativeQuantity'; no "
            "case titled 'Rejects negative quantity' in Cart of Shop › Backend; set "
            "testrail_create_cases: true to create it",
        ),
        (
            "com.acme.shop.CheckoutTest › guestCheckoutCreatesOrder",
            "no pinned entry matches 'com.acme.shop.CheckoutTest.guestCheckoutCreatesOrder'; no "
            "case id in the name or properties test_id, testrail_case_id, case_id, testrail_id or "
            "tags; no case has the automation id "
            "'com.acme.shop.CheckoutTest.guestCheckoutCreatesOrder'; no case titled 'Guest "
            "checkout creates order' in Checkout of Shop › Backend; set testrail_create_cases: "
            "true to create it",
        ),
    ]
