"""Reading act's --json log: jobs (matrix too), step results, outputs, summary, annotations."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.docker.actlog import parse_log


def line(
    job: str, matrix: dict[str, Any] | None = None, step: str | None = None, **fields: Any
) -> str:
    record: dict[str, Any] = {
        "job": job,
        "jobID": job.rsplit("/", maxsplit=1)[-1].split("-", maxsplit=1)[0],
        "level": "info",
    }
    record["matrix"] = matrix or {}
    if step is not None:
        record["stepID"] = [step]
        record["stage"] = "Main"
    record.update(fields)
    record.setdefault("msg", "")
    return json.dumps(record)


LOG = [
    '{"level":"info","msg":"Using docker host \'unix:///tmp/x/docker.sock\'"}',
    line("ci/report", msg="⭐ Run Set up job", stepid=["--setup-job"], step_name="Set up job"),
    line("ci/report", step="tms", command="set-output", name="total", arg="12"),
    line("ci/report", step="tms", command="set-output", name="run_url", arg=""),
    line("ci/report", step="tms", command="summary", content="## Test results\n\n**12 tests**\n"),
    line(
        "ci/report",
        step="tms",
        command="error",
        arg="2 tests failed (fail_on: test-failures)",
        kvPairs={"title": "tmsaction failed the step"},
        level="error",
    ),
    line("ci/report", step="tms", stepResult="failure", msg="  ❌  Failure - Main ./"),
    line("ci/report", step="2", raw_output=True, msg="after outcome=failure\n"),
    line("ci/report", step="2", stepResult="success"),
    line("ci/report", jobResult="failure", msg="🏁  Job failed"),
    line("ci/shard-1", {"shard": 1}, step="tms", command="set-output", name="total", arg="5"),
    line("ci/shard-1", {"shard": 1}, jobResult="success"),
    line("ci/shard-2", {"shard": 2}, step="tms", command="set-output", name="total", arg="3"),
    line("ci/shard-2", {"shard": 2}, jobResult="success"),
    "Error: Job 'report' failed",
]


def test_steps_carry_outputs_summary_annotations_printed_lines_and_results() -> None:
    run = parse_log(LOG, exit_code=1)
    job = run.job("report")
    assert job.result == "failure"
    tms = job.step("tms")
    assert tms.outputs == {"total": "12", "run_url": ""}
    assert tms.summary == "## Test results\n\n**12 tests**\n"
    assert [(a.level, a.message, a.properties) for a in tms.annotations] == [
        ("error", "2 tests failed (fail_on: test-failures)", {"title": "tmsaction failed the step"})
    ]
    assert tms.result == "failure"
    assert job.step("2").result == "success"
    assert job.printed == ["after outcome=failure"]
    assert "Error: Job 'report' failed" in run.log_text


def test_matrix_jobs_are_told_apart_by_their_matrix_values() -> None:
    run = parse_log(LOG)
    assert [j.matrix for j in run.matrix_jobs("shard")] == [{"shard": 1}, {"shard": 2}]
    assert run.job("shard", shard=2).step("tms").outputs == {"total": "3"}
    with pytest.raises(AssertionError, match="expected one job shard"):
        run.job("shard")


def test_a_missing_step_or_job_says_what_there_is() -> None:
    run = parse_log(LOG)
    with pytest.raises(AssertionError, match=r"has no step 'nope': \['--setup-job', '2', 'tms'\]"):
        run.job("report").step("nope")
    with pytest.raises(AssertionError, match="found 0"):
        run.job("deploy")
    assert "job ci/report: failure" in run.describe()
