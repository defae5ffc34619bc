"""TestRail's names for ids that differ per instance (custom statuses, case types, priorities), as
read by the TestRail snapshot. Pure values; empty when TestRail was not read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tmsaction.config.model import NameOrId


def _table(rows: Iterable[Mapping[str, Any]], *names: str) -> dict[str, int]:
    table: dict[str, int] = {}
    for row in rows:
        for name in names:
            value = row.get(name)
            if isinstance(value, str) and value.strip():
                table.setdefault(value.strip().casefold(), int(row["id"]))
    return table


@dataclass(frozen=True)
class TestRailLookups:
    """Casefolded names -> ids. `known` is False when TestRail was not read (dry run without
    credentials): then only ids and the built-in status names can be resolved."""

    __test__ = False

    statuses: Mapping[str, int] = field(default_factory=dict)
    case_types: Mapping[str, int] = field(default_factory=dict)
    priorities: Mapping[str, int] = field(default_factory=dict)
    known: bool = False

    @staticmethod
    def from_api(
        statuses: Iterable[Mapping[str, Any]] = (),
        case_types: Iterable[Mapping[str, Any]] = (),
        priorities: Iterable[Mapping[str, Any]] = (),
    ) -> TestRailLookups:
        """From `get_statuses` (name and label), `get_case_types` and `get_priorities` (name and
        short_name) rows."""
        return TestRailLookups(
            statuses=_table(statuses, "name", "label"),
            case_types=_table(case_types, "name"),
            priorities=_table(priorities, "name", "short_name"),
            known=True,
        )

    def status_id(self, name: str) -> int | None:
        return self.statuses.get(name.strip().casefold())

    def case_type_id(self, value: NameOrId) -> int | None:
        return value if isinstance(value, int) else self.case_types.get(value.strip().casefold())

    def priority_id(self, value: NameOrId) -> int | None:
        return value if isinstance(value, int) else self.priorities.get(value.strip().casefold())
