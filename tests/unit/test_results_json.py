"""results_json: the fast line writer writes exactly what json.dumps of test_entry would."""

from __future__ import annotations

import json
import random

from tmsaction import results_json
from tmsaction.mapping.model import CaseRef, Route, Strategy, TestMapping
from tmsaction.model import Outcome, TestDetail, TestResult

NAMES = ["plain", "ünïcode €", 'quote " and \\ back', "tab\there", "line\nbreak", "\u2028", ""]
MAPPINGS = [
    None,
    TestMapping(),
    TestMapping(Route("Shop", "Web"), (CaseRef(101),), Strategy.CASE_ID, ("SHOP-12",), 1, "passed"),
    TestMapping(
        cases=(CaseRef(None, ("Cart", "ünï"), 'Title "quoted"'),),
        matched_by=Strategy.NAME,
        reason="TestRail was not read",
    ),
]


def test_fast_lines_equal_json_dumps_of_the_entry() -> None:
    rng = random.Random(3)
    writer = results_json._LineWriter()
    for _ in range(2000):
        result = TestResult(
            suite=tuple(rng.choice(NAMES) for _ in range(rng.randint(0, 3))),
            classname=rng.choice(NAMES),
            name=rng.choice(NAMES) + str(rng.randint(0, 5)),
            outcome=rng.choice(list(Outcome)),
            duration=rng.choice([None, 0.0, 1e-7, 0.1, 12.5, 1e20, rng.random()]),
            source=rng.choice(["a.xml", "dir/ünï.xml"]),
            file=rng.choice([None, "tests/t.py", 'we"ird']),
            line=rng.choice([None, 1, 4242]),
            detail=rng.choice([None, None, TestDetail(message="m", parameters="1, 2")]),
        )
        mapping = rng.choice(MAPPINGS)
        line = writer.line(result, mapping)
        expected = results_json.test_entry(result, mapping)
        assert line == json.dumps(expected, ensure_ascii=False)
        assert json.loads(line) == expected


def test_entry_carries_parameters_and_attempt_sources() -> None:
    detail = TestDetail(message="boom", parameters="1, 10", tags=("C123",))
    entry = results_json.test_entry(
        TestResult(("s",), "C", "t(1, 10)", Outcome.FAILED, detail=detail)
    )
    assert entry["parameters"] == "1, 10"
    assert entry["tags"] == ["C123"]
