"""Read what planning needs from TestRail (projects, suites, sections, cases) into the pure
`catalog` values, resolving project and suite names the way users write them.

Suite modes (research/testrail-api.md §3.1): mode 1 has exactly one suite, used whatever
`testrail_suite` says; mode 2 uses the master suite unless a baseline is named; mode 3 needs a suite.
Only four kinds of call are made: get_project(s), get_suites, get_sections, get_cases.
"""

from __future__ import annotations

import difflib
import html
from collections.abc import Iterable
from dataclasses import dataclass

from tmsaction.catalog import Case, CaseCatalog, Section, SuiteCatalog
from tmsaction.clients.testrail import TestRailClient
from tmsaction.clients.testrail_errors import TestRailError
from tmsaction.clients.testrail_types import Case as ApiCase
from tmsaction.clients.testrail_types import Project, Suite, custom_fields
from tmsaction.clients.testrail_types import Section as ApiSection

# trcli checks both names (§3.4): a custom field `automation_id`, or the newer built-in field.
AUTOMATION_ID_FIELDS = ("custom_automation_id", "custom_case_automation_id")


# -- pure conversions ------------------------------------------------------------------------------


def split_refs(refs: str | None) -> tuple[str, ...]:
    """`"SHOP-12, SHOP-14"` -> ("SHOP-12", "SHOP-14"); empty parts dropped. Pure."""
    return tuple(part.strip() for part in (refs or "").split(",") if part.strip())


def unwrap_automation_id(value: object) -> str | None:
    """An automation id as written: a rich-text field answers `<p>com.acme.A&amp;B</p>` (§5.12), so
    HTML entities are decoded and one `<p>…</p>` wrapper removed, as trcli does. Pure."""
    if value is None:
        return None
    text = html.unescape(str(value)).strip()
    if text.startswith("<p>"):
        text = text[3:]
    if text.endswith("</p>"):
        text = text[:-4]
    text = text.strip()
    return text or None


def to_section(raw: ApiSection) -> Section:
    """Pure."""
    return Section(
        id=raw["id"],
        suite_id=raw.get("suite_id"),
        name=raw["name"],
        parent_id=raw.get("parent_id"),
        depth=raw.get("depth") or 0,
    )


def to_case(raw: ApiCase, suite_id: int | None) -> Case:
    """Pure; `Case.fields` keeps the other custom fields that hold a value."""
    customs = custom_fields(raw)
    automation_id = None
    for name in AUTOMATION_ID_FIELDS:
        automation_id = automation_id or unwrap_automation_id(customs.get(name))
    return Case(
        id=raw["id"],
        title=raw["title"],
        section_id=raw["section_id"],
        suite_id=raw.get("suite_id") or suite_id,
        type_id=raw.get("type_id"),
        priority_id=raw.get("priority_id"),
        refs=split_refs(raw.get("refs")),
        automation_id=automation_id,
        fields={
            key: value
            for key, value in customs.items()
            if key not in AUTOMATION_ID_FIELDS and value is not None
        },
    )


# -- resolution ------------------------------------------------------------------------------------


def _not_found(message: str) -> TestRailError:
    return TestRailError(message, kind="not_found")


def _suggest(wanted: str, names: Iterable[str]) -> str:
    names = list(dict.fromkeys(names))
    close = difflib.get_close_matches(wanted, names, n=1, cutoff=0.6)
    listed = ", ".join(f"'{n}'" for n in names[:15]) + (", ..." if len(names) > 15 else "")
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"{hint}Known: {listed or 'none'}"


def _by_name(items: list[Project] | list[Suite], wanted: str) -> list[Project] | list[Suite]:
    exact = [item for item in items if item["name"] == wanted]
    if exact:
        return exact  # type: ignore[return-value]
    folded = wanted.casefold()
    return [item for item in items if item["name"].casefold() == folded]  # type: ignore[return-value]


def resolve_project(client: TestRailClient, wanted: str | int) -> Project:
    """A project by numeric id or by name (exact, then ignoring case); names may repeat (§5.17)."""
    text = str(wanted).strip()
    if not text:
        raise _not_found("testrail_project is empty: set it to a TestRail project name or id.")
    if text.isdigit():
        try:
            return client.get_project(int(text))
        except TestRailError as error:
            if error.kind != "not_found":
                raise
    projects = client.get_projects()
    found = _by_name(projects, text)
    if len(found) > 1:
        ids = ", ".join(str(p["id"]) for p in found)
        raise TestRailError(
            f"TestRail has {len(found)} projects named '{text}' (ids {ids}): set "
            "testrail_project to the id of the one to use.",
            kind="ambiguous",
        )
    if not found:
        raise _not_found(
            f"TestRail project '{text}' was not found among the projects user '{client.user}' can "
            f"see; {_suggest(text, (p['name'] for p in projects))}. Set testrail_project to one of "
            "them (name or id)."
        )
    project: Project = found[0]  # type: ignore[assignment]
    return project


def resolve_suite(client: TestRailClient, project: Project, wanted: str | int | None) -> Suite:
    """The suite a run goes to, by id or name, under the project's suite mode."""
    suites = client.get_suites(project["id"])
    mode = project.get("suite_mode", 1)
    if mode == 1 and suites:
        return suites[0]  # single-suite projects have exactly one suite (§3.1)
    text = "" if wanted is None else str(wanted).strip()
    if not text:
        if mode == 2:
            masters = [s for s in suites if s.get("is_master")] or suites[:1]
            if masters:
                return masters[0]
        names = ", ".join(f"'{s['name']}'" for s in suites) or "none"
        raise TestRailError(
            f"TestRail project '{project['name']}' holds several suites ({names}): set "
            "testrail_suite to the suite name or id to report to.",
            kind="suite_required",
        )
    if text.isdigit() or (text[:1] in "Ss" and text[1:].isdigit()):
        suite_id = int(text.lstrip("Ss"))
        by_id = [s for s in suites if s["id"] == suite_id]
        if by_id:
            return by_id[0]
    found = _by_name(suites, text)
    if len(found) > 1:
        ids = ", ".join(str(s["id"]) for s in found)
        raise TestRailError(
            f"TestRail project '{project['name']}' has {len(found)} suites named '{text}' "
            f"(ids {ids}): set testrail_suite to the id of the one to use.",
            kind="ambiguous",
        )
    if not found:
        raise _not_found(
            f"TestRail suite '{text}' was not found in project '{project['name']}'; "
            f"{_suggest(text, (s['name'] for s in suites))}. Set testrail_suite to one of them."
        )
    suite: Suite = found[0]  # type: ignore[assignment]
    return suite


def read_suite(client: TestRailClient, project: Project, suite: Suite) -> SuiteCatalog:
    """Every section and case of one suite."""
    sections = tuple(to_section(s) for s in client.get_sections(project["id"], suite["id"]))
    cases = tuple(to_case(c, suite["id"]) for c in client.iter_cases(project["id"], suite["id"]))
    return SuiteCatalog(
        project_id=project["id"],
        project_name=project["name"],
        suite_id=suite["id"],
        suite_name=suite["name"],
        sections=sections,
        cases=cases,
    )


@dataclass(frozen=True)
class CatalogSnapshot:
    """The suites that could be read, and one error per route that could not."""

    catalog: CaseCatalog
    problems: tuple[TestRailError, ...] = ()


def read_catalog(
    client: TestRailClient,
    routes: Iterable[tuple[str | int | None, str | int | None]],
    *,
    project: str | int | None,
    suite: str | int | None,
) -> CatalogSnapshot:
    """Read each suite the routes name once; `None` in a route means the action input
    (`project`, `suite`). One route that cannot be resolved does not stop the others."""
    suites: list[SuiteCatalog] = []
    problems: list[TestRailError] = []
    seen_routes: set[tuple[str, str]] = set()
    seen_suites: set[int] = set()
    projects: dict[str, Project] = {}
    for route_project, route_suite in routes:
        wanted_project = route_project if route_project is not None else project
        wanted_suite = route_suite if route_suite is not None else suite
        key = (str(wanted_project), str(wanted_suite))
        if key in seen_routes:
            continue
        seen_routes.add(key)
        try:
            if wanted_project is None:
                raise _not_found("No TestRail project given: set testrail_project (a name or id).")
            if key[0] not in projects:
                projects[key[0]] = resolve_project(client, wanted_project)
            found_project = projects[key[0]]
            found_suite = resolve_suite(client, found_project, wanted_suite)
            if found_suite["id"] in seen_suites:
                continue
            seen_suites.add(found_suite["id"])
            suites.append(read_suite(client, found_project, found_suite))
        except TestRailError as error:
            if error.kind in ("auth", "api_disabled", "unreachable", "bad_url", "not_testrail"):
                raise  # nothing else will work either
            problems.append(error)
    return CatalogSnapshot(CaseCatalog(tuple(suites)), tuple(problems))
