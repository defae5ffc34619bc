"""act's `--json` log -> the jobs, steps, outputs, summaries and annotations of one workflow run.

act (0.2.89) writes one JSON object per line: `jobID` and `matrix` name the job, `stepID` the step
(`stepid` for act's own set-up and completion steps), and a line carries one of: `command:
"set-output"` (`name`, `arg`), `command: "summary"` (`content`: what the step wrote to
GITHUB_STEP_SUMMARY), `command: "error" | "warning" | "notice"` (`arg`, `kvPairs`), `raw_output`
(a line the step printed), `stepResult` (with `stage`: Pre, Main, Post) or `jobResult`. Pure; no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

ANNOTATION_LEVELS = ("error", "warning", "notice")


@dataclass
class Annotation:
    level: str
    message: str
    properties: dict[str, str]


@dataclass
class Step:
    step_id: str
    name: str = ""
    result: str | None = None  # success, failure, skipped (the Main stage)
    outputs: dict[str, str] = field(default_factory=dict)
    summaries: list[str] = field(default_factory=list)
    printed: list[str] = field(default_factory=list)
    annotations: list[Annotation] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return "".join(self.summaries)


@dataclass
class Job:
    job_id: str
    name: str  # act's display name, e.g. "matrix/shard-2"
    matrix: dict[str, Any]
    result: str | None = None  # success or failure
    steps: dict[str, Step] = field(default_factory=dict)

    def step(self, step_id: str) -> Step:
        if step_id not in self.steps:
            raise AssertionError(f"job {self.name} has no step {step_id!r}: {sorted(self.steps)}")
        return self.steps[step_id]

    @property
    def printed(self) -> list[str]:
        return [line for step in self.steps.values() for line in step.printed]

    @property
    def annotations(self) -> list[Annotation]:
        return [a for step in self.steps.values() for a in step.annotations]


@dataclass
class ActRun:
    exit_code: int
    jobs: list[Job]
    log_text: str  # every line act wrote (stdout and stderr), for failure messages
    stderr: str = ""

    def job(self, job_id: str, **matrix: Any) -> Job:
        """The one job with this id (and matrix values); AssertionError lists what there is."""
        found = [
            j
            for j in self.jobs
            if j.job_id == job_id and all(j.matrix.get(k) == v for k, v in matrix.items())
        ]
        if len(found) != 1:
            names = [f"{j.job_id} {j.matrix}" for j in self.jobs]
            raise AssertionError(f"expected one job {job_id} {matrix}, found {len(found)}: {names}")
        return found[0]

    def matrix_jobs(self, job_id: str) -> list[Job]:
        return [j for j in self.jobs if j.job_id == job_id]

    def describe(self) -> str:
        """A compact account for assertion messages: jobs, results, and act's error lines."""
        lines = [f"act exited with {self.exit_code}"]
        for job in self.jobs:
            steps = ", ".join(f"{s.step_id}={s.result}" for s in job.steps.values())
            lines.append(f"  job {job.name}: {job.result} ({steps})")
        errors = [line for line in self.log_text.splitlines() if '"level":"error"' in line]
        lines += ["  " + line[:300] for line in errors[:10]]
        if self.stderr.strip():
            lines.append("  stderr: " + self.stderr.strip()[-1500:])
        return "\n".join(lines)


def _step_id(record: dict[str, Any]) -> str | None:
    ids = record.get("stepID") or record.get("stepid")
    return str(ids[0]) if isinstance(ids, list) and ids else None


def parse_log(lines: Iterable[str], exit_code: int = 0, stderr: str = "") -> ActRun:
    """Fold act's JSON lines into jobs and steps; lines that are not JSON are kept in log_text."""
    jobs: dict[str, Job] = {}
    text: list[str] = []
    for line in lines:
        text.append(line.rstrip("\n"))
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not isinstance(record, dict) or "jobID" not in record:
            continue
        name = str(record.get("job", record["jobID"])).strip()
        job = jobs.setdefault(
            name, Job(str(record["jobID"]), name, dict(record.get("matrix") or {}))
        )
        if "jobResult" in record:
            job.result = str(record["jobResult"])
        step_id = _step_id(record)
        if step_id is None:
            continue
        step = job.steps.setdefault(step_id, Step(step_id, str(record.get("step", ""))))
        command = record.get("command")
        if command == "set-output":
            step.outputs[str(record["name"])] = str(record.get("arg", ""))
        elif command == "summary":
            step.summaries.append(str(record.get("content", "")))
        elif command in ANNOTATION_LEVELS:
            properties = {str(k): str(v) for k, v in (record.get("kvPairs") or {}).items()}
            step.annotations.append(Annotation(command, str(record.get("arg", "")), properties))
        elif record.get("raw_output"):
            step.printed.append(str(record.get("msg", "")).rstrip("\n"))
        if "stepResult" in record and record.get("stage", "Main") == "Main":
            step.result = str(record["stepResult"])
    return ActRun(exit_code, list(jobs.values()), "\n".join(text), stderr)
