"""Detection of the JSON and text formats by shape, from the head of the file only."""

from __future__ import annotations

import json

import pytest
from tmsaction.reports.detect import HEAD_SIZE, detect_format
from tmsaction.reports.jsondetect import json_format, scan_shape

from tests.conftest import FIXTURES

_BIG = "x" * (HEAD_SIZE * 2)


def head_of(text: str) -> bytes:
    return text.encode()[:HEAD_SIZE]


@pytest.mark.parametrize(
    ("framework", "name", "expected"),
    [
        ("behave", "report.json", "behave"),
        ("cucumber-js", "report.json", "cucumber"),
        ("cucumber-messages", "report.ndjson", "cucumber-messages"),
        ("dart", "report.json", "dart"),
        ("gotest", "report.json", "gotest"),
        ("jest", "report.json", "jest"),
        ("mocha", "report.json", "mocha"),
        ("mochawesome", "report.json", "mochawesome"),
        ("playwright", "report.json", "playwright"),
        ("pytest-bdd", "report.json", "cucumber"),
        ("pytest-json", "report.json", "pytest-json"),
        ("rspec", "report.json", "rspec"),
        ("robot", "report.json", "robot-json"),
        ("tap", "node-test.tap", "tap"),
        ("tap", "perl-test-more.tap", "tap"),
        ("vitest", "report.json", "jest"),
    ],
)
def test_every_fixture_is_detected_from_its_head(framework: str, name: str, expected: str) -> None:
    head = (FIXTURES / "reports" / framework / name).read_bytes()[:HEAD_SIZE]
    assert detect_format(head) == expected


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        # cucumber-js sorts keys: `elements` comes before `keyword` and `uri`, and may be huge.
        (
            [
                {
                    "description": "",
                    "elements": [{"id": "f;s", "steps": [{"name": _BIG}]}],
                    "uri": "f",
                }
            ],
            "cucumber",
        ),
        (
            [{"elements": [{"keyword": "Scenario", "steps": [{"step_type": "given", "x": _BIG}]}]}],
            "behave",
        ),
        ({"numFailedTestSuites": 0, "numTotalTests": 1, "testResults": [{"x": _BIG}]}, "jest"),
        ({"config": {"rootDir": "/r", "x": _BIG}, "suites": []}, "playwright"),
        ({"stats": {"suites": 1, "passes": 1}, "tests": [{"fullTitle": _BIG}]}, "mocha"),
        ({"version": "3.12.0", "examples": [{"full_description": _BIG}]}, "rspec"),
        ({"created": 1.0, "exitcode": 0, "root": "/r", "environment": {"x": _BIG}}, "pytest-json"),
    ],
)
def test_documents_larger_than_the_head_are_detected(document: object, expected: str) -> None:
    text = json.dumps(document, indent=1)
    assert len(text) > HEAD_SIZE
    assert detect_format(head_of(text)) == expected


def test_an_empty_list_is_a_cucumber_run_without_features() -> None:
    assert json_format("[]\n") == "cucumber"


@pytest.mark.parametrize(
    "text",
    [
        '{"name": "shop", "version": "1.0.0", "scripts": {"test": "jest"}}',  # package.json
        '{"compilerOptions": {"strict": true}}',  # tsconfig.json
        '[{"id": 1, "name": "x"}]',
        '{"key": "val", malformed: "key"}',
    ],
)
def test_other_json_is_sent_to_the_explaining_reader(text: str) -> None:
    assert json_format(text) == "json-unknown"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("TAP version 14\n1..1\nok 1 - a\n", "tap"),
        ("1..2\nok 1\nnot ok 2\n", "tap"),
        ("# comment first\nok 1 - a\n", "tap"),
        ("not ok 1 - a\n", "tap"),
        # `go test` without -json: `ok` + tab is its package line, not TAP.
        ("ok  \texample.com/shop\t0.01s\n", None),
        ("this is not json", None),
        ("", None),
    ],
)
def test_text_formats(text: str, expected: str | None) -> None:
    assert json_format(text) == expected


def test_go_json_lines_after_plain_text_build_errors() -> None:
    text = (
        "# example.com/shop/broken\nbroken/x_test.go:6:18: cannot use x\n"
        'FAIL\texample.com/shop/broken [build failed]\n{"Action":"run","Package":"p","Test":"T"}\n'
    )
    assert json_format(text) == "gotest"
    assert json_format(text.rsplit("{", 1)[0]) == "gotest"  # only the build failure


def test_go_1_24_build_events_and_dart_events() -> None:
    assert json_format('{"ImportPath":"p [p.test]","Action":"build-output","Output":"x"}') == (
        "gotest"
    )
    assert json_format('{"protocolVersion":"0.1.1","type":"start","time":0}\n') == "dart"
    # flutter test --machine prints text before the events.
    assert json_format('Running...\n{"suite":{"id":0},"type":"suite","time":0}\n') == "dart"


def test_utf16_and_bom_reports_are_detected() -> None:
    text = json.dumps({"numTotalTests": 0, "testResults": []})
    assert detect_format("\ufeff".encode() + text.encode()) == "jest"
    assert detect_format(text.encode("utf-16")) == "jest"  # with BOM
    assert detect_format("\ufeffTAP version 13\nok 1\n".encode("utf-16-be")) == "tap"


def test_the_shape_scanner_records_paths_and_stops_where_the_head_ends() -> None:
    shape = scan_shape('{"a": {"b": [1, {"c": "x\\"y"}]}, "d": [{"e": 1}], "f": "cut he')
    assert shape.root == "{"
    assert {"a", "a.b", "a.b[].c", "d", "d[].e", "f"} <= shape.keys
