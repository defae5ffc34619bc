"""Rules of the single-document readers that the framework fixtures do not reach: the cucumber-jvm
and behave 1.2.6 shapes, Jest retry reasons and afterAll failures, Playwright expected failures,
pytest teardown errors, RSpec errors without messages, Mocha retries of failing tests."""

from __future__ import annotations

import base64
import io
import json

from tmsaction.model import Outcome, ReportProblem, TestResult
from tmsaction.reports.base import ParseContext, Parser
from tmsaction.reports.behave import parse_behave
from tmsaction.reports.cucumber import differing_values, parse_cucumber
from tmsaction.reports.jest_json import parse_jest_json
from tmsaction.reports.locations import EMBEDDED_LIMIT
from tmsaction.reports.merge import ResultMerger
from tmsaction.reports.mocha_json import parse_mocha_json
from tmsaction.reports.playwright_json import parse_playwright_json
from tmsaction.reports.pytest_json import parse_pytest_json, split_nodeid
from tmsaction.reports.rspec import parse_rspec


def run(parser: Parser, document: object) -> tuple[list[TestResult], list[ReportProblem]]:
    context = ParseContext("report.json")
    results = list(parser(io.BytesIO(json.dumps(document).encode()), context))
    return results, context.problems


def step(keyword: str, name: str, status: str, **extra: object) -> dict[str, object]:
    return {
        "keyword": keyword,
        "name": name,
        "result": {"status": status, "duration": 1_000_000},
    } | extra


JAVA_TRACE = "java.lang.IllegalStateException: closed\n\tat Shop.open(Shop.java:3)"


def test_cucumber_jvm_backgrounds_hooks_output_and_outline_rows() -> None:
    feature = {
        "uri": "classpath:features/login.feature",
        "name": "Login",
        "keyword": "Feature",
        "tags": [{"name": "@SHOP-3"}],
        "elements": [
            {
                "type": "background",
                "keyword": "Background",
                "steps": [
                    step(
                        "Given ",
                        "a shop",
                        "failed",
                        result={
                            "status": "failed",
                            "error_message": JAVA_TRACE,
                        },
                    )
                ],
            },
            {
                "type": "scenario",
                "keyword": "Scenario",
                "name": "Login",
                "id": "login;login",
                "line": 5,
                "steps": [step("When ", "she logs in", "skipped")],
            },
            {
                "type": "scenario",
                "keyword": "Scenario",
                "name": "Logout",
                "id": "login;logout",
                "line": 9,
                "steps": [step("When ", "she logs out", "passed", output=["session 42 closed"])],
                "after": [
                    {
                        "result": {"status": "failed", "error_message": "screenshot failed"},
                        "match": {"location": "Hooks.after()"},
                    }
                ],
            },
            {
                "type": "scenario",
                "keyword": "Scenario",
                "name": "Logout",
                "id": "login;logout",
                "line": 9,
                "steps": [step("When ", "she logs out", "passed")],
            },
            {
                "type": "scenario",
                "keyword": "Scenario Outline",
                "name": "Pay",
                "id": "login;pay;;2",
                "line": 14,
                "steps": [step("When ", "she pays 3 euros", "passed")],
            },
            {
                "type": "scenario",
                "keyword": "Scenario Outline",
                "name": "Pay",
                "id": "login;pay;;3",
                "line": 15,
                "steps": [step("When ", "she pays 5 euros", "passed")],
            },
        ],
    }
    parsed, _ = run(parse_cucumber, [feature])
    merger = ResultMerger()
    for result in parsed:
        merger.add(result)
    results = merger.results()
    # Logout ran twice (an after hook failed, then it passed): one flaky test, not two.
    assert [(r.suite, r.name, r.outcome, r.message, r.parameters) for r in results] == [
        (
            ("features/login.feature",),
            "Login",
            Outcome.FAILED,
            "java.lang.IllegalStateException: closed",
            None,
        ),
        (("features/login.feature",), "Logout", Outcome.FLAKY, "screenshot failed", None),
        (("features/login.feature",), "Pay (example 1)", Outcome.PASSED, None, "3"),
        (("features/login.feature",), "Pay (example 2)", Outcome.PASSED, None, "5"),
    ]
    assert [a.outcome for a in results[1].attempts] == [Outcome.ERROR, Outcome.PASSED]
    assert results[0].details == f"step failed: Given a shop\n\n{JAVA_TRACE}"
    assert results[1].detail is not None
    assert results[1].detail.stdout == "session 42 closed"
    assert results[0].tags == ("@SHOP-3",)


def test_cucumber_embeddings_become_attachments_and_logs_or_warnings() -> None:
    log = base64.b64encode(b"card charged").decode()
    huge = "A" * (EMBEDDED_LIMIT + 1)
    scenario = {
        "type": "scenario",
        "name": "Pay",
        "steps": [
            step(
                "When ",
                "she pays",
                "passed",
                embeddings=[
                    {"mime_type": "image/png", "data": "iVBORw0KGgo="},
                    {"mime_type": "text/x.cucumber.log+plain", "data": log},
                    {"mime_type": "video/webm", "data": huge},
                ],
            ),
            step("Then ", "it is pending", "pending"),
        ],
    }
    results, problems = run(
        parse_cucumber, [{"uri": "f.feature", "name": "F", "elements": [scenario]}]
    )
    (result,) = results
    assert result.outcome is Outcome.SKIPPED
    assert result.message == "pending step: Then it is pending"
    assert result.attachments == ("data:image/png;base64,iVBORw0KGgo=",)
    assert [p.message for p in problems] == [
        "1 embedded attachment was not kept (each is kept up to 1 MiB, and up to 16 MiB per "
        "report); the report file still holds them"
    ]


def test_outline_values_are_the_words_that_differ_between_rows() -> None:
    assert differing_values(['pays "3" euros as bob', 'pays "5" euros as zoë']) == [
        "3, bob",
        "5, zoë",
    ]
    assert differing_values(["one row"]) == [None]
    assert differing_values(["a b", "a b c"]) == [None, None]


def test_behave_1_2_6_lists_and_missing_statuses() -> None:
    feature = {
        "keyword": "Feature",
        "name": "Cart",
        "location": "features/cart.feature:1",
        "tags": ["SHOP-12"],
        "elements": [
            {
                "type": "scenario",
                "keyword": "Scenario",
                "name": "Add",
                "location": "features/cart.feature:3",
                "tags": ["C101"],
                "steps": [
                    {
                        "keyword": "Then",
                        "name": "it adds",
                        "result": {
                            "status": "failed",
                            "duration": 0.5,
                            "error_message": [
                                "Assertion Failed: 1 != 2",
                                "Traceback (most recent call last):",
                                "  File x",
                            ],
                        },
                    }
                ],
            },
            {
                "type": "scenario",
                "keyword": "Scenario",
                "name": "Later",
                "location": "features/cart.feature:8",
                "steps": [{"keyword": "Given", "name": "x"}],
            },
        ],
    }
    results, _ = run(parse_behave, [feature])
    assert [(r.name, r.outcome, r.message, r.line, r.tags) for r in results] == [
        ("Add", Outcome.FAILED, "Assertion Failed: 1 != 2", 3, ("@SHOP-12", "@C101")),
        ("Later", Outcome.SKIPPED, None, 8, ("@SHOP-12",)),
    ]


def test_jest_retry_reasons_and_a_failing_after_all() -> None:
    document = {
        "numTotalTests": 1,
        "testResults": [
            {
                "name": "/home/runner/work/shop/shop/src/a.test.js",
                "status": "failed",
                "message": (
                    "  ● Test suite failed to run\n\n    afterAll: db not closed\n\n      at x (a.js:1:1)"
                ),
                "assertionResults": [
                    {
                        "ancestorTitles": ["A", "B"],
                        "title": "works",
                        "status": "passed",
                        "duration": 12,
                        "invocations": 3,
                        "retryReasons": ["Error: first\n    at x", "Error: second\n    at y"],
                        "failureMessages": [],
                    }
                ],
            }
        ],
    }
    results, _ = run(parse_jest_json, document)
    flaky, file_error = results
    assert (flaky.suite, flaky.classname, flaky.outcome, flaky.message) == (
        ("src/a.test.js",),
        "A › B",
        Outcome.FLAKY,
        "Error: second",
    )
    assert [(a.outcome, a.message) for a in flaky.attempts] == [
        (Outcome.FAILED, "Error: first"),
        (Outcome.FAILED, "Error: second"),
        (Outcome.PASSED, None),
    ]
    assert (file_error.name, file_error.outcome, file_error.message) == (
        "Test suite failed to run",
        Outcome.ERROR,
        "afterAll: db not closed",
    )


def test_playwright_expected_failures_interruptions_and_annotations() -> None:
    def spec(title: str, expected: str, *statuses: str, **test: object) -> dict[str, object]:
        runs = [{"status": s, "duration": 10, "retry": i} for i, s in enumerate(statuses)]
        return {
            "title": title,
            "file": "a.spec.ts",
            "line": 3,
            "tags": ["@C7"],
            "tests": [{"projectName": "", "expectedStatus": expected, "results": runs} | test],
        }

    big = base64.b64encode(b"x" * EMBEDDED_LIMIT).decode()
    document = {
        "config": {"rootDir": "/home/runner/work/shop/shop/e2e"},
        "suites": [
            {
                "title": "a.spec.ts",
                "file": "a.spec.ts",
                "specs": [
                    spec("fails as promised", "failed", "failed"),
                    spec("interrupted", "passed", "interrupted"),
                    spec(
                        "annotated",
                        "passed",
                        "passed",
                        annotations=[{"type": "issue", "description": "SHOP-9"}, {"type": "slow"}],
                    ),
                ],
            }
        ],
    }
    document["suites"][0]["specs"][2]["tests"][0]["results"][0]["attachments"] = [  # type: ignore[index]
        {"name": "video", "contentType": "video/webm", "body": big}
    ]
    results, problems = run(parse_playwright_json, document)
    assert [(r.suite, r.name, r.outcome) for r in results] == [
        (("e2e/a.spec.ts",), "fails as promised", Outcome.PASSED),
        (("e2e/a.spec.ts",), "interrupted", Outcome.ERROR),
        (("e2e/a.spec.ts",), "annotated", Outcome.PASSED),
    ]
    assert results[2].properties == (("issue", "SHOP-9"),)
    assert results[2].tags == ("@C7",)
    assert len(problems) == 1
    assert problems[0].message.startswith("1 embedded attachment was not kept")


def test_pytest_teardown_errors_metadata_and_node_ids() -> None:
    document = {
        "exitcode": 1,
        "root": "/r",
        "tests": [
            {
                "nodeid": "tests/api/test_cart.py::TestCart::test_add[2-x]",
                "lineno": 9,
                "outcome": "error",
                "setup": {"outcome": "passed", "duration": 0.1},
                "call": {"outcome": "passed", "duration": 0.2},
                "teardown": {
                    "outcome": "failed",
                    "duration": 0.3,
                    "crash": {"message": "RuntimeError: db still locked"},
                    "longrepr": "E   RuntimeError: db still locked",
                },
                "metadata": {"testrail": "C55", "nested": {"no": 1}},
            }
        ],
    }
    (result,), _ = run(parse_pytest_json, document)
    assert (result.classname, result.name, result.parameters, result.line) == (
        "tests.api.test_cart.TestCart",
        "test_add[2-x]",
        "2-x",
        10,
    )
    assert (result.outcome, result.message) == (Outcome.ERROR, "RuntimeError: db still locked")
    assert result.duration is not None
    assert round(result.duration, 3) == 0.6
    assert result.properties == (("testrail", "C55"),)
    assert split_nodeid("test_a.py") == ("test_a.py", "", "test_a", None)


def test_rspec_errors_outside_examples_without_a_message() -> None:
    document = {
        "version": "3.13.0",
        "examples": [],
        "summary": {"example_count": 0, "errors_outside_of_examples_count": 1},
        "summary_line": "0 examples, 0 failures, 1 error occurred outside of examples",
    }
    (result,), _ = run(parse_rspec, document)
    assert (result.name, result.outcome, result.message) == (
        "error outside of examples",
        Outcome.ERROR,
        "RSpec reported an error outside of examples",
    )


def test_mocha_retried_tests_that_still_fail_keep_every_attempt() -> None:
    document = {
        "stats": {"suites": 1, "tests": 1},
        "tests": [
            {
                "title": "syncs",
                "fullTitle": "Stock syncs",
                "file": "test/stock.spec.js",
                "duration": 5,
                "currentRetry": 2,
                "err": {"message": "down", "stack": "Error: down\n    at x"},
            }
        ],
        "pending": [],
        "failures": [],
    }
    (result,), _ = run(parse_mocha_json, document)
    assert result.outcome is Outcome.FAILED
    assert [a.outcome for a in result.attempts] == [Outcome.FAILED] * 3
    assert result.message == "down"
