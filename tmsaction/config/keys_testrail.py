"""The `testrail:` section of the config (see `config/keys.py`): what each result sends, defaults for
new cases and the run; the matching keys live in `keys_matching.py`. Pure declarations."""

from __future__ import annotations

import dataclasses
from typing import Any

from tmsaction.config import convert
from tmsaction.config.keys_matching import (
    AUTOMATION_ID,
    CASE_ID_SOURCES,
    NAMES,
    PIN,
    ROUTE,
    check_pins,
    check_routes,
)
from tmsaction.config.model import (
    DEFAULT_ORDER,
    NameRules,
    NewCaseDefaults,
    ResultsConfig,
    RunConfig,
    StatusChoice,
    TestRailConfig,
)
from tmsaction.config.nodes import (
    NAME_OR_ID,
    template,
    texts,
    variant,
)
from tmsaction.config.shapes import Either, Key, ListOf, MapOf, Obj
from tmsaction.config.spec import INVALID, AnyValue, At, Bool, Int, Str
from tmsaction.mapping.model import Strategy
from tmsaction.model import Outcome
from tmsaction.templates import TemplateKind, compile_template

# -- results, new cases, run -------------------------------------------------------------------------

STATUS = Either(
    (Int(), Str()),
    nullable=True,
    expected_text="a status name or id, or null",
    help="passed, failed, blocked, retest, a custom status name or id, or null to send nothing.",
    convert=convert.status,
)

_STATUS_DEFAULTS = {
    Outcome.PASSED: "passed",
    Outcome.FAILED: "failed",
    Outcome.ERROR: "failed",
    Outcome.SKIPPED: "retest",
    Outcome.FLAKY: "passed",
}

STATUSES = Obj(
    tuple(Key(outcome.value, STATUS, default) for outcome, default in _STATUS_DEFAULTS.items()),
    help="The TestRail status sent for each outcome (never Untested, which TestRail rejects).",
    build=lambda v, at: {o: v[o.value] or StatusChoice() for o in Outcome},
)


def _field_value(value: Any, at: At) -> Any:
    """String values of custom fields are templates over the run (rendered once per run)."""
    if isinstance(value, str):
        try:
            return compile_template(at.path, value, TemplateKind.RUN)
        except ValueError as error:
            at.error(str(error))
            return INVALID
    return value


def _custom_fields(help_text: str, key_check: Any, templated: bool) -> MapOf:
    return MapOf(
        _TemplatedValue() if templated else AnyValue(),
        key_check=key_check,
        key_pattern=r"^custom_[a-z0-9_]+$",
        help=help_text,
    )


class _TemplatedValue(AnyValue):
    """Any value; text is compiled as a run template."""

    def _check(self, value: Any, at: At) -> Any:
        plain = super()._check(value, at)
        return _field_value(plain, at)


RESULTS = Obj(
    (
        Key("status", STATUSES, {}),
        Key("flaky_note", Bool(help="Add a note naming the failed attempts of flaky tests."), True),
        Key("version", template(TemplateKind.RUN, "The result's version field (a template).")),
        Key(
            "fields",
            _custom_fields(
                "Custom result fields (system name: value); text values are run templates.",
                convert.testrail_custom_field,
                templated=True,
            ),
            {},
        ),
    ),
    help="What each test result sends.",
    build=lambda v, at: ResultsConfig(v["status"], v["flaky_note"], v["version"], v["fields"]),
)

NEW_CASES = Obj(
    (
        Key("type", variant(NAME_OR_ID, nullable=True, help="Case type name or id.")),
        Key("priority", variant(NAME_OR_ID, nullable=True, help="Priority name or id.")),
        Key("template", variant(NAME_OR_ID, nullable=True, help="Case template name or id.")),
        Key(
            "fields",
            _custom_fields(
                "Custom case field values (e.g. required fields), by system name.",
                convert.testrail_custom_field,
                templated=False,
            ),
            {},
        ),
        Key("refs", Bool(help="Write the test's stories into the new case's refs."), True),
        Key(
            "automation_id",
            Bool(help="Write the test's automation id into the automation id field."),
            True,
        ),
    ),
    help="Defaults for cases created with testrail_create_cases: true.",
    build=lambda v, at: NewCaseDefaults(
        v["type"], v["priority"], v["template"], v["fields"], v["refs"], v["automation_id"]
    ),
)

RUN = Obj(
    (
        Key("description", template(TemplateKind.RUN, "Run description (a template).")),
        Key("milestone", variant(NAME_OR_ID, nullable=True, help="Milestone name or id.")),
        Key("refs", template(TemplateKind.RUN, "Run refs (a template), e.g. SHOP-12.")),
        Key(
            "configurations",
            texts("Plan configurations by name (with testrail_plan_id), e.g. Chrome."),
            [],
        ),
    ),
    help="Settings of the run tmsaction creates.",
    build=lambda v, at: RunConfig(v["description"], v["milestone"], v["refs"], v["configurations"]),
)

# -- the section ----------------------------------------------------------------------------------


def _build_testrail(v: dict[str, Any], at: At) -> Any:
    ok = check_routes(v["routes"], at) & check_pins(v["pinned"], at)
    if not ok:
        return INVALID
    names: NameRules = v["names"]
    routes = tuple(
        dataclasses.replace(rule, names=dataclasses.replace(names, **rule.name_overrides))
        if rule.name_overrides
        else rule
        for rule in v["routes"]
    )
    return TestRailConfig(
        match=tuple(Strategy(s) for s in v["match"]),
        case_ids=v["case_ids"],
        automation_id=v["automation_id"],
        names=names,
        routes=routes,
        pinned=v["pinned"],
        results=v["results"],
        new_cases=v["new_cases"],
        run=v["run"],
    )


def _non_empty(items: tuple[Any, ...], at: At) -> tuple[Any, ...]:
    if not items:
        raise ValueError("must list at least one strategy")
    return items


TESTRAIL = Obj(
    (
        Key(
            "match",
            ListOf(
                Str(choices=tuple(s.value for s in Strategy)),
                unique=True,
                convert=_non_empty,
                help="Matching strategies, tried in this order; the first match wins.",
            ),
            [s.value for s in DEFAULT_ORDER],
        ),
        Key("case_ids", CASE_ID_SOURCES, {}),
        Key("automation_id", AUTOMATION_ID, {}),
        Key("names", NAMES, {}),
        Key("routes", ListOf(ROUTE, help="Routing rules; the first matching rule wins."), []),
        Key("pinned", ListOf(PIN, help="Pinned pairs; the first matching entry wins."), []),
        Key("results", RESULTS, {}),
        Key("new_cases", NEW_CASES, {}),
        Key("run", RUN, {}),
    ),
    help="How tests map to TestRail cases, and what is sent.",
    build=_build_testrail,
)
