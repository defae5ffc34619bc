"""What a fresh TestRail instance holds: roles, statuses, case types, priorities, templates, field
type ids and the stock custom fields (research/testrail-api.md §3.5, §3.10, §3.13). Test double.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tmsaction.sandbox.testrail.store import Store

ROLES = {1: "Lead", 2: "Designer", 3: "Tester", 4: "Read-only", 5: "Guest"}
READ_ONLY_ROLES = frozenset({"Read-only", "Guest"})

# §3.10: system statuses 1-5; custom statuses 6-12 exist only once an admin enables them.
SYSTEM_STATUSES: tuple[tuple[int, str, str, bool, int], ...] = (
    (1, "passed", "Passed", True, 12709313),
    (2, "blocked", "Blocked", True, 10526880),
    (3, "untested", "Untested", False, 15790320),
    (4, "retest", "Retest", False, 16760832),
    (5, "failed", "Failed", True, 16631751),
)
UNTESTED = 3
# §3.13: the defaults of a fresh instance.
CASE_TYPES = (
    "Acceptance",
    "Accessibility",
    "Automated",
    "Compatibility",
    "Destructive",
    "Functional",
    "Other",
    "Performance",
    "Regression",
    "Security",
    "Smoke & Sanity",
    "Usability",
)
DEFAULT_CASE_TYPE = 7  # Other
PRIORITIES = (("Low", "Low"), ("Medium", "Medium"), ("High", "High"), ("Critical", "Critical"))
DEFAULT_PRIORITY = 2
TEMPLATES = (
    ("Test Case (Text)", "templates_text"),
    ("Test Case (Steps)", "templates_steps"),
    ("Exploratory Session", "templates_exploratory"),
    ("Behaviour Driven Development", "templates_bdd"),
)
DEFAULT_TEMPLATE = 1
AI_TEMPLATE = 5

# Field type ids (§3.5).
STRING, INTEGER, TEXT, URL, CHECKBOX, DROPDOWN, USER, DATE, MILESTONE, STEPS = range(1, 11)
STEP_RESULTS, MULTI_SELECT = 11, 12


def install_defaults(store: Store) -> None:
    """The statuses and fields of a fresh instance."""
    for status_id, name, label, final, color in SYSTEM_STATUSES:
        store.statuses[status_id] = {
            "id": status_id,
            "name": name,
            "label": label,
            "color_dark": color // 2,
            "color_medium": color,
            "color_bright": min(16777215, color + 1),
            "is_system": True,
            "is_untested": status_id == UNTESTED,
            "is_final": final,
            "_active": True,
        }
    for index in range(1, 8):
        store.statuses[5 + index] = {
            "id": 5 + index,
            "name": f"custom_status{index}",
            "label": f"Custom {index}",
            "color_dark": 0,
            "color_medium": 10526880,
            "color_bright": 13684944,
            "is_system": False,
            "is_untested": False,
            "is_final": False,
            "_active": False,
        }
    # The stock case fields of a fresh instance (§3.4 get_case example).
    for name, label, type_id in (
        ("preconds", "Preconditions", TEXT),
        ("steps", "Steps", TEXT),
        ("expected", "Expected Result", TEXT),
        ("steps_separated", "Steps", STEPS),
        ("mission", "Mission", TEXT),
        ("goals", "Goals", TEXT),
    ):
        store.add_case_field(name, type_id, label)
    store.add_case_field(
        "automation_type", DROPDOWN, "Automation Type", items="0, None\n1, Ranorex", default="0"
    )
    store.add_result_field("step_results", STEP_RESULTS, "Steps")

    # -- users ---------------------------------------------------------------------------------------
