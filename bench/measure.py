"""Shared by the benchmarks: run a command in a child process, report wall time and peak memory.

Each measurement is its own process, so peak RSS (from `wait4`) belongs to that command alone, and
baselines are measured in the same run as the thing compared with them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Measurement:
    label: str
    wall: float  # seconds
    peak_mb: float  # peak resident set size of the child
    stdout: str

    def row(self, baseline: Measurement | None = None) -> str:
        ratio = f"{self.wall / baseline.wall:5.2f}x" if baseline and baseline.wall else "     "
        return f"{self.label:<44} {self.wall:8.2f} s {ratio} {self.peak_mb:8.1f} MB"


def measure(label: str, argv: list[str], env: dict[str, str] | None = None) -> Measurement:
    start = time.perf_counter()
    process = subprocess.Popen(
        argv, stdout=subprocess.PIPE, env={**os.environ, **(env or {})}, text=True
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{label}: {' '.join(argv)} exited with {process.returncode}")
    return Measurement(label, wall, usage.ru_maxrss / 1024, output)


def python(*args: str) -> list[str]:
    return [sys.executable, *args]


def as_in_the_image() -> None:
    """tmsaction byte-compiled and its summary templates compiled, as the Dockerfile does (into
    gitignored folders of the checkout), so that runs of `python -m tmsaction` here cost what they
    cost in the image: an editable install has no .pyc, and with PYTHONDONTWRITEBYTECODE set (as
    on the build machine) every run would compile every module again."""
    import compileall

    import tmsaction
    from tmsaction.render.compiled import compile_builtin

    compileall.compile_dir(Path(tmsaction.__file__).parent, quiet=1)
    compile_builtin()
