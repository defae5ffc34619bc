"""The `coverage:` section of the config, declared once (see `config/keys.py`). Pure declarations."""

from __future__ import annotations

from typing import Any

from tmsaction.config import convert
from tmsaction.config.model import CaseFilter, CoverageConfig, Gate, GateMetric
from tmsaction.config.nodes import SECTION_PATH, names_or_ids, texts
from tmsaction.config.shapes import Either, Key, ListOf, MapOf, Obj
from tmsaction.config.spec import INVALID, AnyValue, At, Bool, Int, Num, Str

_GATE_NAMES = {
    GateMetric.REGRESSION_AUTOMATION: "Regression automation",
    GateMetric.AUTOMATION: "Automation",
    GateMetric.PASS_RATE: "Pass rate",
    GateMetric.FAILED_TESTS: "Failed tests",
    GateMetric.FLAKY_TESTS: "Flaky tests",
    GateMetric.FAILING_STORIES: "Stories with failing tests",
    GateMetric.UNMATCHED_TESTS: "Unmatched tests",
}

FILTER = Obj(
    (
        Key("case_types", names_or_ids("Case types, by name or id.")),
        Key("priorities", names_or_ids("Priorities, by name or id.")),
        Key(
            "sections",
            ListOf(
                SECTION_PATH,
                single=True,
                help="Section subtrees, as paths from the suite root (Backend > Cart).",
            ),
        ),
        Key("refs", texts("Story keys in the case's refs (globs: SHOP-*).", convert.identity_glob)),
        Key("has_refs", Bool(nullable=True, help="true: cases with refs; false: without.")),
        Key(
            "fields",
            MapOf(
                ListOf(AnyValue(nullable=False), single=True),
                key_check=convert.testrail_custom_field,
                key_pattern=r"^custom_[a-z0-9_]+$",
                help="Custom case field values (system name: value or list of values).",
            ),
        ),
        Key(
            "automation_id",
            Bool(nullable=True, help="true: cases with an automation id; false: without."),
        ),
        Key("filter", texts("Saved filters (coverage.filters) that must match too.")),
    ),
    help="Which TestRail cases a rule covers; criteria combine with AND.",
    schema_name="case_filter",
    build=lambda v, at: CaseFilter(
        case_types=v["case_types"] or (),
        priorities=v["priorities"] or (),
        sections=v["sections"] or (),
        refs=v["refs"] or (),
        has_refs=v["has_refs"],
        fields=v["fields"] or {},
        automation_id=v["automation_id"],
        uses=v["filter"] or (),
    ),
)


def _filters(value: Any, at: At) -> tuple[CaseFilter, ...]:
    items = value if isinstance(value, tuple) else (value,)
    return tuple(CaseFilter(uses=(item,)) if isinstance(item, str) else item for item in items)


def _filter_list(help_text: str) -> Either:
    return Either(
        (Str(), FILTER, ListOf(Either((Str(), FILTER), expected_text="a filter or its name"))),
        expected_text="a filter, a saved filter's name, or a list of them",
        help=help_text,
        convert=_filters,
    )


def _build_gate(v: dict[str, Any], at: At) -> Any:
    metric = GateMetric(v["metric"])
    minimum, maximum = v["min"], v["max"]
    if (minimum is None) == (maximum is None):
        both = minimum is not None
        return at.error("set 'min' or 'max', not both" if both else "needs either 'min' or 'max'")
    limit = minimum if minimum is not None else maximum
    if metric.is_percent and not 0 <= limit <= 100:
        return at.error(f"{metric.value} is a percentage; use a limit from 0 to 100")
    if not metric.is_percent and limit != int(limit):
        return at.error(f"{metric.value} counts tests or stories; use a whole number")
    if v["filter"] is not None and metric is not GateMetric.AUTOMATION:
        return at.error("'filter' applies only to the metric automation")
    return Gate(
        name=v["name"] or _GATE_NAMES[metric],
        metric=metric,
        minimum=minimum,
        maximum=maximum,
        filter=v["filter"],
        line=at.line,
    )


GATE = Obj(
    (
        Key(
            "metric",
            Str(choices=tuple(m.value for m in GateMetric), help="What the gate measures."),
            required=True,
        ),
        Key("min", Num(nullable=True, minimum=0, help="Fails when the metric is below this.")),
        Key("max", Num(nullable=True, minimum=0, help="Fails when the metric is above this.")),
        Key("name", Str(nullable=True, help="Label in the summary.")),
        Key("filter", Str(nullable=True, help="A saved filter scoping metric automation.")),
    ),
    help="A quality gate; the summary reports it and fail_on: quality-gates acts on it.",
    build=_build_gate,
)


def _check_references(v: dict[str, Any], at: At) -> bool:
    filters: dict[str, CaseFilter] = v["filters"]
    defined = ", ".join(filters) or "none"
    ok = True

    def known(name: str, where: At) -> None:
        nonlocal ok
        if name not in filters:
            where.error(f"filter '{name}' is not defined in coverage.filters (defined: {defined})")
            ok = False

    for name, case_filter in filters.items():
        for used in case_filter.uses:
            known(used, at.key("filters").key(name))
    for section in ("automated", "regression"):
        for case_filter in v[section] or ():
            for used in case_filter.uses:
                known(used, at.key(section))
    for position, gate in enumerate(v["gates"]):
        if gate.filter is not None:
            known(gate.filter, At(f"coverage.gates[{position}].filter", gate.line, at.problems))
    for name in filters:
        cycle = _cycle(name, filters)
        if cycle:
            at.key("filters").key(name).error(
                "filters refer to each other in a loop: " + " → ".join(cycle)
            )
            ok = False
            break
    return ok


def _cycle(start: str, filters: dict[str, CaseFilter]) -> list[str]:
    path = [start]

    def walk(name: str) -> list[str]:
        for used in filters.get(name, CaseFilter()).uses:
            if used == start:
                return [*path, used]
            if used in path or used not in filters:
                continue
            path.append(used)
            found = walk(used)
            if found:
                return found
            path.pop()
        return []

    return walk(start)


def _build_coverage(v: dict[str, Any], at: At) -> Any:
    if not _check_references(v, at):
        return INVALID
    return CoverageConfig(
        automated=v["automated"] or (),
        regression=v["regression"] or (),
        filters=v["filters"],
        section_depth=v["section_depth"],
        gates=v["gates"],
    )


COVERAGE = Obj(
    (
        Key(
            "automated",
            _filter_list("Cases flagged automated in TestRail (besides those a test maps to)."),
        ),
        Key(
            "regression",
            _filter_list("The regression suite (any listed filter); default: every case in scope."),
        ),
        Key(
            "filters",
            MapOf(FILTER, help="Saved filters, by name, for regression, automated and gates."),
            {},
        ),
        Key(
            "section_depth",
            Int(minimum=1, maximum=10, help="Section levels of the per-section breakdown."),
            1,
        ),
        Key("gates", ListOf(GATE, help="Quality gates."), []),
    ),
    help="Coverage figures and quality gates for the summary.",
    build=_build_coverage,
)
