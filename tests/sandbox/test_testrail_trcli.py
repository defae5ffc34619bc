"""Fidelity proof: TestRail's own CLI (`trcli`, PyPI) runs against the emulator on loopback and the
emulator ends in the state real TestRail would hold.

trcli is a separate process; its PyPI update check is kept offline by a fresh version cache in a
temporary HOME.
"""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tmsaction.sandbox.testrail import DEMO_API_KEY, DEMO_USER, TestRailEmulator

from tests.testrail_support import serve

pytestmark = pytest.mark.slow

TRCLI = Path(sys.executable).parent / "trcli"

REPORT = """<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="api">
  <testsuite name="CartApi" tests="3" failures="1" skipped="1" time="1.5">
    <testcase classname="tests.cart" name="test_add_item" time="0.4"/>
    <testcase classname="tests.cart" name="test_remove_item" time="62.2">
      <failure message="expected 2 items, got 3">AssertionError: expected 2 items, got 3</failure>
      <properties>
        <property name="testrail_attachment" value="{screenshot}"/>
      </properties>
    </testcase>
    <testcase classname="tests.cart" name="test_discount_later" time="0">
      <skipped message="not implemented"/>
    </testcase>
  </testsuite>
</testsuites>
"""

BY_CASE_ID = """<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="ids">
  <testsuite name="Known cases" tests="2" failures="1">
    <testcase classname="com.acme.shop.CartTest" name="addsItemToEmptyCart" time="0.2">
      <properties><property name="test_id" value="C101"/></properties>
    </testcase>
    <testcase classname="com.acme.shop.CartTest" name="appliesPercentageDiscount" time="0.9">
      <properties><property name="test_id" value="C103"/></properties>
      <failure message="expected 90.00 but was 89.99"/>
    </testcase>
  </testsuite>
</testsuites>
"""


@pytest.fixture
def served() -> Iterator[tuple[TestRailEmulator, str]]:
    with serve() as running:
        yield running


def trcli(url: str, home: Path, *args: str) -> str:
    """Run trcli against the emulator; its output, or a failure with it."""
    cache = home / ".trcli"
    cache.mkdir(parents=True, exist_ok=True)
    stamp = {"last_check": datetime.datetime.now().isoformat(), "latest_version": "1.15.3"}
    (cache / "version_cache.json").write_text(json.dumps(stamp))
    argv = [str(TRCLI), "-y", "-h", url, "-u", DEMO_USER, "-k", DEMO_API_KEY, *args]
    done = subprocess.run(
        argv,
        cwd=home,
        env={"HOME": str(home), "PATH": str(TRCLI.parent), "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    return output


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_parse_junit_creates_sections_cases_and_a_run_with_results(
    served: tuple[TestRailEmulator, str], tmp_path: Path
) -> None:
    emulator, url = served
    screenshot = tmp_path / "remove.png"
    screenshot.write_bytes(b"\x89PNG screenshot")
    report = write(tmp_path / "report.xml", REPORT.format(screenshot=screenshot))
    trcli(url, tmp_path, "--project", "Shop", "parse_junit", "-f", str(report),
          "--suite-name", "Backend", "--title", "Nightly #7")  # fmt: skip

    sections = emulator.sections(1)
    assert [s["name"] for s in sections] == ["Cart", "Checkout", "CartApi"]
    created = [c for c in emulator.cases(1) if c["section_id"] == sections[-1]["id"]]
    # trcli adds cases from parallel threads: their order is not fixed.
    assert sorted((c["title"], c["custom_automation_id"]) for c in created) == [
        ("test_add_item", "tests.cart.test_add_item"),
        ("test_discount_later", "tests.cart.test_discount_later"),
        ("test_remove_item", "tests.cart.test_remove_item"),
    ]
    [run] = emulator.runs()
    assert (run["name"], run["suite_id"], run["include_all"]) == ("Nightly #7", 1, False)
    assert (run["passed_count"], run["failed_count"], run["retest_count"]) == (1, 1, 1)
    results = {r["test_id"]: r for r in emulator.results(run["id"])}
    tests = {t["title"]: t for t in emulator.tests(run["id"])}
    assert set(tests) == {"test_add_item", "test_remove_item", "test_discount_later"}
    failed = results[tests["test_remove_item"]["id"]]
    assert failed["status_id"] == 5
    assert "expected 2 items, got 3" in failed["comment"]
    assert failed["elapsed"] == "1m 2s"
    [attachment_id] = failed["attachment_ids"]
    record, content = emulator.attachment(attachment_id)
    assert (record["filename"], content) == ("remove.png", b"\x89PNG screenshot")
    assert results[tests["test_discount_later"]["id"]]["status_id"] == 4  # skipped -> Retest


def test_case_ids_into_an_existing_run_keep_its_tests(
    served: tuple[TestRailEmulator, str], tmp_path: Path
) -> None:
    emulator, url = served
    first = write(tmp_path / "first.xml", REPORT.format(screenshot=tmp_path / "missing.png"))
    trcli(url, tmp_path, "--project", "Shop", "parse_junit", "-f", str(first),
          "--suite-id", "1", "--title", "Shared run")  # fmt: skip
    [run] = emulator.runs()
    before = {t["case_id"] for t in emulator.tests(run["id"])}

    second = write(tmp_path / "ids.xml", BY_CASE_ID)
    trcli(url, tmp_path, "--project", "Shop", "parse_junit", "-f", str(second), "--suite-id", "1",
          "--case-matcher", "property", "--run-id", str(run["id"]))  # fmt: skip

    assert [r["id"] for r in emulator.runs()] == [run["id"]]  # no second run
    after = {t["case_id"]: t for t in emulator.tests(run["id"])}
    assert set(after) == before | {101, 103}  # update_run kept the earlier cases
    assert (after[101]["status_id"], after[103]["status_id"]) == (1, 5)
    assert len(emulator.results(run["id"])) == 5
    assert len(emulator.cases(1)) == 6 + 3  # case ids matched existing cases; none created


def test_single_suite_project_and_closing_the_run(
    served: tuple[TestRailEmulator, str], tmp_path: Path
) -> None:
    emulator, url = served
    report = write(
        tmp_path / "smoke.xml", BY_CASE_ID.replace("C101", "C301").replace("C103", "C302")
    )
    trcli(url, tmp_path, "--project", "Legacy", "parse_junit", "-f", str(report),
          "--case-matcher", "property", "--title", "Smoke", "--close-run")  # fmt: skip
    [run] = emulator.runs(project_id=2)
    assert (run["name"], run["suite_id"], run["is_completed"]) == ("Smoke", 3, True)
    assert (run["passed_count"], run["failed_count"]) == (1, 1)


@pytest.mark.corpus
def test_trcli_uploads_a_real_world_sample(corpus: Path, tmp_path: Path) -> None:
    """gurock's own pytest sample report, as trcli's documentation uses it."""
    sample = corpus / "testrail-samples/samples/python/pytest/sample_reports/junit-report.xml"
    if not sample.is_file():
        pytest.skip(f"{sample} is not in this corpus")
    with serve() as (emulator, url):
        trcli(url, tmp_path, "--project", "Shop", "parse_junit", "-f", str(sample),
              "--suite-name", "Web", "--title", "Sample")  # fmt: skip
        [run] = emulator.runs()
        tests = emulator.tests(run["id"])
        results = emulator.results(run["id"])
    assert tests
    assert len(results) == len(tests)
    assert all(t["status_id"] != 3 for t in tests)
