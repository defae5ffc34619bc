"""Reading an earlier run's results_json: the file this version writes (streamed line by line),
a re-indented one (read whole), and every way a file can be unreadable."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import pytest
from tmsaction.config.load import load_config
from tmsaction.coverage import Coverage
from tmsaction.history.model import Figures
from tmsaction.history.results_file import ResultsFileError, read_results_file
from tmsaction.inputs import RunContext
from tmsaction.model import Outcome, ReportFile, ReportSet, TestDetail, TestResult, Totals
from tmsaction.plan.build import plan_mapping
from tmsaction.plan.model import Plan
from tmsaction.results_json import write_results_json
from tmsaction.runreport import RunReport

HOSTILE = 'quote " backslash \\ newline \n tab \t ] }, ,\n "tests": ['


def results() -> tuple[TestResult, ...]:
    return (
        TestResult(("s.xml",), "com.acme.Cart", "adds", Outcome.PASSED),
        TestResult(
            ("s.xml",),
            "com.acme.Cart",
            HOSTILE,
            Outcome.FAILED,
            detail=TestDetail(message=HOSTILE, details="trace\n ]\n}"),
        ),
        TestResult((), "", "bare", Outcome.FLAKY),
        TestResult(("a", "b"), "K", "skipped", Outcome.SKIPPED),
    )


def written(tmp_path: Path, *, plan: bool = True) -> Path:
    tests = results()
    planned = plan_mapping(
        tests, Totals.of(tests), load_config(tmp_path, ".github/tmsaction.yml", explicit=False)
    )
    reports = ReportSet(
        results=tests, files=(ReportFile("r.xml", "junit", len(tests)),), totals=Totals.of(tests)
    )
    report = RunReport(
        reports=reports,
        context=RunContext(workspace=tmp_path, repository="acme/shop", run_id="77", sha="abc"),
        plan=Plan(mapping=replace(planned.plan.mapping, testrail_read=True)) if plan else None,
        coverage=Coverage(
            source="testrail", automated=3, cases=8, regression=4, regression_automated=2
        ),
    )
    path = tmp_path / "tmsaction-results.json"
    write_results_json(path, report)
    return path


def test_the_file_this_version_writes_is_read_back_test_by_test(tmp_path: Path) -> None:
    path = written(tmp_path)
    with path.open("rb") as stream:
        read = read_results_file(stream, limit=10**8)
    expected = {r.identity.key: r.outcome for r in results()}
    assert dict(read.side.outcomes) == expected
    assert read.side.kind == "test"
    assert read.side.figures == Figures(3, 8, 50.0, "testrail")
    assert (read.run_id, read.sha) == ("77", "abc")


def test_a_file_in_another_layout_is_read_whole(tmp_path: Path) -> None:
    document = json.loads(written(tmp_path).read_text("utf-8"))
    reindented = json.dumps(document, indent=4).encode()
    read = read_results_file(io.BytesIO(reindented), limit=10**8)
    assert dict(read.side.outcomes) == {r.identity.key: r.outcome for r in results()}
    one_line = json.dumps(document).encode()
    assert read_results_file(io.BytesIO(one_line), limit=10**8).side == read.side


def test_a_file_without_the_mapping_head_has_no_figures(tmp_path: Path) -> None:
    with written(tmp_path, plan=False).open("rb") as stream:
        read = read_results_file(stream, limit=10**8)
    assert read.side.figures == Figures()
    assert len(read.side.outcomes) == 4


def mutate(path: Path, old: str, new: str) -> bytes:
    text = path.read_text("utf-8")
    assert old in text
    return text.replace(old, new, 1).encode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('"version": 1', '"version": 2'), "format version 2; this tmsaction reads version 1"),
        (('"outcome": "passed"', '"outcome": "exploded"'), "test 1 has an unknown outcome"),
        (('"classname": "com.acme.Cart", "name": "adds"', '"name": "adds"'), "test 1 has no"),
        (('{"suite": ["a", "b"], "classname": "K"', '{oops"'), "test line 4 is not JSON"),
        (
            ('{"suite": ["s.xml"], "classname": "com.acme.Cart", "name": "adds"', "{oops"),
            "not JSON",
        ),
        (('"$schema"', '"$schema" oops'), "its head is not JSON"),
    ],
)
def test_broken_files_say_what_is_wrong(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    data = mutate(written(tmp_path), *change)
    with pytest.raises(ResultsFileError, match=message.replace("(", r"\(")):
        read_results_file(io.BytesIO(data), limit=10**8)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe not utf-8", "not UTF-8"),
        (b"[1, 2, 3]", "no 'tests' list"),
        (b"<html>not json</html>", "it is not JSON"),
        (b"", "it is not JSON"),
    ],
)
def test_things_that_are_not_results_files(data: bytes, message: str) -> None:
    with pytest.raises(ResultsFileError, match=message):
        read_results_file(io.BytesIO(data), limit=10**8)


def test_the_size_limit_holds_whatever_the_layout(tmp_path: Path) -> None:
    path = written(tmp_path)
    size = path.stat().st_size
    with path.open("rb") as stream, pytest.raises(ResultsFileError, match="larger than 200 bytes"):
        read_results_file(stream, limit=200)
    with path.open("rb") as stream:
        assert len(read_results_file(stream, limit=size).side.outcomes) == 4
    with path.open("rb") as stream, pytest.raises(ResultsFileError, match="larger than"):
        read_results_file(stream, limit=size - 1)
