"""Rules of the line-oriented readers (go test -json, Dart, TAP) that the framework fixtures do not
reach: build and package failures, timeouts, reruns, late errors, bail-outs, old-style subtests."""

from __future__ import annotations

import io
import json
from pathlib import Path

from tmsaction.model import Outcome, ReportProblem, TestResult
from tmsaction.reports.base import ParseContext
from tmsaction.reports.collect import read_reports
from tmsaction.reports.dart import parse_dart
from tmsaction.reports.gotest import parse_gotest
from tmsaction.reports.tap import parse_tap

from tests.conftest import FIXTURES


def go(*events: dict[str, object], text: str = "") -> tuple[list[TestResult], list[ReportProblem]]:
    stream = text + "".join(json.dumps(event) + "\n" for event in events)
    context = ParseContext("go.json")
    return list(parse_gotest(io.BytesIO(stream.encode()), context)), context.problems


def event(action: str, test: str | None = None, **extra: object) -> dict[str, object]:
    found: dict[str, object] = {"Action": action, "Package": "shop/cart"}
    if test:
        found["Test"] = test
    return found | extra


def test_go_1_24_build_failure_events_make_one_error_per_package() -> None:
    results, _ = go(
        {"ImportPath": "shop/cart [shop/cart.test]", "Action": "build-output", "Output": "# x\n"},
        {
            "ImportPath": "shop/cart [shop/cart.test]",
            "Action": "build-output",
            "Output": "a.go:3: bad\n",
        },
        {"ImportPath": "shop/cart [shop/cart.test]", "Action": "build-fail"},
        event("start"),
        event("output", Output="FAIL\tshop/cart [build failed]\n"),
        event("fail", Elapsed=0, FailedBuild="shop/cart [shop/cart.test]"),
    )
    (result,) = results
    assert (result.suite, result.classname, result.name, result.outcome) == (
        ("shop/cart",),
        "shop/cart",
        "[build failed]",
        Outcome.ERROR,
    )
    assert result.message == "the package failed to build: a.go:3: bad"
    assert result.details == "# x\na.go:3: bad"


def test_a_package_that_fails_without_a_failing_test_is_an_error() -> None:
    results, _ = go(
        event("run", "TestA"),
        event("pass", "TestA", Elapsed=0.1),
        event("output", Output="TestMain: database not reachable\n"),
        event("output", Output="FAIL\tshop/cart\t0.2s\n"),
        event("fail", Elapsed=0.2),
    )
    assert [(r.name, r.outcome) for r in results] == [
        ("TestA", Outcome.PASSED),
        ("[package failed]", Outcome.ERROR),
    ]
    assert results[1].message == (
        "the package failed without a test: TestMain: database not reachable"
    )


def test_tests_running_when_a_timeout_kills_the_package_are_errors() -> None:
    results, problems = go(
        event("run", "TestSlow"),
        event("output", "TestSlow", Output="=== RUN   TestSlow\n"),
        event("output", Output="panic: test timed out after 1s\n"),
        event("fail", Elapsed=1.0),
    )
    (result,) = results
    assert result.outcome is Outcome.ERROR
    assert (
        result.message
        == "the test did not finish: its package failed (panic: test timed out after 1s)"
    )
    assert problems == []


def test_subtests_are_the_tests_unless_the_parent_failed_on_its_own() -> None:
    results, _ = go(
        event("run", "TestA"),
        event("run", "TestA/one"),
        event("pass", "TestA/one"),
        event("output", "TestA", Output="    a_test.go:9: setup check failed\n"),
        event("fail", "TestA"),
        event("run", "TestB"),
        event("run", "TestB/one"),
        event("output", "TestB/one", Output="    b_test.go:3: wrong\n"),
        event("fail", "TestB/one"),
        event("fail", "TestB"),
    )
    assert [(r.name, r.outcome, r.message) for r in results] == [
        ("TestA/one", Outcome.PASSED, None),
        ("TestA", Outcome.FAILED, "a_test.go:9: setup check failed"),
        ("TestB/one", Outcome.FAILED, "b_test.go:3: wrong"),
    ]


def test_subtest_names_with_slashes_still_find_their_parent() -> None:
    results, _ = go(
        event("run", "TestRoutes"),
        event("run", "TestRoutes/GET_/cart"),
        event("output", "TestRoutes/GET_/cart", Output="    r_test.go:4: 404\n"),
        event("fail", "TestRoutes/GET_/cart"),
        event("fail", "TestRoutes"),
    )
    assert [(r.name, r.outcome) for r in results] == [("TestRoutes/GET_/cart", Outcome.FAILED)]


def test_go_count_and_reruns_make_attempts_of_one_test(tmp_path: Path) -> None:
    (tmp_path / "count.json").write_text(
        "".join(
            json.dumps(e) + "\n"
            for e in (
                event("run", "TestFlaky"),
                event("fail", "TestFlaky", Elapsed=0.1),
                event("run", "TestFlaky"),
                event("pass", "TestFlaky", Elapsed=0.2),
            )
        )
    )
    (result,) = read_reports(tmp_path, ["count.json"]).results
    assert result.outcome is Outcome.FLAKY
    assert [a.outcome for a in result.attempts] == [Outcome.FAILED, Outcome.PASSED]

    # The fixture pair: `go test -json ./...`, then a rerun of the failed test that passes.
    for name in ("report.json", "rerun.json"):
        (tmp_path / "go" / name).parent.mkdir(exist_ok=True)
        (tmp_path / "go" / name).write_bytes((FIXTURES / "reports/gotest" / name).read_bytes())
    reports = read_reports(tmp_path, ["go/*.json"])
    stock = next(r for r in reports.results if r.name == "TestStockRefresh")
    assert stock.outcome is Outcome.FLAKY
    assert [(a.outcome, a.source) for a in stock.attempts] == [
        (Outcome.FAILED, "go/report.json"),
        (Outcome.PASSED, "go/rerun.json"),
    ]
    assert reports.totals.flaky == 1
    assert reports.totals.total == 11  # counted once


def dart(*events: dict[str, object]) -> list[TestResult]:
    stream = "".join(json.dumps(e) + "\n" for e in events)
    return list(parse_dart(io.BytesIO(stream.encode()), ParseContext("dart.json")))


def test_dart_hidden_failures_become_visible_and_unfinished_tests_are_errors() -> None:
    results = dart(
        {"type": "suite", "suite": {"id": 0, "path": "test/a_test.dart"}, "time": 0},
        {"type": "testStart", "test": {"id": 1, "name": "A (setUpAll)", "suiteID": 0}, "time": 1},
        {"type": "error", "testID": 1, "error": "db down", "stackTrace": "", "isFailure": False},
        {"type": "testDone", "testID": 1, "result": "error", "hidden": False, "time": 2},
        {"type": "testStart", "test": {"id": 2, "name": "A runs", "suiteID": 0}, "time": 3},
    )
    assert [(r.name, r.outcome, r.message) for r in results] == [
        ("A (setUpAll)", Outcome.ERROR, "db down"),
        ("A runs", Outcome.ERROR, "the test did not finish: the report ends before its result"),
    ]


def tap(text: str) -> tuple[list[TestResult], list[ReportProblem]]:
    context = ParseContext("reports/unit.tap")
    return list(parse_tap(io.BytesIO(text.encode()), context)), context.problems


def test_tap_bail_out_and_a_short_plan_are_reported() -> None:
    results, problems = tap("1..4\nok 1 - first\nnot ok 2 - second\nBail out! database gone\n")
    assert [(r.suite, r.name, r.outcome) for r in results] == [
        (("unit",), "first", Outcome.PASSED),
        (("unit",), "second", Outcome.FAILED),
        (("unit",), "Bail out!", Outcome.ERROR),
    ]
    assert results[2].message == "database gone"
    assert [p.message for p in problems] == [
        "the TAP stream bailed out: database gone",
        "the TAP plan announces 4 tests but 2 were reported; the run may have stopped early",
    ]


def test_tap_directives_escapes_and_bats_style_lines() -> None:
    results, _ = tap(
        "1..5\n"
        "ok 1 addition works\n"
        "not ok 2 - rounds # TODO rounding bug\n"
        "ok 3 - skipped one # SKIP no network\n"
        "ok 4 - price is \\# 1\n"
        "not ok 5 - crashes\n"
        "# (in test file test/x.bats, line 9)\n"
        '#   `[ "$result" -eq 5 ]\' failed\n'
    )
    assert [(r.name, r.outcome, r.message) for r in results] == [
        ("addition works", Outcome.PASSED, None),
        ("rounds", Outcome.SKIPPED, "TODO: rounding bug"),
        ("skipped one", Outcome.SKIPPED, "no network"),
        ("price is # 1", Outcome.PASSED, None),
        (
            "crashes",
            Outcome.FAILED,
            '(in test file test/x.bats, line 9); `[ "$result" -eq 5 ]\' failed',
        ),
    ]


def test_tap_indented_subtests_without_headers_wait_for_their_parent() -> None:
    results, _ = tap(
        "TAP version 13\n"
        "    ok 1 - inner one\n"
        "    not ok 2 - inner two\n"
        "      ---\n"
        "      message: 'boom'\n"
        "      at: 'x.js:3:1'\n"
        "      ...\n"
        "    1..2\n"
        "not ok 1 - outer\n"
        "ok 2 - alone\n"
        "1..2\n"
    )
    assert [(r.suite, r.name, r.outcome, r.message) for r in results] == [
        (("unit", "outer"), "inner one", Outcome.PASSED, None),
        (("unit", "outer"), "inner two", Outcome.FAILED, "boom"),
        (("unit",), "alone", Outcome.PASSED, None),
    ]
