"""The TestRail sync against TestRail's own CLI (`trcli parse_junit`), on the emulator with a
per-request latency: requests and wall time of both, side by side, for the same report.

Cases (each tool in its own process, timed by bench/measure.py; trcli is the baseline):
- 2,000 and 10,000 tests in one JUnit report, each naming an existing case (`test_id` property,
  `--case-matcher property` for trcli), one in ten failing; a fresh emulator per measurement with
  a 10,000-case suite, 20 ms added to every request, no rate limit;
- the budget check: 10,000 results on existing cases under TestRail Cloud's 180-requests-per-
  minute limit (in real time): requests made and 429 answers (target: at most 60, none), once
  with ids only and once with a config asking for coverage figures (which reads the 10,000
  cases, 250 a request).

Both tools must leave one run holding every result; the bench checks that before printing.

Each comparison runs both tools `--repeat` times, alternating, and shows the median run of each
(and every run's wall time: the machine is shared, and trcli's times vary).

Run: .venv/bin/python bench/testrail.py [--sizes 2000,10000] [--latency 0.02] [--repeat 3]
     [--no-budget]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import tempfile
from pathlib import Path
from xml.sax.saxutils import quoteattr

from measure import (
    Measurement,
    as_in_the_image,
    measure,
    python,
)  # bench/ is on sys.path when this script runs

USER, KEY = "demo@example.com", "demo-key"
SUITE_CASES = 10_000
TRCLI = Path(sys.executable).parent / "trcli"


def emulator(latency: float, per_minute: int | None = None) -> tuple[object, list[int]]:
    """The demo world plus a 10,000-case section in Shop › Backend (suite 1)."""
    from tmsaction.sandbox.testrail import TestRailEmulator, seed_demo

    world = seed_demo(TestRailEmulator(rate_limit_per_minute=per_minute))
    with world.lock:
        section = world.world.add_section(1, "Bench")
        ids = [world.world.add_case(section["id"], f"case {n}")["id"] for n in range(SUITE_CASES)]
    world.latency = latency
    return world, ids


def report(path: Path, case_ids: list[int]) -> None:
    rows = []
    for n, case_id in enumerate(case_ids):
        failure = (
            f'<failure message="expected {n} but was {n + 1}">AssertionError at Bench.java:{n}'
            "</failure>"
            if n % 10 == 0
            else ""
        )
        rows.append(
            f'<testcase classname="com.acme.bench.Bench{n // 100}Test" name={quoteattr(f"test{n}")}'
            f' time="{(n % 50) / 10 + 0.3:.1f}"><properties><property name="test_id" '
            f'value="C{case_id}"/></properties>{failure}</testcase>'
        )
    path.write_text(
        f'<testsuites><testsuite name="bench" tests="{len(rows)}">{"".join(rows)}'
        "</testsuite></testsuites>\n"
    )


def ours(url: str, workspace: Path) -> list[str]:
    os.environ.update(
        {
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_REPOSITORY": "acme/bench",
            "GITHUB_RUN_ID": "1",
            "GITHUB_WORKFLOW": "Bench",
            "INPUT_REPORTS": "report.xml",
            "INPUT_TESTRAIL_URL": url,
            "INPUT_TESTRAIL_USER": USER,
            "INPUT_TESTRAIL_API_KEY": KEY,
            "INPUT_TESTRAIL_PROJECT": "Shop",
            "INPUT_TESTRAIL_SUITE": "Backend",
            "INPUT_COMMENT": "off",
        }
    )
    return python("-m", "tmsaction")


def trcli(url: str, workspace: Path) -> list[str]:
    cache = workspace / ".trcli"
    cache.mkdir(exist_ok=True)
    stamp = {"last_check": datetime.datetime.now().isoformat(), "latest_version": "1.15.3"}
    (cache / "version_cache.json").write_text(json.dumps(stamp))
    os.environ["HOME"] = str(workspace)  # keeps trcli's update check offline
    return [str(TRCLI), "-y", "-h", url, "-u", USER, "-k", KEY, "--project", "Shop",
            "parse_junit", "-f", str(workspace / "report.xml"), "--suite-id", "1",
            "--case-matcher", "property", "--title", "Bench"]  # fmt: skip


COVERAGE = "version: 1\ncoverage:\n  gates:\n    - metric: automation\n      min: 0\n"


def one(
    tool: str,
    tests: int,
    latency: float,
    per_minute: int | None = None,
    *,
    coverage: bool = False,
) -> dict[str, object]:
    """Sync `tests` results with `tool` against a fresh emulator; requests and checks. With
    `coverage` the config asks for coverage figures, so the suite's cases are read."""
    from tmsaction.sandbox.server import SandboxServer

    world, ids = emulator(latency, per_minute)
    saved = dict(os.environ)
    with tempfile.TemporaryDirectory() as folder, SandboxServer(world) as server:  # type: ignore[arg-type]
        workspace = Path(folder)
        report(workspace / "report.xml", ids[:tests])
        if coverage:
            (workspace / ".github").mkdir()
            (workspace / ".github" / "tmsaction.yml").write_text(COVERAGE)
        argv = ours(server.url, workspace) if tool == "ours" else trcli(server.url, workspace)
        try:
            measured: Measurement = measure(f"{tool}, {tests:,} tests", argv)
        finally:
            os.environ.clear()
            os.environ.update(saved)
        runs = world.runs()  # type: ignore[attr-defined]
        assert len(runs) == 1, f"{tool}: {len(runs)} runs"
        results = world.results(runs[0]["id"])  # type: ignore[attr-defined]
        assert len(results) == tests, f"{tool}: {len(results)} of {tests} results"
        requests = list(world.requests)  # type: ignore[attr-defined]
        limit = world.rate_limit  # type: ignore[attr-defined]
    return {
        "row": measured,
        "requests": len(requests),
        "by_route": sorted({route for _, route in requests}),
        "throttled": limit.rejected if limit else 0,
    }


def median(trials: list[dict[str, object]]) -> dict[str, object]:
    """The trial with the median wall time."""
    ordered = sorted(trials, key=lambda t: t["row"].wall)  # type: ignore[attr-defined]
    return ordered[len(ordered) // 2]


def main() -> None:
    as_in_the_image()
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="2000,10000")
    parser.add_argument("--latency", type=float, default=0.02, help="seconds added per request")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each; the median is shown")
    parser.add_argument("--no-budget", action="store_true", help="skip the real-time budget check")
    options = parser.parse_args()
    print(
        f"TestRail sync vs trcli parse_junit: {options.latency * 1000:g} ms per request, "
        f"a {SUITE_CASES:,}-case suite, every test naming its case"
    )
    print(f"{'':<44} {'wall':>10} {'ratio':>6} {'peak':>11}   requests")
    for size in (int(s) for s in options.sizes.split(",")):
        # Alternate the tools, so that a busy moment on the machine does not favour either.
        trials = [
            (one("trcli", size, options.latency), one("ours", size, options.latency))
            for _ in range(options.repeat)
        ]
        baseline = median([trial[0] for trial in trials])
        mine = median([trial[1] for trial in trials])
        base_row: Measurement = baseline["row"]  # type: ignore[assignment]
        my_row: Measurement = mine["row"]  # type: ignore[assignment]
        ratio = int(mine["requests"]) / int(baseline["requests"])  # type: ignore[call-overload]
        spread = {
            tool: " ".join(f"{trial[i]['row'].wall:.2f}" for trial in trials)  # type: ignore[attr-defined]
            for i, tool in enumerate(("trcli", "ours"))
        }
        print(f"{base_row.row()}   {baseline['requests']:>5}   runs: {spread['trcli']}")
        print(
            f"{my_row.row(base_row)}   {mine['requests']:>5} ({ratio:.2f}x)   runs: {spread['ours']}"
        )
    if options.no_budget:
        return
    missed = False
    for coverage in (False, True):
        budget = one("ours", 10_000, 0.0, per_minute=180, coverage=coverage)
        row: Measurement = budget["row"]  # type: ignore[assignment]
        ok = int(budget["requests"]) <= 60 and not budget["throttled"]  # type: ignore[call-overload]
        missed = missed or not ok
        what = "with coverage figures (the 10,000 cases read)" if coverage else "ids only"
        print(
            f"budget, {what}: 10,000 results on existing cases under a 180/min limit: "
            f"{budget['requests']} requests (target <= 60), {budget['throttled']} x 429, "
            f"{row.wall:.1f} s: {'ok' if ok else 'MISSED'}"
        )
        print("  calls: " + ", ".join(budget["by_route"]))  # type: ignore[arg-type]
    if missed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
