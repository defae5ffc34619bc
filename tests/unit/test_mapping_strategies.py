"""Every matching strategy, table-driven: pinned, case ids, automation id, name, routes, order,
with and without a TestRail snapshot; reasons for unmatched tests asserted in full."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tmsaction.catalog import CaseCatalog
from tmsaction.mapping.mapper import NEW_CASE, NOT_READ
from tmsaction.mapping.model import Route, Strategy
from tmsaction.mapping.routes import routes_in_use
from tmsaction.model import TestResult

from tests.mapping_world import CATALOG, config, mapped, one, summary
from tests.mapping_world import make_result as result

# -- pinned ----------------------------------------------------------------------------------------

PINS = """\
testrail:
  pinned:
    - glob: "com.acme.legacy.*"
      case: [C300, 301]
    - test: com.acme.shop.CheckoutTest.chargesCardOnce
      case: C105
    - regex: '^smoke\\.(login|logout)$'
      case: 7
    - test: com.acme.legacy.ImportTest.reads
      case: 999
    - test: bare_name
      case: C8
    - test: Suite One.Inner.named
      case: C9
"""

PINNED: list[tuple[str, TestResult, tuple[object, ...]]] = [
    (
        "exact identity",
        result("chargesCardOnce", "com.acme.shop.CheckoutTest"),
        ("pinned", ("C105",), ()),
    ),
    (
        "glob, several cases",
        result("anything", "com.acme.legacy.ExportTest"),
        ("pinned", ("C300", "C301"), ()),
    ),
    (
        "an earlier glob wins over a later exact entry",
        result("reads", "com.acme.legacy.ImportTest"),
        ("pinned", ("C300", "C301"), ()),
    ),
    ("regex, full match", result("login", "smoke"), ("pinned", ("C7",), ())),
    (
        "regex does not match a longer identity",
        result("login2", "smoke"),
        ("name", ("smoke › login2",), ()),
    ),
    ("no classname: the bare name", result("bare_name", "", suite=()), ("pinned", ("C8",), ())),
    (
        "no classname: suite levels and name",
        result("named", "", suite=("Suite One", "Inner")),
        ("pinned", ("C9",), ()),
    ),
]


@pytest.mark.parametrize(("case", "test", "expected"), PINNED, ids=[p[0] for p in PINNED])
def test_pinned(case: str, test: TestResult, expected: tuple[object, ...]) -> None:
    assert summary(one(config(PINS), test)) == expected


# -- case ids in tests ----------------------------------------------------------------------------

CASE_IDS: list[tuple[str, str, TestResult, tuple[object, ...]]] = [
    ("in the name", "", result("test_login_C123"), ("case_id", ("C123",), ())),
    (
        "in a property, a list",
        "",
        result("x", properties=[("testrail_case_id", "C5, C6")]),
        ("case_id", ("C5", "C6"), ()),
    ),
    ("in a tag", "", result("x", tags=["@C7"]), ("case_id", ("C7",), ())),
    (
        "name, then properties, then tags, without repeats",
        "",
        result("C1 x", properties=[("test_id", "C2, C1")], tags=["C3", "@test_id:C2"]),
        ("case_id", ("C1", "C2", "C3"), ()),
    ),
    (
        "property names are configurable",
        "testrail:\n  case_ids:\n    properties: [tr]\n",
        result("x", properties=[("tr", "12"), ("test_id", "C5")]),
        ("case_id", ("C12",), ()),
    ),
    (
        "property names ignore case",
        "",
        result("x", properties=[("TEST_ID", "C5")]),
        ("case_id", ("C5",), ()),
    ),
    (
        "names can be turned off",
        "testrail:\n  case_ids:\n    names: false\n",
        result("test_C5"),  # and C5 stays in the title: it is not an id here
        ("name", ("com.acme.shop.CartTest › test_C5",), ()),
    ),
    (
        "tags can be turned off",
        "testrail:\n  case_ids:\n    tags: false\n",
        result("x", tags=["C5"]),
        ("name", ("com.acme.shop.CartTest › x",), ()),
    ),
    (
        "a lower-case parameter is no id",
        "",
        result("test_x[c1]"),
        ("name", ("com.acme.shop.CartTest › test_x[c1]",), ()),
    ),
]


@pytest.mark.parametrize(
    ("case", "text", "test", "expected"), CASE_IDS, ids=[c[0] for c in CASE_IDS]
)
def test_case_ids(case: str, text: str, test: TestResult, expected: tuple[object, ...]) -> None:
    assert summary(one(config(text), test)) == expected


def test_a_property_that_is_not_a_case_id_is_reported_once() -> None:
    cfg = config()
    run = mapped(
        cfg,
        [result(f"t{i}", properties=[("test_id", "CALC-12")]) for i in range(3)],
    )
    assert run.notes == (
        "property test_id='CALC-12' of com.acme.shop.CartTest › t0 is not a list of case ids "
        "(C123, 123) and was ignored (and 2 more like it)",
    )


def test_with_testrail_an_unknown_id_is_skipped_and_the_next_strategy_tried() -> None:
    cfg = config()
    run = mapped(
        cfg,
        [
            result("addsItemToEmptyCart_C101_C999"),
            result("Charges card once C998", "Checkout"),
        ],
        catalog=CATALOG,
    )
    first, second = run.mappings
    assert summary(first) == ("case_id", ("C101",), ("SHOP-12",))
    assert summary(second) == ("name", ("C105",), ())
    assert run.notes == (
        "C999 (case id of com.acme.shop.CartTest › addsItemToEmptyCart_C101_C999) is not a case "
        "of Shop › Backend; results for it are not sent (and 1 more like it)",
    )


# -- automation id ---------------------------------------------------------------------------------

AUTOMATION: list[tuple[str, str, TestResult, tuple[object, ...]]] = [
    (
        "default value classname.name",
        "",
        result("addsItemToEmptyCart"),
        ("automation_id", ("C101",), ("SHOP-12",)),
    ),
    (
        "a rich-text value wrapped in <p> and escaped",
        "",
        result("refunds&voids", "com.acme.shop.PayTest"),
        ("automation_id", ("C110",), ()),
    ),
    (
        "a custom field and value template",
        "testrail:\n  automation_id:\n    field: custom_test_path\n    value: '{file}::{name}'\n",
        result("test_refund", "pay", file="tests/pay.py"),
        ("automation_id", ("C111",), ()),
    ),
    (
        "no case carries it: the next strategy",
        "",
        result("Merges quantities of same item", "Cart"),
        ("name", ("C102",), ("SHOP-12",)),
    ),
]


@pytest.mark.parametrize(
    ("case", "text", "test", "expected"), AUTOMATION, ids=[a[0] for a in AUTOMATION]
)
def test_automation_id(
    case: str, text: str, test: TestResult, expected: tuple[object, ...]
) -> None:
    assert summary(one(config(text), test, catalog=CATALOG)) == expected


def test_automation_id_needs_testrail() -> None:
    cfg = config("testrail:\n  match: [automation_id]\n")
    mapping = one(cfg, result("addsItemToEmptyCart"))
    assert summary(mapping) == (None, (), ())
    assert mapping.reason == (
        "automation ids need TestRail, which was not read; name matching is off (testrail.match)"
    )


# -- name matching without TestRail: the target section and title ----------------------------------

JAVA = result(
    "addsItemToEmptyCart",
    "com.acme.shop.CartTest",
    file="src/test/java/com/acme/shop/CartTest.java",
)
PLAYWRIGHT = result(
    "Login › signs in with a valid password @C201 @SHOP-3 @smoke",
    "login.spec.ts",
    suite=("chromium", "login.spec.ts"),
    file="tests/web/login.spec.ts",
)

TARGETS: list[tuple[str, str, TestResult, str]] = [
    ("section from the suite path", "", JAVA, "com.acme.shop.CartTest › addsItemToEmptyCart"),
    (
        "suite path with levels",
        "testrail:\n  match: [name]\n",
        PLAYWRIGHT,
        "chromium › login.spec.ts › Login › signs in with a valid password",
    ),
    (
        "classname",
        "testrail:\n  names: {section: classname}\n",
        JAVA,
        "com.acme.shop.CartTest › addsItemToEmptyCart",
    ),
    (
        "short class",
        "testrail:\n  names: {section: class}\n",
        JAVA,
        "CartTest › addsItemToEmptyCart",
    ),
    (
        "package, prefix stripped",
        "testrail:\n  names: {section: package, strip_prefix: [com.acme.]}\n",
        JAVA,
        "shop › CartTest › addsItemToEmptyCart",
    ),
    (
        "class, suffix stripped, words",
        "testrail:\n  names: {section: class, strip_suffix: [Test], title: words}\n",
        JAVA,
        "Cart › Adds item to empty cart",
    ),
    (
        "file path",
        "testrail:\n  match: [name]\n  names: {section: file, strip_prefix: [tests/]}\n",
        PLAYWRIGHT,
        "web › login.spec.ts › Login › signs in with a valid password",
    ),
    (
        "file missing: the class",
        "testrail:\n  names: {section: file}\n",
        result("x", "com.acme.A"),
        "com.acme.A › x",
    ),
    (
        "no section, under a root",
        "testrail:\n  names: {section: none, root: Automated > Unit}\n",
        JAVA,
        "Automated › Unit › addsItemToEmptyCart",
    ),
    (
        "split title into sections",
        "testrail:\n  match: [name]\n  names: {section: none, split_title: ' › ', title: words}\n",
        PLAYWRIGHT,
        "Login › Signs in with a valid password",
    ),
    (
        "tags and case ids kept when asked",
        "testrail:\n  match: [name]\n  names: {section: none, strip_tags: false, strip_case_ids: false}\n",
        PLAYWRIGHT,
        "Login › signs in with a valid password @C201 @SHOP-3 @smoke",
    ),
    (
        "parameters stripped when asked",
        "testrail:\n  names: {section: none, strip_parameters: true}\n",
        result("test_total[EUR-19]"),
        "test_total",
    ),
    (
        "parameters kept by default",
        "testrail:\n  names: {section: none}\n",
        result("test_total[EUR-19]"),
        "test_total[EUR-19]",
    ),
    (
        "whitespace runs cleaned",
        "testrail:\n  names: {section: none}\n",
        result("  spaced\t out  "),
        "spaced out",
    ),
]


@pytest.mark.parametrize(("case", "text", "test", "expected"), TARGETS, ids=[t[0] for t in TARGETS])
def test_name_targets_without_testrail(
    case: str, text: str, test: TestResult, expected: str
) -> None:
    mapping = one(config(text), test)
    assert summary(mapping)[:2] == ("name", (expected,))
    assert mapping.reason == NOT_READ
    assert mapping.cases[0].case_id is None


def test_long_titles_are_cut_to_testrail_limit() -> None:
    mapping = one(config("testrail:\n  names: {section: none}\n"), result("t" * 400))
    title = mapping.cases[0].title
    assert len(title) == 250
    assert title.endswith("…")


# -- name matching against TestRail ------------------------------------------------------------------

NAME_MATCH: list[tuple[str, str, TestResult, tuple[object, ...]]] = [
    (
        "a title only in another section",
        "testrail:\n  names: {section: none}\n",
        result("Charges card once"),
        (None, (), ()),
    ),
    (
        "title in its section, ignoring case and spaces",
        "",
        result("  charges CARD once ", "Checkout"),
        ("name", ("C105",), ()),
    ),
    (
        "words title and class section",
        "testrail:\n  names: {section: class, strip_suffix: [Test], title: words}\n",
        result("appliesPercentageDiscount"),
        ("name", ("C103",), ("SHOP-14",)),
    ),
    (
        "nested section under a root",
        "testrail:\n  names: {section: class, strip_suffix: [Test], title: words, root: [Automated, Cart]}\n",
        result("guestCheckoutCreatesOrder", "com.acme.GuestTest"),
        ("name", ("C109",), ()),
    ),
    (
        "anywhere under the root",
        "testrail:\n  names: {section: none, anywhere: true, root: Automated}\n",
        result("Guest checkout creates order"),
        ("name", ("C109",), ()),
    ),
    (
        "case-sensitive when asked",
        "testrail:\n  names: {case_sensitive: true}\n",
        result("charges card once", "Checkout"),
        (None, (), ()),
    ),
    (
        "duplicates: the oldest",
        "",
        result("duplicate title", "Checkout"),
        ("name", ("C107",), ()),
    ),
    (
        "duplicates: unmatched",
        "testrail:\n  names: {duplicates: unmatched}\n",
        result("duplicate title", "Checkout"),
        (None, (), ()),
    ),
]


@pytest.mark.parametrize(
    ("case", "text", "test", "expected"), NAME_MATCH, ids=[n[0] for n in NAME_MATCH]
)
def test_name_matching_against_testrail(
    case: str, text: str, test: TestResult, expected: tuple[object, ...]
) -> None:
    assert summary(one(config(text), test, catalog=CATALOG)) == expected


def test_matched_cases_carry_their_section_and_title() -> None:
    mapping = one(config(), result("charges card once", "Checkout"), catalog=CATALOG)
    assert mapping.cases[0].section_path == ("Checkout",)
    assert mapping.cases[0].title == "Charges card once"


def test_tests_without_a_class_are_matched_in_their_own_suite_section() -> None:
    # The section of a class-less test falls back to its suite: two such tests in one run must
    # not share the section of whichever was placed first.
    cfg = config("testrail:\n  names: {section: classname}\n")
    tests = [
        result("charges card once", "", suite=("Checkout",)),
        result("Adds item to empty cart", "", suite=("Cart",)),
        result("charges card once", "", suite=("Cart",)),
    ]
    run = mapped(cfg, tests, catalog=CATALOG)
    assert [summary(m)[:2] for m in run.mappings] == [
        ("name", ("C105",)),
        ("name", ("C101",)),
        (None, ()),
    ]
    assert "no case titled 'charges card once' in Cart of Shop › Backend" in str(
        run.mappings[2].reason
    )


def test_duplicate_titles_are_reported_with_the_choice_made() -> None:
    run = mapped(config(), [result("duplicate title", "Checkout")], catalog=CATALOG)
    assert run.notes == (
        "2 cases in Shop › Backend are titled 'duplicate title' (C107, C108); "
        "Checkout › duplicate title goes to the oldest, C107 (pin it in "
        "testrail.pinned to choose)",
    )


REASONS: list[tuple[str, str, TestResult, dict[str, object], str]] = [
    (
        "no title in the section, creation off",
        "",
        result("rejectsNegativeQuantity"),
        {},
        "no case id in the name or properties test_id, testrail_case_id, case_id, testrail_id or "
        "tags; no case has the automation id 'com.acme.shop.CartTest.rejectsNegativeQuantity'; "
        "no case titled 'rejectsNegativeQuantity' in com.acme.shop.CartTest of Shop › Backend; "
        "set testrail_create_cases: true to create it",
    ),
    (
        "pinned entries exist, an unknown id, duplicates unmatched",
        "testrail:\n  names: {duplicates: unmatched}\n  pinned:\n    - {test: x.y, case: 1}\n",
        result("duplicate title C555", "Checkout"),
        {},
        "no pinned entry matches 'Checkout.duplicate title C555'; C555 is not a case of "
        "Shop › Backend; no case has the automation id 'Checkout.duplicate title C555'; 2 cases "
        "are titled 'duplicate title' in Checkout (C107, C108); pin one in testrail.pinned, or "
        "set testrail.names.duplicates: oldest",
    ),
    (
        "anywhere",
        "testrail:\n  match: [name]\n  names: {anywhere: true, root: Automated}\n",
        result("nothing like it"),
        {},
        "no case titled 'nothing like it' in Automated (any section) of Shop › Backend; set "
        "testrail_create_cases: true to create it",
    ),
    (
        "case ids not read",
        "testrail:\n  match: [case_id]\n  case_ids: {names: false, properties: [], tags: false}\n",
        result("x"),
        {},
        "case ids in tests are not read (testrail.case_ids); name matching is off (testrail.match)",
    ),
    (
        "the route's suite was not read",
        "",
        result("x"),
        {"suite": "Mobile"},
        "suite 'Mobile' of project 'Shop' was not found in TestRail",
    ),
]


@pytest.mark.parametrize(
    ("case", "text", "test", "options", "reason"), REASONS, ids=[r[0] for r in REASONS]
)
def test_why_a_test_matches_nothing(
    case: str, text: str, test: TestResult, options: dict[str, object], reason: str
) -> None:
    mapping = one(config(text), test, catalog=CATALOG, **options)
    assert summary(mapping) == (None, (), ())
    assert mapping.reason == reason


def test_missing_titles_become_new_cases_with_create_cases() -> None:
    cfg = config("testrail:\n  names: {section: class, strip_suffix: [Test], title: words}\n")
    mapping = one(cfg, result("rejectsNegativeQuantity"), catalog=CATALOG, create_cases=True)
    assert summary(mapping) == ("name", ("Cart › Rejects negative quantity",), ())
    assert mapping.reason == NEW_CASE
    assert mapping.route == Route()


def test_duplicates_are_never_created_again() -> None:
    cfg = config("testrail:\n  names: {duplicates: unmatched}\n")
    mapping = one(cfg, result("Duplicate title", "Checkout"), catalog=CATALOG, create_cases=True)
    assert mapping.cases == ()


# -- routes ------------------------------------------------------------------------------------------

ROUTES = """\
testrail:
  routes:
    - name: web
      match: {report: "reports/web/**"}
      suite: Web
      names: {section: none, split_title: " › ", title: words}
    - match: {file: "services/pay/**", tag: [payments, "@billing"]}
      project: "7"
      suite: 70
      section: Payments
    - match: {testsuite: "Smoke*"}
      suite: Smoke
    - match: {classname: "com.acme.admin.*"}
      project: Admin
    - suite: Backend
"""

ROUTED: list[tuple[str, TestResult, Route, str]] = [
    (
        "report glob",
        result("Login › signs in", "login.spec.ts", source="reports/web/junit.xml"),
        Route(None, "Web"),
        "Login › Signs in",
    ),
    (
        "file and tag both hold",
        result("refunds", "PayTest", file="services/pay/test_pay.py", tags=["Billing"]),
        Route("7", "70"),
        "Payments › PayTest › refunds",
    ),
    (
        "file without the tag: next rules",
        result("refunds", "PayTest", file="services/pay/test_pay.py"),
        Route(None, "Backend"),
        "PayTest › refunds",
    ),
    (
        "any testsuite level",
        result("pings", "Ping", suite=("All", "Smoke tests")),
        Route(None, "Smoke"),
        "All › Smoke tests › pings",
    ),
    (
        "classname glob across dots",
        result("edits", "com.acme.admin.users.EditTest"),
        Route("Admin", None),
        "com.acme.admin.users.EditTest › edits",
    ),
    ("the catch-all", result("other"), Route(None, "Backend"), "com.acme.shop.CartTest › other"),
]


@pytest.mark.parametrize(("case", "test", "route", "target"), ROUTED, ids=[r[0] for r in ROUTED])
def test_routes(case: str, test: TestResult, route: Route, target: str) -> None:
    mapping = one(config(ROUTES), test)
    assert mapping.route == route
    assert summary(mapping)[1] == (target,)


def test_the_routes_a_run_uses_are_known_before_testrail_is_read() -> None:
    results = [
        result("a", "PayTest", file="services/pay/x.py", tags=["billing"]),
        result("b"),
        result("c", "login.spec.ts", source="reports/web/junit.xml"),
        result("d"),
    ]
    rules = config(ROUTES).testrail.routes
    assert routes_in_use(results, rules) == (
        Route("7", "70"),
        Route(None, "Backend"),
        Route(None, "Web"),
    )
    assert routes_in_use(results, ()) == (Route(),)


def test_the_routes_in_use_are_read_only_as_far_as_needed() -> None:
    def tests(first: list[TestResult]) -> Iterator[TestResult]:
        yield from first
        raise AssertionError("read past the point where every route was known")

    rules = config(
        "testrail:\n  routes:\n    - match: {classname: 'Pay*'}\n      suite: Pay\n"
    ).testrail.routes
    assert routes_in_use(tests([result("a"), result("b", "PayTest")]), rules) == (
        Route(),
        Route(None, "Pay"),
    )
    assert routes_in_use(tests([result("a")]), ()) == (Route(),)
    assert routes_in_use([], ()) == ()
    assert routes_in_use([], rules) == ()


def test_without_routes_tests_go_to_the_inputs() -> None:
    run = mapped(config(), [result("x")])
    assert run.mappings[0].route == Route()
    assert [(d.label, tests) for d, tests in run.destinations] == [("default route", 1)]


def test_routes_pick_their_suite_in_testrail() -> None:
    run = mapped(
        config(ROUTES),
        [
            result(
                "Login › signs in with a valid password",
                "login.spec.ts",
                source="reports/web/a.xml",
            ),
            result("Charges card once", "Checkout"),
        ],
        catalog=CATALOG,
        suite=None,
    )
    assert [summary(m)[:2] for m in run.mappings] == [("name", ("C201",)), ("name", ("C105",))]
    assert run.mappings[0].stories == ("SHOP-3",)


def test_a_single_suite_snapshot_serves_the_default_route() -> None:
    only = CaseCatalog(CATALOG.suites[:1])
    mapping = one(
        config(), result("Charges card once", "Checkout"), catalog=only, project=None, suite=None
    )
    assert summary(mapping) == ("name", ("C105",), ())


# -- order -------------------------------------------------------------------------------------------

BOTH = result("chargesCardOnce_C5", "com.acme.shop.CheckoutTest")
ORDERS: list[tuple[str, TestResult, tuple[object, ...]]] = [
    ("[pinned, case_id, automation_id, name]", BOTH, ("pinned", ("C105",), ())),
    ("[case_id, pinned]", BOTH, ("case_id", ("C5",), ())),
    ("[name, case_id]", BOTH, ("name", ("com.acme.shop.CheckoutTest › chargesCardOnce",), ())),
    ("[automation_id, case_id]", BOTH, ("case_id", ("C5",), ())),
]


@pytest.mark.parametrize(("order", "test", "expected"), ORDERS, ids=[o[0] for o in ORDERS])
def test_the_first_strategy_that_matches_wins(
    order: str, test: TestResult, expected: tuple[object, ...]
) -> None:
    pin = "    - test: com.acme.shop.CheckoutTest.chargesCardOnce_C5\n      case: C105\n"
    text = f"testrail:\n  match: {order}\n  pinned:\n{pin}"
    assert summary(one(config(text), test)) == expected


def test_turning_name_matching_off_leaves_tests_unmatched_with_the_reason() -> None:
    run = mapped(config("testrail:\n  match: [case_id]\n"), [result("plain"), result("x_C4")])
    assert [summary(m) for m in run.mappings] == [(None, (), ()), ("case_id", ("C4",), ())]
    assert run.mappings[0].reason == (
        "no case id in the name or properties test_id, testrail_case_id, case_id, testrail_id or "
        "tags; name matching is off (testrail.match)"
    )
    assert run.mappings.unmatched_count() == 1


def test_strategies_record_matched_by() -> None:
    assert {s.value for s in Strategy} == {"pinned", "case_id", "automation_id", "name"}
