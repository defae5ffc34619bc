"""Why a test matched nothing, strategy by strategy in the configured order, in words a QA lead
can act on (the plan and results_json show it). Pure; no I/O."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tmsaction.mapping.automation import test_automation_id
from tmsaction.mapping.model import Strategy
from tmsaction.mapping.pinned import identity_text
from tmsaction.mapping.routes import Destination
from tmsaction.mapping.suites import SuiteTarget
from tmsaction.model import TestResult

if TYPE_CHECKING:
    from tmsaction.mapping.mapper import Mapper


def explain_unmatched(mapper: Mapper, result: TestResult, destination: Destination) -> str:
    """Why no strategy matched this test, strategy by strategy, in the configured order."""
    testrail = mapper.config.testrail
    target = mapper.target_of(destination)
    if mapper.catalog is not None and target is None:
        return f"{mapper.suite_label(destination.route)} was not found in TestRail"
    reasons: list[str] = []
    for strategy in testrail.match:
        if strategy is Strategy.PINNED and not mapper.pins.empty:
            reasons.append(f"no pinned entry matches '{identity_text(result)}'")
        elif strategy is Strategy.CASE_ID:
            ids = mapper.case_ids_of(result)
            if ids and target is not None:
                unknown = ", ".join(f"C{i}" for i in ids)
                reasons.append(f"{unknown} is not a case of {target.label}")
            else:
                reasons.append(_no_case_id(mapper))
        elif strategy is Strategy.AUTOMATION_ID:
            if target is None:
                reasons.append("automation ids need TestRail, which was not read")
            else:
                value = test_automation_id(result, testrail.automation_id.value)
                reasons.append(f"no case has the automation id '{value}'")
        elif strategy is Strategy.NAME and target is not None:
            reasons.append(_no_title(mapper, result, destination, target))
    if Strategy.NAME not in testrail.match:
        reasons.append("name matching is off (testrail.match)")
    return "; ".join(reasons)


def _no_case_id(mapper: Mapper) -> str:
    sources = mapper.config.testrail.case_ids
    places = []
    if sources.names:
        places.append("the name")
    if sources.properties:
        places.append("properties " + ", ".join(sources.properties))
    if sources.tags:
        places.append("tags")
    if not places:
        return "case ids in tests are not read (testrail.case_ids)"
    return "no case id in " + " or ".join(places)


def _no_title(
    mapper: Mapper, result: TestResult, destination: Destination, target: SuiteTarget
) -> str:
    namer = mapper.namer_for(destination)
    path, key, title, title_key = namer.keyed(result)
    index = target.names(namer)
    if destination.names.anywhere:
        ids = index.find_anywhere(namer.section_key(destination.root), title_key)
        where = (" › ".join(destination.root) or "the suite") + " (any section)"
    else:
        ids = index.find(key, title_key)
        where = " › ".join(path) or "the suite root"
    if ids:
        listed = ", ".join(f"C{i}" for i in ids)
        return (
            f"{len(ids)} cases are titled '{title}' in {where} ({listed}); pin one in "
            "testrail.pinned, or set testrail.names.duplicates: oldest"
        )
    hint = "" if mapper.create_cases else "; set testrail_create_cases: true to create it"
    return f"no case titled '{title}' in {where} of {target.label}{hint}"
