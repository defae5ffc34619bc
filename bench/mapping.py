"""Name matching at scale: 100,000 tests against 100,000 TestRail cases, and the memory the mapping
adds to a million-test dry run. Each figure is measured in its own process, beside a baseline
measured in the same run.

    .venv/bin/python bench/mapping.py                # the figures for README "Performance"
    .venv/bin/python bench/mapping.py --tests 20000  # smaller, quicker

1. Matching: `map_results` over the tests against a snapshot of the cases (building the name index
   and reading every mapping), versus the floor for any dict-based matcher: a plain dict of the
   same 100,000 normalised (section, title) keys and one lookup per test.
2. Memory: a million test results held in memory, then the same plus the whole mapping step
   without TestRail (mappings, coverage, gates, plan), as a dry run does.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from measure import Measurement, measure, python

SECTIONS = 1_000


def _results(count: int) -> list[object]:
    from tmsaction.model import Outcome, TestResult

    classes = [f"com.acme.shop.pkg{i % 50}.Section{i}Test" for i in range(SECTIONS)]
    suites = [(c,) for c in classes]
    return [
        TestResult(
            suite=suites[i % SECTIONS],
            classname=classes[i % SECTIONS],
            name=f"checks  case title number {i}",
            outcome=Outcome.FAILED if i % 97 == 0 else Outcome.PASSED,
            duration=0.01,
            source="build/test-results/TEST-shop.xml",
        )
        for i in range(count)
    ]


def _catalog(count: int) -> object:
    from tmsaction.catalog import Case, CaseCatalog, Section, SuiteCatalog

    sections = tuple(Section(i + 1, 1, f"Section{i}") for i in range(SECTIONS))
    cases = tuple(
        Case(100_000 + i, f"Checks case title number {i}", (i % SECTIONS) + 1, 1)
        for i in range(count)
    )
    return CaseCatalog((SuiteCatalog(1, "Shop", 1, "Backend", sections, cases),))


def child_matching(tests: int, cases: int) -> None:
    from tmsaction.config.load import parse_config
    from tmsaction.mapping.mapper import map_results

    results = _results(tests)
    catalog = _catalog(cases)
    config = parse_config(
        "version: 1\ntestrail:\n  match: [name]\n  names: {section: class, strip_suffix: [Test]}\n",
        "bench",
    )
    start, cpu = time.perf_counter(), time.process_time()
    run = map_results(results, config, catalog=catalog, default_project="Shop")  # type: ignore[arg-type]
    matched = sum(1 for mapping in run.mappings if mapping.cases)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert matched == min(tests, cases), (matched, run.notes[:3])
    print(f"{elapsed:.3f} {cpu:.3f} {matched}")


def child_baseline(tests: int, cases: int) -> None:
    from tmsaction.catalog import CaseCatalog
    from tmsaction.model import TestResult

    results: list[TestResult] = _results(tests)  # type: ignore[assignment]
    catalog: CaseCatalog = _catalog(cases)  # type: ignore[assignment]
    suite = catalog.suites[0]
    names = {s.id: s.name for s in suite.sections}
    start, cpu = time.perf_counter(), time.process_time()
    index = {(names[c.section_id].casefold(), c.title.casefold()): c.id for c in suite.cases}
    matched = 0
    for result in results:
        section = result.classname.rsplit(".", 1)[-1].removesuffix("Test").casefold()
        if (section, " ".join(result.name.split()).casefold()) in index:
            matched += 1
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert matched == min(tests, cases), matched
    print(f"{elapsed:.3f} {cpu:.3f} {matched}")


def child_memory(tests: int, with_mapping: bool) -> None:
    from tmsaction.config.load import default_config
    from tmsaction.model import TestResult, Totals
    from tmsaction.plan.build import plan_mapping

    results: list[TestResult] = _results(tests)  # type: ignore[assignment]
    start, cpu = time.perf_counter(), time.process_time()
    if with_mapping:
        planned = plan_mapping(results, Totals.of(results), default_config())
        assert planned.plan.mapping.tests == tests
    print(f"{time.perf_counter() - start:.3f} {time.process_time() - cpu:.3f} {tests}")


def _phase(measurement: Measurement) -> tuple[float, float]:
    """(wall, CPU) seconds of the measured step, as the child printed them."""
    wall, cpu = measurement.stdout.split()[:2]
    return float(wall), float(cpu)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tests", type=int, default=100_000)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--dry-run-tests", type=int, default=1_000_000)
    parser.add_argument("--child", choices=("matching", "baseline", "results", "dry-run"))
    options = parser.parse_args(argv)
    if options.child == "matching":
        child_matching(options.tests, options.cases)
        return 0
    if options.child == "baseline":
        child_baseline(options.tests, options.cases)
        return 0
    if options.child in ("results", "dry-run"):
        child_memory(options.dry_run_tests, options.child == "dry-run")
        return 0

    script = str(Path(__file__).resolve())
    sizes = ["--tests", str(options.tests), "--cases", str(options.cases)]
    print(f"Name matching: {options.tests:,} tests against {options.cases:,} cases")
    baseline = measure(
        "baseline: plain dict of the keys", python(script, "--child", "baseline", *sizes)
    )
    mapping = measure("tmsaction map_results (name)", python(script, "--child", "matching", *sizes))
    print(f"{'':<44} {'process':>10} {'':6} {'peak RSS':>11}   matching step: wall, CPU")
    base_wall, base_cpu = _phase(baseline)
    wall, cpu = _phase(mapping)
    print(baseline.row() + f"   {base_wall:6.3f} s, {base_cpu:6.3f} s")
    print(mapping.row(baseline) + f"   {wall:6.3f} s, {cpu:6.3f} s ({cpu / base_cpu:.1f}x CPU)")

    count = ["--dry-run-tests", str(options.dry_run_tests)]
    print(f"\nMemory of a {options.dry_run_tests:,}-test dry run (no TestRail)")
    held = measure("baseline: the test results alone", python(script, "--child", "results", *count))
    dry = measure(
        "results + mapping, coverage, gates, plan", python(script, "--child", "dry-run", *count)
    )
    print(held.row())
    wall, cpu = _phase(dry)
    extra = dry.peak_mb - held.peak_mb
    print(dry.row(held) + f"   mapping step {wall:.2f} s ({cpu:.2f} s CPU), +{extra:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
