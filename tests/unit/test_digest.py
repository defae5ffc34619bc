"""The digest's one pass over shared entries and plain mappings counts what a plain walk over
every test's whole `TestMapping` counts (randomised runs, every kind of entry interleaved)."""

from __future__ import annotations

import random
from collections import Counter

from tmsaction.mapping.digest import EXAMPLES_PER_GROUP, Digest, digest_mappings
from tmsaction.mapping.model import TestMapping
from tmsaction.mapping.table import Mappings
from tmsaction.model import Outcome, TestResult

from tests.mapping_world import CATALOG, config, mapped
from tests.unit.test_results_json import CONFIGS, random_result


def reference(mappings: Mappings, keep_all: bool) -> dict[str, object]:
    """The digest's figures, the obvious way: every test's materialised mapping."""
    strategies: Counter[object] = Counter()
    routes: Counter[object] = Counter()
    groups: dict[object, list[str]] = {}
    stories: dict[str, list[int]] = {}
    unmatched = not_sent = 0
    case_ids: set[int] = set()
    for result, mapping in mappings.pairs():
        strategies[mapping.matched_by] += 1
        routes[mapping.route] += 1
        unmatched += not mapping.cases
        not_sent += mapping.status is None
        for case in mapping.cases:
            if case.case_id is not None:
                case_ids.add(case.case_id)
            else:
                groups.setdefault((mapping.route, case.section_path), []).append(case.title)
        for key in mapping.stories:
            row = stories.setdefault(key, [0, 0])
            row[0] += 1
            row[1] += result.outcome.is_failure
    return {
        "tests": len(mappings),
        "by_strategy": dict(strategies),
        "routes": dict(routes),
        "unmatched_count": unmatched,
        "not_sent": not_sent,
        "case_ids": case_ids,
        "groups": {
            key: (
                len(titles),
                len({t.casefold() for t in titles}),
                _first_titles(titles, None if keep_all else EXAMPLES_PER_GROUP),
            )
            for key, titles in groups.items()
        },
        "stories": stories,
    }


def _first_titles(titles: list[str], limit: int | None) -> list[str]:
    seen: dict[str, str] = {}
    for title in titles:
        if limit is None or len(seen) < limit:
            seen.setdefault(title.casefold(), title)
    return list(seen.values())


def figures(digest: Digest) -> dict[str, object]:
    return {
        "tests": digest.tests,
        "by_strategy": digest.by_strategy,
        "routes": digest.routes,
        "unmatched_count": digest.unmatched_count,
        "not_sent": digest.not_sent,
        "case_ids": digest.case_ids,
        "groups": {
            key: (group.tests, group.distinct_titles, list(group.titles.values()))
            for key, group in digest.targets.items()
        },
        "stories": {key: [row.tests, row.failed] for key, row in digest.stories.items()},
    }


def test_the_one_pass_digest_counts_what_every_mapping_says() -> None:
    rng = random.Random(17)
    kinds: set[str] = set()
    for text in CONFIGS:
        for catalog in (None, CATALOG):
            # Runs of one class, then shuffled: entries interleave as they do across shards.
            results = sorted((random_result(rng) for _ in range(400)), key=lambda r: r.classname)
            if rng.random() < 0.5:
                rng.shuffle(results)
            create = rng.random() < 0.5
            run = mapped(config(text), results, catalog=catalog, create_cases=create)
            kinds.update(type(entry).__name__ for _, entry in run.mappings.entries())
            keep_all = catalog is not None
            digest = digest_mappings(run.mappings, keep_all_titles=keep_all)
            assert figures(digest) == reference(run.mappings, keep_all), (text, keep_all)
    assert kinds == {"TestMapping", "NameTarget", "Unmatched"}


def test_distinct_titles_fold_case_and_count_repeats_once() -> None:
    titles = ["Adds item", "adds ITEM", "Straße", "STRASSE", "Removes item"] * 3
    results = [
        TestResult(("Cart",), "Cart", f"{title}[{i}]", Outcome.PASSED)
        for i, title in enumerate(titles)
    ]
    run = mapped(config("testrail:\n  names: {strip_parameters: true}\n"), results)
    assert all(not isinstance(entry, TestMapping) for _, entry in run.mappings.entries())
    groups = list(digest_mappings(run.mappings).targets.values())
    assert [g.section_path for g in groups] == [("Cart",)]
    group = groups[0]
    assert (group.tests, group.distinct_titles) == (15, 3)
    assert list(group.titles.values()) == ["Adds item", "Straße", "Removes item"]
