"""A small TestRail world (the shop's suites, sections and cases) and test-result builders, shared
by the mapping, coverage and plan tests. Values only; no emulator needed for pure steps."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from tmsaction.catalog import Case, CaseCatalog, Section, SuiteCatalog
from tmsaction.config.load import parse_config
from tmsaction.config.model import Config
from tmsaction.mapping.lookups import TestRailLookups
from tmsaction.mapping.mapper import MappingRun, map_results
from tmsaction.mapping.model import TestMapping
from tmsaction.model import Attempt, Outcome, TestDetail, TestResult

REGRESSION, FUNCTIONAL, AUTOMATED = 9, 6, 3
MEDIUM, HIGH, CRITICAL = 2, 3, 4

BACKEND = SuiteCatalog(
    project_id=1,
    project_name="Shop",
    suite_id=10,
    suite_name="Backend",
    sections=(
        Section(100, 10, "Cart"),
        Section(101, 10, "Checkout"),
        Section(102, 10, "Automated"),
        Section(103, 10, "Cart", parent_id=102, depth=1),
        Section(104, 10, "Guest", parent_id=103, depth=2),
    ),
    cases=(
        Case(
            101,
            "Adds item to empty cart",
            100,
            10,
            REGRESSION,
            HIGH,
            ("SHOP-12",),
            automation_id="com.acme.shop.CartTest.addsItemToEmptyCart",
        ),
        Case(102, "Merges quantities of same item", 100, 10, REGRESSION, MEDIUM, ("SHOP-12",)),
        Case(
            103,
            "Applies percentage discount",
            100,
            10,
            REGRESSION,
            CRITICAL,
            ("SHOP-14",),
            fields={"custom_automation_type": 1},
        ),
        Case(104, "Recalculates total after removal", 100, 10, FUNCTIONAL, MEDIUM),
        Case(105, "Charges card once", 101, 10, REGRESSION, CRITICAL),
        Case(106, "Sends confirmation email", 101, 10, FUNCTIONAL, MEDIUM, ("SHOP-20",)),
        Case(107, "Duplicate title", 101, 10, FUNCTIONAL, MEDIUM),
        Case(108, "duplicate   Title", 101, 10, FUNCTIONAL, MEDIUM),
        Case(109, "Guest checkout creates order", 104, 10, REGRESSION, HIGH),
        Case(
            110,
            "Rich automation id",
            101,
            10,
            FUNCTIONAL,
            MEDIUM,
            fields={"custom_case_automation_id": "<p>com.acme.shop.PayTest.refunds&amp;voids</p>"},
        ),
        Case(
            111,
            "Path automation id",
            101,
            10,
            FUNCTIONAL,
            MEDIUM,
            fields={"custom_test_path": "tests/pay.py::test_refund"},
        ),
    ),
)

WEB = SuiteCatalog(
    project_id=1,
    project_name="Shop",
    suite_id=20,
    suite_name="Web",
    sections=(Section(200, 20, "Login"), Section(201, 20, "Search")),
    cases=(
        Case(201, "Signs in with a valid password", 200, 20, REGRESSION, HIGH, ("SHOP-3",)),
        Case(202, "Shows an error for a wrong password", 200, 20, REGRESSION, MEDIUM, ("SHOP-3",)),
        Case(203, "Finds products by name", 201, 20, FUNCTIONAL, MEDIUM),
    ),
)

CATALOG = CaseCatalog((BACKEND, WEB))

LOOKUPS = TestRailLookups.from_api(
    statuses=[
        {"id": 1, "name": "passed", "label": "Passed"},
        {"id": 2, "name": "blocked", "label": "Blocked"},
        {"id": 3, "name": "untested", "label": "Untested"},
        {"id": 4, "name": "retest", "label": "Retest"},
        {"id": 5, "name": "failed", "label": "Failed"},
        {"id": 6, "name": "custom_status1", "label": "Known issue"},
    ],
    case_types=[
        {"id": AUTOMATED, "name": "Automated"},
        {"id": FUNCTIONAL, "name": "Functional"},
        {"id": REGRESSION, "name": "Regression"},
    ],
    priorities=[
        {"id": MEDIUM, "name": "Medium", "short_name": "M"},
        {"id": HIGH, "name": "High", "short_name": "H"},
        {"id": CRITICAL, "name": "Critical", "short_name": "C"},
    ],
)


def config(text: str = "") -> Config:
    """A config from YAML lines (without the version line)."""
    return parse_config("version: 1\n" + textwrap.dedent(text), "tmsaction.yml")


def make_result(
    name: str,
    classname: str = "com.acme.shop.CartTest",
    *,
    suite: tuple[str, ...] | None = None,
    outcome: Outcome = Outcome.PASSED,
    properties: Sequence[tuple[str, str]] = (),
    tags: Sequence[str] = (),
    file: str | None = None,
    source: str = "reports/TEST-com.acme.shop.CartTest.xml",
    message: str | None = None,
    attempts: Sequence[Attempt] = (),
) -> TestResult:
    detail = None
    if properties or tags or message or attempts:
        detail = TestDetail(
            message=message,
            properties=tuple(properties),
            tags=tuple(tags),
            attempts=tuple(attempts),
        )
    return TestResult(
        suite=suite if suite is not None else ((classname,) if classname else ()),
        classname=classname,
        name=name,
        outcome=outcome,
        duration=0.1,
        source=source,
        file=file,
        detail=detail,
    )


def mapped(
    cfg: Config,
    results: Sequence[TestResult],
    *,
    catalog: CaseCatalog | None = None,
    create_cases: bool = False,
    lookups: TestRailLookups | None = None,
    project: str | None = "Shop",
    suite: str | None = "Backend",
) -> MappingRun:
    return map_results(
        results,
        cfg,
        catalog=catalog,
        lookups=lookups,
        create_cases=create_cases,
        default_project=project,
        default_suite=suite,
    )


def one(cfg: Config, result: TestResult, **options: object) -> TestMapping:
    run = mapped(cfg, [result], **options)  # type: ignore[arg-type]
    return run.mappings[0]


def summary(mapping: TestMapping) -> tuple[object, ...]:
    """(matched_by, cases as ids or `path › title`, stories) for compact assertions."""
    cases = tuple(
        f"C{c.case_id}" if c.case_id is not None else " › ".join((*c.section_path, c.title))
        for c in mapping.cases
    )
    return (mapping.matched_by.value if mapping.matched_by else None, cases, mapping.stories)
