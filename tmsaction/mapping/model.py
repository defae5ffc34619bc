"""The mapping's output: for every test result, where it goes in TestRail, which stories it covers,
and how it was matched (or why it was not). Pure values; the contract between mapping, planning,
the sinks and the summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Strategy(StrEnum):
    """How a test was matched to its case(s); recorded on every mapped result as `matched_by`."""

    CASE_ID = "case_id"  # C123 in the name, a property or a tag
    PINNED = "pinned"  # the config's pairing table
    AUTOMATION_ID = "automation_id"  # TestRail's automation id field
    NAME = "name"  # suite/section path + title


@dataclass(frozen=True, slots=True)
class Route:
    """Which TestRail project and suite a test goes to; None means "the action input"."""

    project: str | None = None
    suite: str | None = None


DEFAULT_ROUTE = Route()


@dataclass(frozen=True, slots=True)
class CaseRef:
    """One target case: known by id, or to be found (or created) by section path and title."""

    case_id: int | None
    section_path: tuple[str, ...] = ()
    title: str = ""

    @property
    def exists(self) -> bool:
        return self.case_id is not None


@dataclass(frozen=True, slots=True)
class TestMapping:
    """Where one test result goes. `cases` is empty when the test matched nothing (see `reason`)."""

    __test__ = False  # not a pytest test class

    route: Route = DEFAULT_ROUTE
    cases: tuple[CaseRef, ...] = ()
    matched_by: Strategy | None = None
    stories: tuple[str, ...] = ()  # Jira keys this test covers (validated)
    status_id: int | None = None  # TestRail status for this outcome; None: do not send
    # The status as configured ("passed", "retest", a custom status name); None: do not send. A
    # custom status has a name but no id until TestRail's statuses are known (dry run without
    # credentials).
    status: str | None = None
    comment: str | None = None  # rendered result comment (None: the default)
    reason: str | None = None  # why unmatched, or what name matching would do

    @property
    def matched(self) -> bool:
        return bool(self.cases)
