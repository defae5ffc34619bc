"""JSON parse benchmark: a `go test -json` stream and a Jest JSON report, read by tmsaction.

    .venv/bin/python bench/json_parse.py                 # the figures in README "Performance"
    .venv/bin/python bench/json_parse.py --tests 20000   # a quicker run while iterating

For each report it measures, each in its own child process (wall time and peak RSS):
- baseline: the bare minimum with the standard library (`json.loads` per line and a count of the
  `pass`/`fail`/`skip` events; `json.load` of the document and a count of the statuses);
- ours: `read_reports` (detection, decoding, the reader, merge by identity).
The go stream is read line by line, so its memory should be the results, not the file; the Jest
document is loaded whole (as the format requires), so its baseline already holds it.
The reports are generated into a temporary directory and removed afterwards.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import Measurement, measure, python

STACK = "\n".join(
    f"    at Object.<anonymous> (src/module/file{i}.test.js:{i}:7)" for i in range(10)
)


def generate_gotest(path: Path, tests: int, seed: int = 7) -> None:
    """A `go test -json` stream: packages of 100 tests, 1% failing with output, 1% skipped."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for start in range(0, tests, 100):
            package = f"example.com/shop/module{start // 100}"
            for number in range(start, min(start + 100, tests)):
                test = f"TestCase{number}DoesSomethingUseful"
                base = {"Time": "2026-11-20T09:14:02.118Z", "Package": package, "Test": test}
                out.write(json.dumps(base | {"Action": "run"}) + "\n")
                out.write(
                    json.dumps(base | {"Action": "output", "Output": f"=== RUN   {test}\n"}) + "\n"
                )
                roll = rng.random()
                action = "fail" if roll < 0.01 else "skip" if roll < 0.02 else "pass"
                if action == "fail":
                    for line in range(5):
                        text = f"    case_test.go:{line + 10}: expected 3, got 4\n"
                        out.write(json.dumps(base | {"Action": "output", "Output": text}) + "\n")
                out.write(
                    json.dumps(
                        base | {"Action": "output", "Output": f"--- {action.upper()}: {test}\n"}
                    )
                    + "\n"
                )
                out.write(json.dumps(base | {"Action": action, "Elapsed": 0.01}) + "\n")
            out.write(json.dumps({"Action": "pass", "Package": package, "Elapsed": 1.0}) + "\n")


def generate_jest(path: Path, tests: int, seed: int = 7) -> None:
    """A `jest --json` report: files of 50 tests in two describe levels, 1% failing, 1% skipped."""
    rng = random.Random(seed)
    files = []
    for start in range(0, tests, 50):
        assertions = []
        for number in range(start, min(start + 50, tests)):
            roll = rng.random()
            status = "failed" if roll < 0.01 else "pending" if roll < 0.02 else "passed"
            assertions.append(
                {
                    "ancestorTitles": [f"Module {start // 50}", "feature"],
                    "duration": 3,
                    "failureMessages": [f"Error: expected 3, got 4\n{STACK}"]
                    if status == "failed"
                    else [],
                    "fullName": f"Module {start // 50} feature case {number}",
                    "invocations": 1,
                    "location": {"column": 3, "line": number % 400 + 1},
                    "retryReasons": [],
                    "status": status,
                    "title": f"case {number} does something useful",
                }
            )
        files.append(
            {
                "assertionResults": assertions,
                "message": "",
                "name": f"/home/runner/work/shop/shop/src/module{start // 50}.test.js",
                "status": "passed",
            }
        )
    path.write_text(json.dumps({"numTotalTests": tests, "testResults": files}), encoding="utf-8")


def baseline_gotest(path: str) -> None:
    counts: Counter[str] = Counter()
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            event = json.loads(line)
            if event.get("Test") and event["Action"] in ("pass", "fail", "skip"):
                counts[event["Action"]] += 1
    print(sum(counts.values()))


def baseline_jest(path: str) -> None:
    with open(path, encoding="utf-8") as document:
        report = json.load(document)
    counts = Counter(a["status"] for f in report["testResults"] for a in f["assertionResults"])
    print(sum(counts.values()))


def ours(path: str) -> None:
    from tmsaction.reports.collect import read_reports

    report = read_reports(Path(path).parent, [Path(path).name])
    assert not report.problems, report.problems
    print(report.totals.total)


CHILDREN = {"baseline-gotest": baseline_gotest, "baseline-jest": baseline_jest, "ours": ours}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--tests", type=int, default=200_000)
    parser.add_argument("--child", choices=sorted(CHILDREN))
    parser.add_argument("path", nargs="?")
    args = parser.parse_args()
    if args.child:
        CHILDREN[args.child](args.path)
        return
    work = Path(tempfile.mkdtemp(prefix="tmsaction-bench-json-"))
    try:
        script = str(Path(__file__).resolve())
        for kind, generate in (("gotest", generate_gotest), ("jest", generate_jest)):
            path = work / kind / f"{kind}.json"
            path.parent.mkdir()
            generate(path, args.tests)
            size = path.stat().st_size / 1e6
            print(f"\n{kind}: {args.tests:,} tests, {size:,.0f} MB")
            base = measure(
                f"baseline ({kind})", python(script, "--child", f"baseline-{kind}", str(path))
            )
            mine = measure("tmsaction read_reports", python(script, "--child", "ours", str(path)))
            counts = {m.label: m.stdout.strip() for m in (base, mine)}
            assert len(set(counts.values())) == 1, f"the two disagree on the test count: {counts}"
            rows: list[Measurement] = [base, mine]
            print(base.row())
            for row in rows[1:]:
                print(row.row(base))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
