"""The demo TestRail world `python -m tmsaction sandbox` and `make demo` start with: project "Shop"
(multi-suite: "Backend" and "Web") holding the cases the example reports point at, and a
single-suite project "Legacy". Sign in as `demo@example.com` with the API key `demo-key`.
"""

from __future__ import annotations

from typing import Any

from tmsaction.sandbox.testrail.defaults import STRING
from tmsaction.sandbox.testrail.emulator import TestRailEmulator

DEMO_USER = "demo@example.com"
DEMO_API_KEY = "demo-key"  # a published sandbox credential, not a secret
DEMO_PASSWORD = "demo-password"  # noqa: S105 - the same
REGRESSION = 9  # "Regression" in get_case_types

# (id, title, refs, regression?, automation id)
CART = (
    (101, "Adds an item to an empty cart", "SHOP-12", True, None),
    (102, "Merges quantities of the same item", "SHOP-12", True, None),
    (103, "Applies a percentage discount", "SHOP-14", True, None),
    (104, "Recalculates the total after removal", "SHOP-12, SHOP-14", True, None),
)
CHECKOUT = (
    (105, "Charges the card once", "SHOP-15", True, "com.acme.shop.CheckoutTest.chargesCardOnce"),
    (
        106,
        "Sends a confirmation email",
        "SHOP-16",
        False,
        "com.acme.shop.CheckoutTest.sendsConfirmationEmail",
    ),
)
LOGIN = (
    (201, "Signs in with a valid password", "SHOP-3", True, None),
    (202, "Shows an error for a wrong password", "SHOP-3", False, None),
)
SMOKE = (
    (301, "Home page loads", None, False, None),
    (302, "Health endpoint answers", None, False, None),
)


def seed_demo(emulator: TestRailEmulator) -> TestRailEmulator:
    """Fill an empty emulator with the demo world; returns it for chaining."""
    world = emulator.world
    with emulator.lock:
        world.add_user("Demo User", DEMO_USER, api_key=DEMO_API_KEY, password=DEMO_PASSWORD)
        world.add_case_field("automation_id", STRING, "Automation ID")
        shop = world.add_project("Shop", suite_mode=3, announcement="Demo shop project")
        backend = world.add_suite(shop["id"], "Backend", description="Services and APIs")
        web = world.add_suite(shop["id"], "Web", description="Browser tests")
        world.add_milestone(shop["id"], "Release 1.0")
        browsers = world.add_config_group(shop["id"], "Browsers")
        world.add_config(browsers["id"], "Chrome")
        world.add_config(browsers["id"], "Firefox")
        for suite_id, section_name, cases in (
            (backend["id"], "Cart", CART),
            (backend["id"], "Checkout", CHECKOUT),
            (web["id"], "Login", LOGIN),
        ):
            section = world.add_section(suite_id, section_name)
            _add_cases(emulator, section["id"], cases)
        legacy = world.add_project("Legacy", suite_mode=1)
        master = world.project_suites(legacy["id"])[0]
        smoke = world.add_section(master["id"], "Smoke")
        _add_cases(emulator, smoke["id"], SMOKE)
    return emulator


def _add_cases(
    emulator: TestRailEmulator,
    section_id: int,
    cases: tuple[tuple[int, str, str | None, bool, str | None], ...],
) -> None:
    for case_id, title, refs, regression, automation_id in cases:
        values: dict[str, Any] = {"refs": refs}
        if regression:
            values["type_id"] = REGRESSION
        if automation_id:
            values["custom_automation_id"] = automation_id
        emulator.world.add_case(section_id, title, id=case_id, **values)


def demo_emulator() -> TestRailEmulator:
    return seed_demo(TestRailEmulator())
