"""The `testrail:` keys that decide which case a test goes to: case ids in tests, the automation id,
name matching, routes and the pinned table (see `config/keys.py`). Pure declarations."""

from __future__ import annotations

from typing import Any

from tmsaction.config import convert
from tmsaction.config.model import (
    AutomationIdConfig,
    CaseIdSources,
    NameRules,
    PinKind,
    PinnedRule,
    RouteRule,
    SectionSource,
)
from tmsaction.config.nodes import (
    CASE_IDS,
    SECTION_PATH,
    index_of,
    texts,
    variant,
)
from tmsaction.config.shapes import Key, Obj
from tmsaction.config.spec import At, Bool, Str
from tmsaction.mapping.model import Route

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

# -- checks across entries --------------------------------------------------------------------


def check_routes(routes: tuple[RouteRule, ...], at: At) -> bool:
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


def check_pins(pins: tuple[PinnedRule, ...], at: At) -> bool:
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
