"""Test results -> `TestMapping`s: the matching strategies in the configured order (first match
wins), routes, stories and statuses. Pure; no I/O.

With a `CaseCatalog` (TestRail was read) ids are checked against the route's suite, automation ids
and names are looked up in indexes built once, and tests without a case either become new cases
(`testrail_create_cases`) or stay unmatched with the reason. Without a catalog (dry run without
credentials) name matching says which section and title each test would be matched or created as.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

from tmsaction.catalog import CaseCatalog, SuiteCatalog
from tmsaction.config.model import Config, PinnedRule
from tmsaction.gcpause import collector_paused
from tmsaction.mapping import caseids
from tmsaction.mapping.automation import test_automation_id
from tmsaction.mapping.lookups import TestRailLookups
from tmsaction.mapping.model import CaseRef, Route, Strategy, TestMapping
from tmsaction.mapping.names import NameKey, Namer
from tmsaction.mapping.notes import Notes
from tmsaction.mapping.outcomes import ResolvedStatus, resolve_statuses
from tmsaction.mapping.pending import NameTarget, SharedEntries, Unmatched
from tmsaction.mapping.pinned import PinTable, identity_text
from tmsaction.mapping.plain import map_plain, plain_marks
from tmsaction.mapping.reasons import explain_unmatched
from tmsaction.mapping.routes import Destination, Router
from tmsaction.mapping.stories import StoryFinder
from tmsaction.mapping.suites import SuiteTarget
from tmsaction.mapping.table import Mappings
from tmsaction.model import Outcome, TestResult

NOT_READ = (
    "TestRail was not read: this section and title are matched by name, or created with "
    "testrail_create_cases: true"
)
NEW_CASE = "no case with this title yet: it will be created (testrail_create_cases)"


@dataclass
class MappingRun:
    """What `map_results` returns: the mappings and what it noticed on the way."""

    mappings: Mappings
    notes: tuple[str, ...]
    testrail_read: bool
    destinations: tuple[tuple[Destination, int], ...] = field(default=())  # used, with test counts
    statuses: dict[Outcome, ResolvedStatus] = field(default_factory=dict)


class Mapper:
    """Maps test results under one config (and optionally a TestRail snapshot)."""

    def __init__(
        self,
        config: Config,
        *,
        catalog: CaseCatalog | None = None,
        lookups: TestRailLookups | None = None,
        create_cases: bool = False,
        default_project: str | None = None,
        default_suite: str | None = None,
    ) -> None:
        self.config = config
        testrail = config.testrail
        self.catalog = catalog
        self.create_cases = create_cases
        self.default_project = default_project
        self.default_suite = default_suite
        self.notes = Notes()
        self.router = Router(testrail.routes, testrail.names)
        self._namers: dict[Destination, Namer] = {}
        self._lookups: dict[Destination, tuple[Namer, dict[NameKey, tuple[int, ...]]]] = {}
        self.pins = PinTable(testrail.pinned)
        self.stories = StoryFinder(config.jira.stories, self.notes)
        statuses, problems = resolve_statuses(testrail.results.status, lookups or TestRailLookups())
        self.statuses = statuses
        for problem in problems:
            self.notes.add(problem, problem)
        self._id_properties = {p.casefold() for p in testrail.case_ids.properties}
        # Strategies that cannot match in this run are skipped up front (a million times cheaper
        # than asking them): no pinned entries, automation ids without TestRail, ids not read.
        sources = testrail.case_ids
        self.order = tuple(
            s
            for s in testrail.match
            if not (s is Strategy.PINNED and not testrail.pinned)
            and not (s is Strategy.AUTOMATION_ID and catalog is None)
            and not (
                s is Strategy.CASE_ID and not (sources.names or sources.properties or sources.tags)
            )
        )
        self.routed = bool(testrail.routes)
        self.used: dict[Destination, int] = {}
        self._default = self.router.default
        self._case_refs_stories = config.jira.stories.case_refs
        self._targets: dict[Destination, SuiteTarget | None] = {}
        self._plain_refs: dict[int, tuple[CaseRef]] = {}
        self.shared = SharedEntries(self, NOT_READ)
        self._plain_marks = plain_marks(self)

    def namer_for(self, destination: Destination) -> Namer:
        namer = self._namers.get(destination)
        if namer is None:
            rules = destination.names
            if not self.config.testrail.case_ids.names and rules.strip_case_ids:
                # `C5` in a name is not an id here, so it is part of the title.
                rules = dataclasses.replace(rules, strip_case_ids=False)
            namer = self._namers[destination] = Namer(rules, destination.root)
        return namer

    # -- the run ---------------------------------------------------------------------------------

    def map(self, results: Sequence[TestResult]) -> MappingRun:
        marks = self._plain_marks
        # One object per test and no cycles: the collector is paused meanwhile (gcpause.py).
        with collector_paused():
            if marks is None:
                entries = [self._map_one(result) for result in results]
            else:
                entries = map_plain(self, marks, results, self._map_one)
        if not self.routed and results:  # every test went to the default route
            self.used[self._default] = self.used.get(self._default, 0) + len(results)
        return MappingRun(
            mappings=Mappings(results, entries),
            notes=self.notes.lines(),
            testrail_read=self.catalog is not None,
            destinations=tuple(
                (d, self.used[d]) for d in self.router.destinations if d in self.used
            ),
            statuses=self.statuses,
        )

    def _map_one(self, result: TestResult) -> TestMapping | NameTarget | Unmatched:
        # The hot loop of a run (a million calls): attribute chains are hoisted into __init__,
        # and the common test does not come here (`plain.py`).
        if self.routed:
            destination = self.router.destination(result)
            self.used[destination] = self.used.get(destination, 0) + 1
        else:
            destination = self._default
        status = self.statuses[result.outcome]
        catalog = self.catalog
        target = None
        if catalog is not None:
            target = self._targets.get(destination)
            if target is None:
                target = self.target_of(destination)
        for strategy in self.order:
            if strategy is Strategy.NAME:
                if catalog is None:
                    stories = self.stories.stories(result)
                    return self._name_target(result, destination, stories, status)
                found = self._by_name(result, destination, target, status)
                if found is not None:
                    return found
                continue
            ids = self._ids(strategy, result, target)
            if ids:
                refs = self._refs(ids, target)
                # Positional: the contract's field order (route, cases, matched_by, stories,
                # status_id, status); measurably faster than keywords a million times over.
                return TestMapping(
                    destination.route,
                    self._case_refs(ids, target),
                    strategy,
                    self.stories.stories(result, refs),
                    status.id,
                    status.name,
                )
        return self.shared.unmatched(destination, self.stories.stories(result), status)

    def _name_target(
        self,
        result: TestResult,
        destination: Destination,
        stories: tuple[str, ...],
        status: ResolvedStatus,
    ) -> NameTarget:
        """A name target without TestRail: the shared entry of its section (see `NameTarget`)."""
        namer = self.namer_for(destination)
        path, title = namer.placed(result)
        return self.shared.name_target(
            destination, namer, stories, status, path=path, titles_are_names=title == result.name
        )

    # -- strategies ------------------------------------------------------------------------------

    def _ids(
        self, strategy: Strategy, result: TestResult, target: SuiteTarget | None
    ) -> tuple[int, ...]:
        if strategy is Strategy.PINNED:
            pin = self.pins.lookup(identity_text(result)) if not self.pins.empty else None
            return self._known(pin.case_ids, target, result, _pin_source(pin)) if pin else ()
        if strategy is Strategy.CASE_ID:
            ids = self.case_ids_of(result)
            return self._known(ids, target, result, "case id") if ids else ()
        # automation id: only TestRail knows which case carries which id
        if target is None:
            return ()
        automation = self.config.testrail.automation_id
        value = test_automation_id(result, automation.value)
        return tuple(target.automation(automation.field).get(value, ()))

    def case_ids_of(self, result: TestResult) -> tuple[int, ...]:
        """Case ids written in the test: its name, its case-id properties, its tags."""
        sources = self.config.testrail.case_ids
        ids = caseids.ids_in_name(result.name) if sources.names else ()
        detail = result.detail
        if detail is None:
            return ids
        extra: list[int] = []
        if self._id_properties:
            for key, value in detail.properties:
                if key.casefold() in self._id_properties:
                    found, ok = caseids.ids_in_value(value)
                    if not ok:
                        self.notes.add(
                            "case-id-property",
                            f"property {key}='{value}' of {result.identity.display()} is not a "
                            "list of case ids (C123, 123) and was ignored",
                        )
                    extra.extend(found)
        if sources.tags and detail.tags:
            extra.extend(caseids.ids_in_tags(detail.tags, sources.properties))
        if not extra:
            return ids
        return tuple(dict.fromkeys((*ids, *extra)))

    def _known(
        self, ids: tuple[int, ...], target: SuiteTarget | None, result: TestResult, source: str
    ) -> tuple[int, ...]:
        if target is None:
            return ids if self.catalog is None else ()
        known = tuple(i for i in ids if i in target.ids)
        if len(known) != len(ids):
            unknown = ", ".join(f"C{i}" for i in ids if i not in target.ids)
            self.notes.add(
                "unknown-case",
                f"{unknown} ({source} of {result.identity.display()}) is not a case of "
                f"{target.label}; results for it are not sent",
            )
        return known

    def _by_name(
        self,
        result: TestResult,
        destination: Destination,
        target: SuiteTarget | None,
        status: ResolvedStatus,
    ) -> TestMapping | NameTarget | None:
        if self.catalog is None:
            stories = self.stories.stories(result)
            return self._name_target(result, destination, stories, status)
        if target is None:
            return None
        lookup = self._lookups.get(destination)
        if lookup is None:
            namer = self.namer_for(destination)
            lookup = self._lookups[destination] = (namer, target.names(namer).by_name)
        namer, by_name = lookup
        path, key, title, title_key = namer.keyed(result)
        if destination.names.anywhere:
            index = target.names(namer)
            ids = index.find_anywhere(namer.section_key(destination.root), title_key)
        else:
            ids = by_name.get((key, title_key), ())
        if len(ids) > 1 and destination.names.duplicates == "oldest":
            self.notes.add(
                "duplicate-title",
                f"{len(ids)} cases in {target.label} are titled '{title}' "
                f"({', '.join(f'C{i}' for i in ids)}); {result.identity.display()} goes to the "
                f"oldest, C{ids[0]} (pin it in testrail.pinned to choose)",
            )
            ids = ids[:1]
        if len(ids) == 1:
            refs = target.refs.get(ids[0], ()) if self._case_refs_stories else ()
            return TestMapping(
                destination.route,
                target.case(ids[0]),
                Strategy.NAME,
                self.stories.stories(result, refs),
                status.id,
                status.name,
            )
        if ids or not self.create_cases:
            return None
        return TestMapping(
            route=destination.route,
            cases=(CaseRef(None, path, title),),
            matched_by=Strategy.NAME,
            stories=self.stories.stories(result),
            status_id=status.id,
            status=status.name,
            reason=NEW_CASE,
        )

    # -- helpers ---------------------------------------------------------------------------------

    def target_of(self, destination: Destination) -> SuiteTarget | None:
        if self.catalog is None:
            return None
        if destination not in self._targets:
            suite = self._suite(destination.route)
            self._targets[destination] = SuiteTarget.of(suite) if suite else None
            if suite is None:
                self.notes.add(
                    f"missing-suite-{destination.label}",
                    f"{self.suite_label(destination.route)} ({destination.label}) was not read "
                    "from TestRail; its tests are unmatched",
                )
        return self._targets[destination]

    def _suite(self, route: Route) -> SuiteCatalog | None:
        assert self.catalog is not None
        project = route.project or self.default_project
        suite_name = route.suite or self.default_suite
        found = self.catalog.suite(project, suite_name)
        if found is None and suite_name is None and len(self.catalog.suites) == 1:
            found = self.catalog.suites[0]
        return found

    def suite_label(self, route: Route) -> str:
        project = route.project or self.default_project or "the testrail_project input"
        suite = route.suite or self.default_suite
        return f"suite '{suite}' of project '{project}'" if suite else f"project '{project}'"

    def _case_refs(self, ids: tuple[int, ...], target: SuiteTarget | None) -> tuple[CaseRef, ...]:
        if target is not None:
            if len(ids) == 1:
                return target.case(ids[0])
            return tuple(target.case(i)[0] for i in ids)
        if len(ids) == 1:
            number = ids[0]
            shared = self._plain_refs.get(number)
            if shared is None:
                shared = (CaseRef(number),)
                if len(self._plain_refs) < 100_000:
                    self._plain_refs[number] = shared
            return shared
        return tuple(CaseRef(i) for i in ids)

    def _refs(
        self, ids: tuple[int, ...] | list[int], target: SuiteTarget | None
    ) -> tuple[str, ...]:
        if target is None or not self._case_refs_stories:
            return ()
        if len(ids) == 1:
            return target.refs.get(ids[0], ())
        return tuple(ref for i in ids for ref in target.refs.get(i, ()))

    def explain(self, result: TestResult, destination: Destination) -> str:
        """Why no strategy matched this test (see `reasons.py`)."""
        return explain_unmatched(self, result, destination)


def _pin_source(pin: PinnedRule | None) -> str:
    return f"testrail.pinned[{pin.index}]" if pin else "pinned"


def map_results(
    results: Sequence[TestResult],
    config: Config,
    *,
    catalog: CaseCatalog | None = None,
    lookups: TestRailLookups | None = None,
    create_cases: bool = False,
    default_project: str | None = None,
    default_suite: str | None = None,
) -> MappingRun:
    """Map every test result (one `TestMapping` each, same order) under `config`."""
    mapper = Mapper(
        config,
        catalog=catalog,
        lookups=lookups,
        create_cases=create_cases,
        default_project=default_project,
        default_suite=default_suite,
    )
    return mapper.map(results)
