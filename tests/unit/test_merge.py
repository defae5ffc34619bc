from __future__ import annotations

from tmsaction.model import Attempt, Outcome, TestDetail, TestResult
from tmsaction.reports.merge import ResultMerger


def result(
    outcome: Outcome, source: str, name: str = "t", message: str | None = None
) -> TestResult:
    detail = TestDetail(message=message) if message else None
    return TestResult(("s",), "C", name, outcome, 1.0, source, detail=detail)


def test_failed_then_passed_is_flaky_and_counted_once() -> None:
    merger = ResultMerger()
    merger.add(result(Outcome.FAILED, "run1.xml", message="boom"))
    merger.add(result(Outcome.PASSED, "rerun.xml"))
    (merged,) = merger.results()
    assert merged.outcome is Outcome.FLAKY
    assert [a.outcome for a in merged.attempts] == [Outcome.FAILED, Outcome.PASSED]
    assert [a.source for a in merged.attempts] == ["run1.xml", "rerun.xml"]
    assert merged.message == "boom"
    assert merged.duration == 2.0


def test_same_test_in_two_shards_is_not_double_counted() -> None:
    merger = ResultMerger()
    for source in ("shard1.xml", "shard2.xml"):
        merger.add(result(Outcome.PASSED, source))
        merger.add(result(Outcome.PASSED, source, name=f"only-in-{source}"))
    assert len(merger) == 3
    assert merger.merged == 1


def test_failures_only_keep_the_last_kind_and_skips_do_not_mask_passes() -> None:
    merger = ResultMerger()
    merger.add(result(Outcome.FAILED, "a"))
    merger.add(result(Outcome.ERROR, "b"))
    merger.add(result(Outcome.SKIPPED, "a", name="u"))
    merger.add(result(Outcome.PASSED, "b", name="u"))
    first, second = merger.results()
    assert first.outcome is Outcome.ERROR
    assert second.outcome is Outcome.PASSED


def test_single_attempt_is_synthesised_from_the_result() -> None:
    single = result(Outcome.FAILED, "a.xml", message="m")
    assert single.attempts == (Attempt(Outcome.FAILED, 1.0, "m", None, "a.xml"),)
