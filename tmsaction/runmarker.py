"""The marker line tmsaction writes into a TestRail run's description. Pure; no I/O.

It ties the run to one GitHub workflow run, which makes the TestRail sync idempotent (re-runs and
matrix shards find the run instead of creating another) and lets "what changed" find the previous
run of the same workflow on the base branch:

    tmsaction-run: repo=acme/shop run=1234 workflow=CI ref=refs/heads/main sha=0123abc

Values are percent-encoded, so spaces and `=` in workflow names cannot break the line. `repo` and
`run` come first and are followed by a space: the prefix `tmsaction-run: repo=<repo> run=<id> ` is a
substring search key that cannot match run 12345 when looking for run 1234.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

PREFIX = "tmsaction-run:"
_LINE = re.compile(r"^tmsaction-run:((?: [a-z_]+=\S*)+)\s*$", re.M)


@dataclass(frozen=True)
class RunMarker:
    repo: str
    run_id: str
    workflow: str = ""
    ref: str = ""
    sha: str = ""

    def line(self) -> str:
        parts = [
            ("repo", self.repo),
            ("run", self.run_id),
            ("workflow", self.workflow),
            ("ref", self.ref),
            ("sha", self.sha),
        ]
        return PREFIX + "".join(f" {key}={quote(value, safe='/')}" for key, value in parts) + " "

    def search_key(self) -> str:
        """Substring that identifies this workflow run's marker and no other."""
        return f"{PREFIX} repo={quote(self.repo, safe='/')} run={quote(self.run_id, safe='/')} "

    def same_workflow(self, other: RunMarker) -> bool:
        return (self.repo, self.workflow) == (other.repo, other.workflow)


def parse_marker(text: str | None) -> RunMarker | None:
    """The marker in a run description (the last one if several), or None."""
    if not text:
        return None
    found = _LINE.findall(text)
    if not found:
        return None
    values: dict[str, str] = {}
    for pair in found[-1].split():
        key, _, value = pair.partition("=")
        values[key] = unquote(value)
    if not values.get("repo") or not values.get("run"):
        return None
    return RunMarker(
        repo=values["repo"],
        run_id=values["run"],
        workflow=values.get("workflow", ""),
        ref=values.get("ref", ""),
        sha=values.get("sha", ""),
    )
