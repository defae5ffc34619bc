"""The short path for plain tests (`mapping/plain.py`) maps every test as the strategies one by
one would: same mappings, same shared entries' pieces, same tests per route, on random report
sets under configs that route, split titles, turn strategies off or read story keys."""

from __future__ import annotations

import itertools
import random

import pytest
from tmsaction.mapping.mapper import Mapper
from tmsaction.mapping.model import TestMapping
from tmsaction.mapping.pending import NameTarget
from tmsaction.model import Outcome, TestDetail, TestResult

from tests.mapping_world import config
from tests.unit.test_mapping_strategies import ROUTES

CONFIGS = {
    "defaults": "",
    "routes, split titles and words": ROUTES,
    "class sections, words": "testrail:\n  names: {section: class, strip_suffix: [Test], title: words}\n",
    "split titles, parameters stripped": (
        "testrail:\n  names: {section: none, split_title: ' › ', strip_parameters: true}\n"
    ),
    "ids only from properties": "testrail:\n  case_ids: {names: false}\n",
    "name matching off": "testrail:\n  match: [case_id]\n",
    "name first": "testrail:\n  match: [name, case_id]\n",
    "no story pattern": "jira:\n  stories:\n    name_pattern: null\n",
    "a story pattern of the config (no short path)": (
        "jira:\n  stories:\n    name_pattern: '(SHOP-[0-9]+)'\n"
    ),
    "pinned entries (no short path)": (
        "testrail:\n  pinned:\n    - test: com.acme.CartTest.adds\n      case: C7\n"
    ),
}
NAMES = [
    "adds",
    "adds item to cart",
    "test_adds_C101",
    "adds @SHOP-12",
    "Login › signs in",
    "  spaced\tout ",
    "total[EUR-19]",
    "ünïcode €",
    "x" * 260,
    "",
]
SOURCES = ["reports/web/junit.xml", "reports/TEST-shop.xml"]
FILES = [None, "services/pay/test_pay.py", "tests/test_cart.py"]


def report_set(rng: random.Random, count: int) -> list[TestResult]:
    """Tests a class at a time, sharing suite, class, file and source objects as readers do."""
    results: list[TestResult] = []
    while len(results) < count:
        classname = rng.choice(["com.acme.CartTest", "com.acme.admin.UserTest", "Smoke", ""])
        suite = rng.choice([(classname,), ("SmokeSuite",), ()])
        source, file = rng.choice(SOURCES), rng.choice(FILES)
        for _ in range(rng.randint(1, 8)):
            detail = None
            if rng.random() < 0.15:
                detail = TestDetail(tags=(rng.choice(["Billing", "C5", "story:SHOP-3"]),))
            results.append(
                TestResult(
                    suite=suite,
                    classname=classname,
                    name=rng.choice(NAMES) + rng.choice(["", "", str(rng.randint(0, 3))]),
                    outcome=rng.choice(list(Outcome)),
                    source=source,
                    file=file,
                    detail=detail,
                )
            )
    return results


def whole(mapper: Mapper, results: list[TestResult]) -> tuple[list[TestMapping], object]:
    run = mapper.map(results)
    return list(run.mappings), [(d.label, tests) for d, tests in run.destinations]


@pytest.mark.parametrize(("case", "text"), CONFIGS.items(), ids=CONFIGS.keys())
def test_plain_tests_are_mapped_as_the_strategies_would(case: str, text: str) -> None:
    rng = random.Random(text)
    results = report_set(rng, 600)
    cfg = config(text)
    fast = Mapper(cfg, default_project="Shop")
    one_by_one = Mapper(cfg, default_project="Shop")
    one_by_one._plain_marks = None  # every test through the strategies
    assert whole(fast, results) == whole(one_by_one, results)
    assert (fast._plain_marks is not None) == ("no short path" not in case)
    # Entries are shared as readers of the table expect: the tests of a class with one outcome
    # share one name target (two when only some titles are names as written).
    pairs = list(fast.map(results).mappings.entries())
    shared = 0
    for (first, one), (second, other) in itertools.pairwise(pairs):
        if (
            isinstance(one, NameTarget)
            and isinstance(other, NameTarget)
            and (first.suite, first.classname, first.outcome)
            == (second.suite, second.classname, second.outcome)
            and (one.shared, one.path, one.titles_are_names)
            == (other.shared, other.path, other.titles_are_names)
        ):
            assert one is other
            shared += 1
    assert shared or "name matching off" in case or "no short path" in case
