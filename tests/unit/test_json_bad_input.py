"""Broken, truncated, wrongly encoded and hostile JSON/text reports: one problem per file, with its
position when the reader knows it, and every other file still read."""

from __future__ import annotations

import json
from pathlib import Path

from tmsaction.model import OUTPUT_LIMIT, Outcome
from tmsaction.reports.collect import read_reports
from tmsaction.reports.resultbuild import MESSAGE_LIMIT

MOCHA = {
    "stats": {"suites": 1, "tests": 1, "passes": 0, "pending": 0, "failures": 1},
    "tests": [
        {
            "title": "adds an item",
            "fullTitle": "Cart adds an item",
            "file": "/home/runner/work/shop/shop/test/cart.spec.js",
            "duration": 3,
            "currentRetry": 0,
            "err": {"message": "boom", "stack": "Error: boom\n    at x (cart.spec.js:1:1)"},
        }
    ],
    "pending": [],
    "failures": [],
    "passes": [],
}
JEST = {"numTotalTests": 1, "testResults": [{"name": "/r/a.test.js", "assertionResults": []}]}
GO_LINES = (
    '{"Action":"run","Package":"shop","Test":"TestA"}\n'
    '{"Action":"pass","Package":"shop","Test":"TestA","Elapsed":0.5}\n'
    '{"Action":"run","Package":"shop","Test":"TestB"}\n'
    '{"Action":"output","Package":"shop","Test":"TestB","Output":"still going\\n"}\n'
)


def write(workspace: Path, name: str, data: bytes) -> None:
    path = workspace / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def test_every_kind_of_bad_file_is_one_problem_and_the_good_files_are_read(
    tmp_path: Path,
) -> None:
    mocha = json.dumps(MOCHA)
    write(tmp_path, "good/bom.json", b"\xef\xbb\xbf" + mocha.encode())
    write(tmp_path, "good/utf16.json", json.dumps(JEST).encode("utf-16"))
    write(tmp_path, "good/utf16-no-bom.json", json.dumps(MOCHA).encode("utf-16-le"))
    write(tmp_path, "good/go.json", b"\xfe\xff" + GO_LINES.encode("utf-16-be"))
    write(tmp_path, "bad/truncated.json", json.dumps(JEST, indent=2).encode()[:-20])
    write(tmp_path, "bad/shape.json", b'{"numTotalTests": 1, "testResults": 5}')
    write(tmp_path, "bad/deep.json", b'{"numTotalTests": 1, "testResults": ' + b"[" * 100_000)
    write(tmp_path, "bad/binary.json", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    write(tmp_path, "bad/empty.json", b"  \n")
    write(tmp_path, "bad/other.json", b'{"name": "shop", "version": "1.0.0"}')
    write(
        tmp_path,
        "bad/lines.ndjson",
        b'{"level": "info", "msg": "started"}\n{"level": "info", "msg": "done"}\n',
    )

    reports = read_reports(tmp_path, ["**/*.json", "**/*.ndjson"])

    by_file = {f.source: f for f in reports.files}
    assert {name: (f.format, f.tests) for name, f in by_file.items()} == {
        "good/bom.json": ("mocha", 1),
        "good/go.json": ("gotest", 2),
        "good/utf16.json": ("jest", 0),
        "good/utf16-no-bom.json": ("mocha", 1),
    }
    problems = {p.source: p for p in reports.problems}
    bad = ("truncated", "shape", "deep", "binary", "empty", "other")
    assert set(problems) == {f"bad/{name}.json" for name in bad} | {
        "good/go.json",
        "bad/lines.ndjson",
    }
    # The go stream stops while TestB runs: TestB is an error result, and the cut is a warning.
    cut = problems.pop("good/go.json")
    assert (cut.severity, cut.message) == (
        "warning",
        "the report ends while 1 test was still running; the test run was probably cut off",
    )
    truncated = problems["bad/truncated.json"]
    assert truncated.message.startswith("the JSON ends early")
    assert "truncated" in truncated.message
    # The decoder stops where the last value starts: `"assertionResults": ` on line 6.
    assert (truncated.line, truncated.column) == (6, 7)
    assert problems["bad/shape.json"].message == (
        "expected a Jest or Vitest JSON report (jest --json, vitest --reporter=json) "
        "with a `testResults` list"
    )
    assert "nested too deeply" in problems["bad/deep.json"].message
    assert problems["bad/binary.json"].message.startswith("the file is binary")
    assert problems["bad/empty.json"].message.startswith("the file is empty")
    assert problems["bad/other.json"].message.startswith(
        "valid JSON, but not a test report tmsaction reads: an object with keys 'name', 'version'"
    )
    assert problems["bad/lines.ndjson"].message.startswith(
        "JSON lines (one object per line) of no format tmsaction reads: the first line is an "
        "object with keys 'level', 'msg'"
    )
    assert all(p.severity == "error" for p in problems.values())

    by_name = {r.name: r for r in reports.results}
    assert by_name["adds an item"].file == "test/cart.spec.js"
    assert by_name["TestA"].outcome is Outcome.PASSED
    assert by_name["TestB"].outcome is Outcome.ERROR
    assert by_name["TestB"].message == "the test did not finish: the report ends before its result"


def test_invalid_utf8_is_replaced_with_a_warning_at_its_position(tmp_path: Path) -> None:
    document = json.dumps(MOCHA, indent=1).encode()
    broken = document.replace(b"adds an item", b"adds an \xff item")
    write(tmp_path, "mocha.json", broken)
    lines = GO_LINES.encode().replace(b'"TestA"', b'"Test\xc3A"')
    write(tmp_path, "go.json", lines)

    reports = read_reports(tmp_path, ["*.json"])

    assert [f.tests for f in reports.files] == [2, 1]
    encoding = [p for p in reports.problems if "not valid UTF-8" in p.message]
    before = document[: document.index(b"adds an item")]
    line, column = before.count(b"\n") + 1, len(before.rsplit(b"\n", 1)[-1]) + len("adds an ") + 1
    assert sorted((p.source, p.line, p.column, p.severity) for p in encoding) == [
        ("go.json", 1, lines.index(b"\xc3") + 1, "warning"),
        ("mocha.json", line, column, "warning"),
    ]
    names = {r.name for r in reports.results}
    assert "adds an \ufffd item" in names
    assert "Test\ufffdA" in names


def test_huge_fields_are_bounded(tmp_path: Path) -> None:
    hostile = dict(MOCHA)
    test = dict(MOCHA["tests"][0])  # type: ignore[index]
    test["err"] = {"message": "m" * 3_000_000, "stack": "frame\n" * 1_000_000}
    hostile["tests"] = [test]
    write(tmp_path, "mocha.json", json.dumps(hostile).encode())

    (result,) = read_reports(tmp_path, ["*.json"]).results

    assert result.message is not None
    assert result.details is not None
    assert len(result.message) <= MESSAGE_LIMIT
    assert len(result.details) <= OUTPUT_LIMIT + 100
    assert "characters cut" in result.details
    assert result.details.startswith("frame\nframe")
    assert result.details.endswith("frame")


def test_ansi_colour_codes_are_removed_from_messages(tmp_path: Path) -> None:
    coloured = dict(MOCHA)
    test = dict(MOCHA["tests"][0])  # type: ignore[index]
    test["err"] = {"message": "\x1b[31mexpected\x1b[39m 1", "stack": "\x1b[2mstack\x1b[22m"}
    coloured["tests"] = [test]
    write(tmp_path, "mocha.json", json.dumps(coloured).encode())

    (result,) = read_reports(tmp_path, ["*.json"]).results

    assert (result.message, result.details) == ("expected 1", "stack")
