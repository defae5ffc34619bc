"""Quality gates (`coverage.gates`): each metric against its limit, with one sentence for the
summary; `fail_on: quality-gates` fails the step when any gate failed. Pure; no I/O.

A gate whose metric cannot be computed (regression automation without TestRail, a pass rate when
nothing ran) is "not evaluated": reported, never failing the step, because a dry run without
credentials must not fail for want of data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tmsaction.config.model import Gate, GateMetric
from tmsaction.coverage import Coverage, percent
from tmsaction.model import Totals

GateStatus = Literal["passed", "failed", "not evaluated"]


@dataclass(frozen=True)
class GateResult:
    gate: Gate
    status: GateStatus
    value: float | None
    sentence: str

    @property
    def failed(self) -> bool:
        return self.status == "failed"


def _show(value: float, is_percent: bool) -> str:
    return f"{value:.1f}%" if is_percent else f"{value:g}"


def _measure(
    gate: Gate, coverage: Coverage | None, totals: Totals, unmatched: int
) -> tuple[float | None, str, str]:
    """(value, what is missing when None, detail appended to the sentence)."""
    metric = gate.metric
    if metric is GateMetric.REGRESSION_AUTOMATION:
        value = coverage.regression_percent if coverage else None
        return value, "TestRail was not read (the regression suite is defined there)", ""
    if metric is GateMetric.AUTOMATION:
        if coverage is None or coverage.source != "testrail":
            return None, "TestRail was not read", ""
        if gate.filter is not None:
            cases, automated = coverage.filters.get(gate.filter, (0, 0))
            value = percent(automated, cases)
            return value, f"no case matches the filter '{gate.filter}'", ""
        return coverage.automation_percent, "TestRail holds no cases in scope", ""
    if metric is GateMetric.PASS_RATE:
        executed = totals.total - totals.skipped
        return percent(totals.passed + totals.flaky, executed), "no test ran", ""
    if metric is GateMetric.FAILED_TESTS:
        return float(totals.failed), "", ""
    if metric is GateMetric.FLAKY_TESTS:
        return float(totals.flaky), "", ""
    if metric is GateMetric.UNMATCHED_TESTS:
        return float(unmatched), "", ""
    failing = coverage.failing_stories if coverage else ()
    shown = ", ".join(story.key for story in failing[:10])
    more = f" and {len(failing) - 10} more" if len(failing) > 10 else ""
    return float(len(failing)), "", f" ({shown}{more})" if failing else ""


def evaluate_gate(
    gate: Gate, coverage: Coverage | None, totals: Totals, unmatched: int
) -> GateResult:
    value, missing, detail = _measure(gate, coverage, totals, unmatched)
    is_percent = gate.metric.is_percent
    if value is None:
        return GateResult(gate, "not evaluated", None, f"{gate.name} was not evaluated: {missing}.")
    shown = _show(value, is_percent)
    if gate.minimum is not None:
        limit = _show(gate.minimum, is_percent)
        if value < gate.minimum:
            return GateResult(
                gate,
                "failed",
                value,
                f"{gate.name} is {shown}{detail}, below the minimum of {limit}.",
            )
        return GateResult(
            gate, "passed", value, f"{gate.name} is {shown}{detail} (minimum {limit})."
        )
    assert gate.maximum is not None
    limit = _show(gate.maximum, is_percent)
    if value > gate.maximum:
        return GateResult(
            gate, "failed", value, f"{gate.name} is {shown}{detail}, above the maximum of {limit}."
        )
    return GateResult(gate, "passed", value, f"{gate.name} is {shown}{detail} (maximum {limit}).")


def evaluate_gates(
    gates: tuple[Gate, ...], coverage: Coverage | None, totals: Totals, unmatched: int
) -> tuple[GateResult, ...]:
    """Every configured gate, in config order."""
    return tuple(evaluate_gate(gate, coverage, totals, unmatched) for gate in gates)
