"""The project image, built from the repository's unchanged Dockerfile, and its measurements: size
(beside the base image's, so the action's own share shows) and container start time beside a
baseline measured in the same run (`python -c pass` in the same base, same `docker run` path)."""

from __future__ import annotations

import shutil
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from scripts.docker.dockercli import DockerCli
from scripts.docker.standin import PYTHON_TAG

IMAGE_TAG = "tmsaction:test"
#: The tag act gives the image of a local `uses: ./` Docker action (pkg/runner/action.go: "act-" +
#: the sanitised action path + "-dockeraction:latest", which for "./" is this).
ACT_LOCAL_TAG = "act-dockeraction:latest"
START_RUNS = 7
DRY_RUNS = 3


@dataclass(frozen=True)
class Timing:
    command: str
    seconds: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


@dataclass(frozen=True)
class Measurements:
    image_bytes: int
    base_bytes: int
    start: Timing
    baseline: Timing
    dry_run: Timing

    def lines(self) -> list[str]:
        mb = 1_000_000
        ratio = self.start.median / self.baseline.median if self.baseline.median else 0.0
        return [
            f"image {IMAGE_TAG}: {self.image_bytes / mb:.1f} MB (base {PYTHON_TAG} stand-in "
            f"{self.base_bytes / mb:.1f} MB; the action adds "
            f"{(self.image_bytes - self.base_bytes) / mb:.1f} MB)",
            f"container start, median of {len(self.start.seconds)}: {self.start.median:.2f} s "
            f"for `{self.start.command}`",
            f"   baseline, median of {len(self.baseline.seconds)}: {self.baseline.median:.2f} s "
            f"for `{self.baseline.command}` (start = {ratio:.2f}x baseline)",
            f"dry run over examples/reports in the container, median of "
            f"{len(self.dry_run.seconds)}: {self.dry_run.median:.2f} s",
        ]


def build(docker: DockerCli, repo: Path) -> None:
    """`docker build` of the repository as a runner does it for `image: Dockerfile`."""
    docker.build(repo, IMAGE_TAG)


def _time(docker: DockerCli, args: list[str], runs: int) -> Timing:
    docker(*args)  # warm-up: page cache and the daemon's first container of this image
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        docker(*args)
        seconds.append(time.perf_counter() - started)
    return Timing("docker " + " ".join(args), tuple(seconds))


def measure(docker: DockerCli, repo: Path, work: Path) -> Measurements:
    workspace = work / "measure-workspace"
    shutil.copytree(repo / "examples" / "reports", workspace / "reports")
    dry_run = [
        "run", "--rm", "--network", "none",
        "--volume", f"{workspace}:/github/workspace", "--workdir", "/github/workspace",
        "--env", "GITHUB_WORKSPACE=/github/workspace",
        IMAGE_TAG, "--reports", "reports/**/*.xml", "--dry-run",
    ]  # fmt: skip
    return Measurements(
        image_bytes=docker.image_bytes(IMAGE_TAG),
        base_bytes=docker.image_bytes(PYTHON_TAG),
        start=_time(docker, ["run", "--rm", "--network", "none", IMAGE_TAG, "--help"], START_RUNS),
        baseline=_time(
            docker,
            [
                "run",
                "--rm",
                "--network",
                "none",
                "--entrypoint",
                "python",
                PYTHON_TAG,
                "-c",
                "pass",
            ],
            START_RUNS,
        ),
        dry_run=_time(docker, dry_run, DRY_RUNS),
    )
