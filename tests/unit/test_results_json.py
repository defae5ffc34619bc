"""results_json: the fast line writer writes exactly what json.dumps of test_entry would, for
plain mappings and for the shared entries of the mapping table, and the whole file says the
same whichever form the mappings come in."""

from __future__ import annotations

import dataclasses
import json
import random
from dataclasses import dataclass
from pathlib import Path

from tmsaction import results_json
from tmsaction.config.load import default_config
from tmsaction.inputs import RunContext
from tmsaction.mapping.model import CaseRef, Route, Strategy, TestMapping
from tmsaction.mapping.table import Mappings, Pending
from tmsaction.model import Attempt, Outcome, ReportSet, TestDetail, TestResult, Totals
from tmsaction.plan.build import plan_mapping
from tmsaction.plan.jira_model import Action
from tmsaction.runreport import RunReport
from tmsaction.sinks.jira_outcome import JiraOutcome, TestDefect
from tmsaction.sinks.testrail_outcome import Delivery, ResultDelivery, TestRailOutcome

from tests.mapping_world import CATALOG, LOOKUPS, config, mapped

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
    TestMapping(
        Route("Shop", None),
        (CaseRef(105, ("Checkout",), "Charges card once"), CaseRef(7), CaseRef(None, (), "")),
        Strategy.PINNED,
        ("SHOP-3", "SHOP-12"),
        None,
        "Known issue",
        reason="line\nbreak \u2028",
    ),
    TestMapping(Route(None, "Web"), (), None, (), None, None, reason="no case id in the name"),
]

INF, NAN = float("inf"), float("nan")
DETAILS = [
    TestDetail(message="m", parameters="1, 2"),
    TestDetail(details='\tat Frame.call(Frame.java:10)\n\u2028 ünï "q" \\ \x07'),
    TestDetail(
        message="boom",
        details="trace",
        stdout="out",
        properties=(("test_id", "C1"), ("k", 'v "q"')),
        tags=("smoke", "@SHOP-1"),
        attachments=("shots/a.png",),
        parameters="[x]",
        attempts=(
            Attempt(Outcome.FAILED, 1.5, "timeout", "details", "a.xml"),
            Attempt(Outcome.PASSED, None, None, None, "b.xml"),
            Attempt(Outcome.ERROR, NAN, "ünï", None, ""),
        ),
    ),
]

# Configs whose mapping tables hold every kind of entry: name targets (several sections, titles
# that are or are not the test's name, split titles, a root), unmatched tests with their own
# reasons, and plain mappings by case id or by name against TestRail.
CONFIGS = [
    "",
    "testrail:\n  names: {section: class, strip_suffix: [Test], title: words, root: [Auto]}\n",
    "testrail:\n  names: {section: none, split_title: ' › ', strip_parameters: true}\n",
    "testrail:\n  names: {section: package}\n  match: [case_id, name]\n",
    "testrail:\n  match: [case_id]\n",
    "jira:\n  stories:\n    properties: [story]\n",
]
CLASSES = ["com.acme.shop.CartTest", "com.acme.shop.CheckoutTest", "Checkout", "", "ünï.Test"]
TITLES = [
    "charges card once",
    "Adds item to empty cart",
    "test_adds_item_C101",
    "Login › signs in @SHOP-3",
    "test_total[EUR-19]",
    "  spaced\t out  ",
    'quote " and \\ back',
    "ünïcode €",
    "t" * 300,
]


def random_result(rng: random.Random) -> TestResult:
    detail = None
    if rng.random() < 0.2:
        detail = TestDetail(message="m", properties=(("story", rng.choice(["SHOP-1", "x"])),))
    classname = rng.choice(CLASSES)
    return TestResult(
        suite=rng.choice([(classname,), (), ("Suite", "Inner")]),
        classname=classname,
        name=rng.choice(TITLES) + rng.choice(["", str(rng.randint(0, 9))]),
        outcome=rng.choice(list(Outcome)),
        duration=rng.choice([None, 0.0, 1e-7, 0.1, 12.5, 1e20, rng.random()]),
        source=rng.choice(["a.xml", "dir/ünï.xml"]),
        file=rng.choice([None, "tests/t.py", 'we"ird']),
        line=rng.choice([None, 1, 4242]),
        detail=detail,
    )


def test_fast_lines_equal_json_dumps_of_the_entry() -> None:
    rng = random.Random(3)
    tests: list[tuple[TestResult, TestMapping | None]] = []
    for _ in range(2000):
        result = TestResult(
            suite=tuple(rng.choice(NAMES) for _ in range(rng.randint(0, 3))),
            classname=rng.choice(NAMES),
            name=rng.choice(NAMES) + str(rng.randint(0, 5)),
            outcome=rng.choice(list(Outcome)),
            duration=rng.choice([None, 0.0, 1e-7, 0.1, 12.5, 1e20, rng.random(), INF, NAN]),
            source=rng.choice(["a.xml", "dir/ünï.xml"]),
            file=rng.choice([None, "tests/t.py", 'we"ird']),
            line=rng.choice([None, 1, 4242]),
            detail=rng.choice([None, None, *DETAILS]),
        )
        # Runs of one test's facts, as a reader shares them, so the kept pieces are reused too.
        for _ in range(rng.choice([1, 1, 3])):
            tests.append((result, rng.choice(MAPPINGS)))
    lines = list(results_json._LineWriter().lines(tests))
    assert len(lines) == len(tests)
    for line, (result, mapping) in zip(lines, tests, strict=True):
        expected = results_json.test_entry(result, mapping)
        assert line == json.dumps(expected, ensure_ascii=False)
        if "NaN" not in line and "Infinity" not in line:  # NaN is not NaN once read back
            assert json.loads(line) == expected
    result, mapping = tests[0]
    assert results_json._LineWriter().line(result, mapping) == lines[0]


def test_shared_entries_write_what_their_materialised_mappings_would() -> None:
    """The writer reads the mapping table's shared entries piece by piece; each line must equal
    json.dumps of the entry built from the test's whole `TestMapping`."""
    rng = random.Random(5)
    kinds: set[str] = set()
    for text in CONFIGS:
        for catalog in (None, CATALOG):
            results = [random_result(rng) for _ in range(300)]
            if rng.random() < 0.5:  # a class at a time, as reports list them
                results.sort(key=lambda r: (r.suite, r.classname))
            run = mapped(config(text), results, catalog=catalog, create_cases=rng.random() < 0.5)
            entries = list(run.mappings.entries())
            kinds.update(type(entry).__name__ for _, entry in entries)
            lines = results_json._LineWriter().lines(entries)
            for line, (result, mapping) in zip(lines, run.mappings.pairs(), strict=True):
                expected = json.dumps(results_json.test_entry(result, mapping), ensure_ascii=False)
                assert line == expected, (text, catalog is not None)
    assert kinds == {"TestMapping", "NameTarget", "Unmatched"}  # every path was taken


@dataclass(frozen=True, eq=False)
class VaryingTarget:
    """A shared entry as the table's protocol allows one: its tests' sections differ too."""

    shared: TestMapping
    has_target = True
    section = None
    titles_are_names = False

    @property
    def route(self) -> Route:
        return self.shared.route

    @property
    def matched_by(self) -> Strategy | None:
        return self.shared.matched_by

    @property
    def stories(self) -> tuple[str, ...]:
        return self.shared.stories

    @property
    def status_name(self) -> str | None:
        return self.shared.status

    def target(self, result: TestResult) -> tuple[tuple[str, ...], str]:
        return ("Root", result.classname), result.name.upper()

    def reason(self, result: TestResult) -> str | None:
        return self.shared.reason

    def materialise(self, result: TestResult) -> TestMapping:
        path, title = self.target(result)
        return dataclasses.replace(self.shared, cases=(CaseRef(None, path, title),))


def test_entries_whose_sections_differ_from_test_to_test() -> None:
    rng = random.Random(7)
    entries = [
        VaryingTarget(TestMapping(Route("P", None), (), Strategy.NAME, ("S-1",), 1, "passed")),
        VaryingTarget(TestMapping(reason='why "quoted"')),
    ]
    tests: list[tuple[TestResult, Pending]] = [
        (random_result(rng), entries[rng.random() < 0.2]) for _ in range(500)
    ]
    lines = results_json._LineWriter().lines(tests)
    for line, (result, entry) in zip(lines, tests, strict=True):
        whole = entry.materialise(result)
        assert line == json.dumps(results_json.test_entry(result, whole), ensure_ascii=False)


def report_of(results: list[TestResult], mappings: object) -> RunReport:
    planned = plan_mapping(results, Totals.of(results), default_config())
    return RunReport(
        reports=ReportSet(results=tuple(results), totals=Totals.of(results)),
        context=RunContext(workspace=Path("/ws")),
        dry_run=True,
        mappings=mappings,  # type: ignore[arg-type]
        plan=planned.plan,
        coverage=planned.coverage,
        gates=planned.gates,
    )


def test_the_file_is_the_same_from_the_table_and_from_plain_mappings(tmp_path: Path) -> None:
    rng = random.Random(11)
    results = [random_result(rng) for _ in range(4500)]  # more than one chunk of lines
    run = mapped(config(CONFIGS[1]), results, lookups=LOOKUPS)
    assert isinstance(run.mappings, Mappings)
    from_table, from_list = tmp_path / "table.json", tmp_path / "list.json"
    results_json.write_results_json(from_table, report_of(results, run.mappings))
    results_json.write_results_json(from_list, report_of(results, list(run.mappings)))
    assert from_table.read_bytes() == from_list.read_bytes()
    tests = json.loads(from_table.read_text(encoding="utf-8"))["tests"]
    assert len(tests) == len(results)
    assert tests[17] == results_json.test_entry(results[17], run.mappings[17])
    assert {t["mapping"]["matched_by"] for t in tests} == {"name", "case_id"}


def test_entry_carries_parameters_and_attempt_sources() -> None:
    detail = TestDetail(message="boom", parameters="1, 10", tags=("C123",))
    entry = results_json.test_entry(
        TestResult(("s",), "C", "t(1, 10)", Outcome.FAILED, detail=detail)
    )
    assert entry["parameters"] == "1, 10"
    assert entry["tags"] == ["C123"]


def test_a_lone_surrogate_in_a_name_keeps_the_file_readable(tmp_path: Path) -> None:
    # JSON reports can name a test with a lone surrogate (`"\ud800"`); UTF-8 cannot hold it.
    results = [TestResult(("s",), "C", "x\ud800", Outcome.PASSED), random_result(random.Random(1))]
    path = tmp_path / "results.json"
    results_json.write_results_json(path, report_of(results, [None, None]))
    tests = json.loads(path.read_text(encoding="utf-8"))["tests"]
    assert [t["name"] for t in tests] == [r.name for r in results]


def test_sync_objects_are_added_as_json_dumps_of_the_whole_entry_would(tmp_path: Path) -> None:
    rng = random.Random(13)
    results = [random_result(rng) for _ in range(300)]
    run = mapped(config(), results)
    deliveries = {
        i: (
            ResultDelivery(
                100 + i, rng.choice(list(Delivery)), 7, error=rng.choice([None, 'it "broke"'])
            ),
        )
        for i in range(0, 300, 3)
    }
    testrail = TestRailOutcome(
        deliveries=deliveries, skipped={1: "unmatched"}, unsent_tests={4: "HTTP 500"}
    )
    jira = JiraOutcome(
        dry_run=True,
        site_url=None,
        project="SHOP",
        plan=None,
        by_test={i: TestDefect("SHOP-9", Action.COMMENT, False, "fails again") for i in (0, 5, 7)},
    )
    report = dataclasses.replace(report_of(results, run.mappings), testrail=testrail, jira=jira)
    path = tmp_path / "results.json"
    results_json.write_results_json(path, report)
    lines = path.read_text(encoding="utf-8").split("\n")
    first = lines.index(' "tests": [') + 1
    written = [line.removesuffix(",") for line in lines[first : first + len(results)]]
    synced = 0
    for index, (line, (result, mapping)) in enumerate(
        zip(written, run.mappings.pairs(), strict=True)
    ):
        entry = results_json.test_entry(result, mapping)
        sync = {}
        if (delivery := testrail.sync_entry(index)) is not None:
            sync["testrail"] = delivery
        if index in jira.by_test:
            sync["jira"] = results_json.jira_entry(jira.by_test[index])
        if sync:
            entry["sync"] = sync
            synced += 1
        assert line == json.dumps(entry, ensure_ascii=False)
    assert synced == 104  # 100 deliveries, one skipped, one unsent, two more with a defect
