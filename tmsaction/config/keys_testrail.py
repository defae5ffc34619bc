"""The `testrail:` section of the config, declared once (see `config/keys.py`). Pure declarations."""

from __future__ import annotations

import dataclasses
from typing import Any

from tmsaction.config import convert
from tmsaction.config.model import (
    DEFAULT_ORDER,
    AutomationIdConfig,
    CaseIdSources,
    NameRules,
    NewCaseDefaults,
    PinKind,
    PinnedRule,
    ResultsConfig,
    RouteRule,
    RunConfig,
    SectionSource,
    StatusChoice,
    TestRailConfig,
)
from tmsaction.config.nodes import (
    CASE_IDS,
    NAME_OR_ID,
    SECTION_PATH,
    index_of,
    template,
    texts,
    variant,
)
from tmsaction.config.spec import (
    INVALID,
    AnyValue,
    At,
    Bool,
    Either,
    Int,
    Key,
    ListOf,
    MapOf,
    Obj,
    Str,
)
from tmsaction.mapping.model import Route, Strategy
from tmsaction.model import Outcome
from tmsaction.templates import TemplateKind, compile_template

# -- case ids, automation id, names ------------------------------------------------------------------

CASE_ID_SOURCES = Obj(
    (
        Key("names", Bool(help="Find C123 in test names (rules in README)."), True),
        Key(
            "properties",
            texts("Report properties whose value holds case ids (C123, 123, C1, C2)."),
            list(CaseIdSources().properties),
        ),
        Key("tags", Bool(help="Find case ids in tags: C123, @C123, test_id:C123."), True),
    ),
    help="Where case ids written in the tests are looked for.",
    build=lambda v, at: CaseIdSources(v["names"], v["properties"], v["tags"]),
)


def _automation_field(value: str, at: At) -> str:
    if value != "auto":
        problem = convert.testrail_custom_field(value)
        if problem:
            raise ValueError(problem)
    return value


AUTOMATION_ID = Obj(
    (
        Key(
            "field",
            Str(
                help="Case field holding the automation id: auto (custom_case_automation_id, "
                "else custom_automation_id) or a custom field's system name.",
                pattern=r"^(auto|custom_[a-z0-9_]+)$",
                convert=_automation_field,
            ),
            "auto",
        ),
        Key(
            "value",
            Str(
                help="The test's automation id, from {classname} {name} {suite} {file}.",
                convert=convert.automation_value,
            ),
            "{classname}.{name}",
        ),
    ),
    help="Matching by TestRail's automation id field.",
    build=lambda v, at: AutomationIdConfig(v["field"], v["value"]),
)


def _build_names(v: dict[str, Any], at: At) -> NameRules:
    return NameRules(
        section=SectionSource(v["section"]),
        root=v["root"] or (),
        strip_prefix=v["strip_prefix"],
        strip_suffix=v["strip_suffix"],
        split_title=v["split_title"] or None,
        title=v["title"],
        strip_tags=v["strip_tags"],
        strip_case_ids=v["strip_case_ids"],
        strip_parameters=v["strip_parameters"],
        case_sensitive=v["case_sensitive"],
        anywhere=v["anywhere"],
        duplicates=v["duplicates"],
    )


NAMES = Obj(
    (
        Key(
            "section",
            Str(
                choices=tuple(s.value for s in SectionSource),
                help="Where a test's section path comes from.",
            ),
            "suite",
        ),
        Key(
            "root",
            variant(
                SECTION_PATH,
                nullable=True,
                help="Section path under which the derived sections live and new cases go.",
            ),
        ),
        Key("strip_prefix", texts("Prefixes removed from the section source (com.acme.)."), []),
        Key("strip_suffix", texts("Suffixes removed from the section source (Test)."), []),
        Key(
            "split_title",
            Str(
                nullable=True,
                non_empty=False,
                help="Split test names on this text: the last part is the title, the others "
                "become sections (Playwright: ' › ').",
            ),
        ),
        Key(
            "title",
            Str(choices=("name", "words"), help="name: the test name; words: humanised words."),
            "name",
        ),
        Key("strip_tags", Bool(help="Drop @tag words from titles."), True),
        Key("strip_case_ids", Bool(help="Drop C123 and [C123] from titles."), True),
        Key("strip_parameters", Bool(help="Drop a trailing [parameters] part from titles."), False),
        Key("case_sensitive", Bool(help="Compare titles and sections case-sensitively."), False),
        Key(
            "anywhere",
            Bool(help="Match a title in any section under the root, not only in its own."),
            False,
        ),
        Key(
            "duplicates",
            Str(
                choices=("oldest", "unmatched"),
                help="Several cases with the same title: the oldest (lowest id) wins, or none.",
            ),
            "oldest",
        ),
    ),
    help="Name matching: a section path and a title per test.",
    build=_build_names,
)

# -- routes and pinned --------------------------------------------------------------------------------

_NAME_CONVERSIONS = {"section": SectionSource}

ROUTE_NAMES = Obj(
    tuple(
        Key(
            key.name, variant(key.node, nullable=True, help=f"Overrides testrail.names.{key.name}.")
        )
        for key in NAMES.keys
        if key.name != "root"
    ),
    nullable=True,
    help="Any testrail.names key but root, for this route's tests (the others are inherited).",
    list_keys=False,
    unknown_hints={"root": "a route's root section is its 'section' key"},
    build=lambda v, at: {
        name: _NAME_CONVERSIONS.get(name, lambda x: x)(value)
        for name, value in v.items()
        if value is not None
    },
)

ROUTE_MATCH = Obj(
    (
        Key("report", texts("Report file globs (as in the reports input).", convert.path_glob)),
        Key("file", texts("Test source file globs.", convert.path_glob)),
        Key("testsuite", texts("Report testsuite name globs (any level).", convert.identity_glob)),
        Key("classname", texts("Class name globs.", convert.identity_glob)),
        Key("tag", texts("Tags, with or without @.")),
    ),
    nullable=True,
    help="All given criteria must match; a list means any one of its values.",
)


def _build_route(v: dict[str, Any], at: At) -> RouteRule:
    match = v["match"] or {}
    return RouteRule(
        index=index_of(at),
        name=v["name"] or "",
        route=Route(project=v["project"], suite=v["suite"]),
        reports=match.get("report") or (),
        files=match.get("file") or (),
        testsuites=match.get("testsuite") or (),
        classnames=match.get("classname") or (),
        tags=frozenset(t.lstrip("@").casefold() for t in match.get("tag") or ()),
        section=v["section"],
        name_overrides=v["names"] or {},
        line=at.line,
    )


ROUTE = Obj(
    (
        Key("name", Str(nullable=True, help="A label shown in the plan.")),
        Key("match", ROUTE_MATCH),
        Key(
            "project",
            Str(numbers_as_text=True, nullable=True, help="TestRail project name or id."),
        ),
        Key("suite", Str(numbers_as_text=True, nullable=True, help="TestRail suite name or id.")),
        Key(
            "section",
            variant(SECTION_PATH, nullable=True, help="Root section for these tests."),
        ),
        Key("names", ROUTE_NAMES),
    ),
    help="A routing rule: tests matching `match` go to this project and suite.",
    build=_build_route,
)


def _build_pin(v: dict[str, Any], at: At) -> Any:
    given = [kind for kind in PinKind if v[kind.value] is not None]
    if len(given) != 1:
        found = " and ".join(f"'{k.value}'" for k in given) if given else "none"
        return at.error(f"needs exactly one of 'test', 'glob' or 'regex' (found {found})")
    kind = given[0]
    value = v[kind.value]
    if kind is PinKind.EXACT:
        return PinnedRule(index_of(at), kind, value, v["case"], None, line=at.line)
    if kind is PinKind.GLOB:
        return PinnedRule(index_of(at), kind, value.text, v["case"], value.regex, line=at.line)
    return PinnedRule(index_of(at), kind, value.pattern, v["case"], value, line=at.line)


PIN = Obj(
    (
        Key("test", Str(nullable=True, help="Exact test identity, e.g. com.acme.CartTest.adds.")),
        Key("glob", Str(nullable=True, convert=convert.identity_glob, help="Identity glob (* ?).")),
        Key(
            "regex",
            Str(nullable=True, convert=convert.regex, fmt="regex", help="Identity regex."),
        ),
        Key("case", CASE_IDS, required=True),
    ),
    help="Pins tests to case ids by identity, so renaming a test or a case keeps the link.",
    build=_build_pin,
)

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


def _check_routes(routes: tuple[RouteRule, ...], at: At) -> bool:
    ok = True
    for earlier in routes:
        if not earlier.catch_all:
            continue
        for later in routes[earlier.index + 1 :]:
            At(f"testrail.routes[{later.index}]", later.line, at.problems).error(
                f"can never match: {earlier.label} has no 'match' and takes every test; "
                "move the catch-all route last"
            )
            ok = False
        break
    return ok


def _check_pins(pins: tuple[PinnedRule, ...], at: At) -> bool:
    ok = True
    first: dict[str, PinnedRule] = {}
    for pin in pins:
        if pin.kind is not PinKind.EXACT:
            continue
        if pin.pattern in first:
            At(f"testrail.pinned[{pin.index}]", pin.line, at.problems).error(
                f"'{pin.pattern}' is already pinned by testrail.pinned[{first[pin.pattern].index}]"
            )
            ok = False
        first.setdefault(pin.pattern, pin)
    return ok


def _build_testrail(v: dict[str, Any], at: At) -> Any:
    ok = _check_routes(v["routes"], at) & _check_pins(v["pinned"], at)
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
