"""Routing: which TestRail project, suite and root section each test goes to. Pure; no I/O.

`testrail.routes` are tried in order and the first rule whose every criterion matches wins; a
test no rule takes goes to the default route (the `testrail_project` / `testrail_suite` inputs,
under `testrail.names.root`). Results are cached by everything a rule can look at, so a million
tests of a few thousand classes cost a few thousand rule evaluations.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tmsaction.config.model import Glob, NameRules, RouteRule
from tmsaction.mapping.model import DEFAULT_ROUTE, Route
from tmsaction.model import TestResult


@dataclass(frozen=True, eq=False)
class Destination:
    """Where a test goes: the route, the root section path, and the rule that chose it. Shared by
    the tests it takes, and compared by identity (one per rule), so keying by it is cheap."""

    route: Route
    root: tuple[str, ...]
    names: NameRules
    rule: RouteRule | None = None

    @property
    def label(self) -> str:
        return self.rule.label if self.rule else "default route"


def _any(globs: tuple[Glob, ...], values: tuple[str, ...]) -> bool:
    return any(glob.matches(value) for glob in globs for value in values)


def rule_matches(rule: RouteRule, result: TestResult) -> bool:
    """True when every criterion the rule sets matches the test."""
    if rule.reports and not _any(rule.reports, (result.source.replace("\\", "/"),)):
        return False
    if rule.files:
        if not result.file:
            return False
        path = result.file.replace("\\", "/").removeprefix("./")
        if not _any(rule.files, (path,)):
            return False
    if rule.testsuites and not _any(rule.testsuites, result.suite):
        return False
    if rule.classnames and not _any(rule.classnames, (result.classname,)):
        return False
    if rule.tags:
        tags = {tag.lstrip("@").casefold() for tag in result.tags}
        if not rule.tags & tags:
            return False
    return True


class Router:
    """Picks each test's `Destination`; `Destination` values are shared between tests."""

    def __init__(self, rules: tuple[RouteRule, ...], names: NameRules) -> None:
        self.rules = rules
        self.default = Destination(DEFAULT_ROUTE, names.root, names)
        self._destinations = [
            Destination(
                rule.route,
                rule.section if rule.section is not None else names.root,
                rule.names or names,
                rule,
            )
            for rule in rules
        ]
        self._cache: dict[object, Destination] = {}

    @property
    def destinations(self) -> tuple[Destination, ...]:
        return (*self._destinations, self.default)

    def destination(self, result: TestResult) -> Destination:
        if not self.rules:
            return self.default
        key = (result.source, result.file, result.classname, result.suite, result.tags)
        found = self._cache.get(key)
        if found is None:
            found = self._pick(result)
            if len(self._cache) > 200_000:
                self._cache.clear()
            self._cache[key] = found
        return found

    def _pick(self, result: TestResult) -> Destination:
        for rule, destination in zip(self.rules, self._destinations, strict=True):
            if rule_matches(rule, result):
                return destination
        return self.default


def routes_in_use(results: Iterable[TestResult], rules: tuple[RouteRule, ...]) -> tuple[Route, ...]:
    """The distinct routes this run's tests go to, in first-use order: what the TestRail snapshot
    must read before mapping (a `Route` with None parts means the action inputs).

    Reads only as far as it must: without routes every test goes to the default route, and once
    every route is in use the remaining tests cannot add one (a million tests of a dry run
    without routes were read one by one for `(Route(),)`)."""
    router = Router(rules, NameRules())
    if not rules:
        for _ in results:
            return (router.default.route,)
        return ()
    every = len(router.destinations)
    seen: dict[int, Route] = {}
    for result in results:
        destination = router.destination(result)
        if id(destination) not in seen:
            seen[id(destination)] = destination.route
            if len(seen) == every:
                break
    return tuple(dict.fromkeys(seen.values()))
