"""A private dockerd for `make test-docker`, and the cleanup that always follows it.

Everything the daemon owns lives in one run directory: socket, data-root, exec-root, pidfile, log,
and `state.json` (the host state before the start, see hoststate.py). Two network modes:
- `host` (default): no bridge, no iptables, no ip_forward: the daemon changes nothing on a shared
  machine's network; every build and container uses the host network (act's default too).
- `bridge`: stock networking (docker0, NAT rules, ip_forward), closest to a GitHub runner; lets act
  build the action image itself. Refused when a docker0 already exists (another daemon's).

`cleanup(run_dir)` is idempotent and safe to run twice (the driver's `finally` and the shell
trap): remove containers, stop the daemon by its pid, end our containerd and shims by pid, unmount
what is under the run directory, undo new host state, check, and report.

    python -m scripts.docker.daemon cleanup RUN_DIR   # what test-docker.sh's trap runs
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from scripts.docker import hoststate
from scripts.docker.shell import CommandFailed, quiet, tail

NetworkMode = Literal["host", "bridge"]
NETWORK_MODES: tuple[NetworkMode, ...] = ("host", "bridge")
#: Programs a dockerd starts; only these (with our run directory in their command line) and
#: their descendants (container processes) are ever signalled by `cleanup`.
DAEMON_PROGRAMS = frozenset(
    {"dockerd", "containerd", "containerd-shim", "containerd-shim-runc-v2", "docker-proxy", "runc"}
)
START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0


class DaemonError(Exception):
    """The daemon would not start, or the host is not fit for it; the message says how to fix it."""


@dataclass(frozen=True)
class Layout:
    """Paths of one private daemon, all under `run_dir`."""

    run_dir: Path

    @property
    def socket(self) -> Path:
        return self.run_dir / "docker.sock"

    @property
    def data_root(self) -> Path:
        return self.run_dir / "data"

    @property
    def exec_root(self) -> Path:
        return self.run_dir / "exec"

    @property
    def pidfile(self) -> Path:
        return self.run_dir / "docker.pid"

    @property
    def log(self) -> Path:
        return self.run_dir / "dockerd.log"

    @property
    def state_file(self) -> Path:
        return self.run_dir / "state.json"

    @property
    def client_config(self) -> Path:
        return self.run_dir / "client-config"

    @property
    def host(self) -> str:
        return f"unix://{self.socket}"

    @property
    def cgroup_parent(self) -> str:
        """A cgroup name of our own, so cleanup removes exactly the cgroups this run created."""
        return "".join(c if c.isalnum() else "-" for c in self.run_dir.name)

    def client_env(self) -> dict[str, str]:
        """Variables for docker CLI and act: our socket, a private client config, legacy builder
        (Debian 12's docker.io has no buildx, which BuildKit needs)."""
        return {
            "DOCKER_HOST": self.host,
            "DOCKER_CONFIG": str(self.client_config),
            "DOCKER_BUILDKIT": "0",
        }


def dockerd_argv(layout: Layout, network: NetworkMode) -> list[str]:
    """The daemon's command line. Pure."""
    argv = [
        "dockerd",
        f"--host={layout.host}",
        f"--data-root={layout.data_root}",
        f"--exec-root={layout.exec_root}",
        f"--pidfile={layout.pidfile}",
        f"--cgroup-parent={layout.cgroup_parent}",
        "--storage-driver=overlay2",
        "--shutdown-timeout=5",
    ]
    if network == "host":
        argv += ["--bridge=none", "--iptables=false", "--ip-forward=false", "--ip-masq=false"]
    return argv


@dataclass
class CleanupReport:
    done: list[str] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.leftovers


def _ping(layout: Layout) -> bool:
    """True when the daemon answers `GET /_ping` on its socket."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.settimeout(2)
        try:
            client.connect(str(layout.socket))
            client.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
            status_line = client.recv(64).split(b"\r\n", 1)[0]
        except OSError:
            return False
    return b" 200 " in status_line + b" "


def start(layout: Layout, network: NetworkMode) -> int:
    """Start the daemon and wait until it answers; returns its pid. `state.json` is written before
    anything starts, so the cleanup knows what to restore whatever happens next."""
    if shutil.which("dockerd") is None:
        raise DaemonError("dockerd is not installed; apt-get install docker.io (the driver does)")
    before = hoststate.snapshot(layout.cgroup_parent)
    if network == "bridge" and "docker0" in before.links:
        raise DaemonError(
            "a docker0 bridge already exists (another Docker daemon runs on this machine); "
            "use TMS_DOCKER_NETWORK=host, which needs no bridge"
        )
    layout.run_dir.mkdir(parents=True, exist_ok=True)
    layout.client_config.mkdir(exist_ok=True)
    state: dict[str, Any] = {"network": network, "before": before.to_json(), "pid": None}
    layout.state_file.write_text(json.dumps(state), encoding="utf-8")
    with layout.log.open("ab") as log:
        process = subprocess.Popen(
            dockerd_argv(layout, network),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C reaches only the driver, which stops the daemon in order
        )
    state["pid"] = process.pid
    layout.state_file.write_text(json.dumps(state), encoding="utf-8")
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise DaemonError(
                f"dockerd exited with {process.returncode} while starting; its log "
                f"({layout.log}) ends with:\n{tail(layout.log.read_text(errors='replace'))}"
            )
        if layout.socket.exists() and _ping(layout):
            return process.pid
        time.sleep(0.2)
    raise DaemonError(f"dockerd did not answer within {START_TIMEOUT:.0f} s; see {layout.log}")


# -- cleanup ------------------------------------------------------------------------------------


def _cmdline(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace")


def _parent_of(pid: int) -> int:
    try:
        stat_text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    # The command name (field 2) may contain spaces and parentheses: parse after the last ")".
    return int(stat_text.rsplit(")", 1)[1].split()[1])


def _all_pids() -> list[int]:
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]


def our_processes(run_dir: Path) -> list[int]:
    """Daemon programs whose command line names our run directory, plus all their descendants."""
    me = os.getpid()
    roots = set()
    for pid in _all_pids():
        command = _cmdline(pid)
        program = Path(command.split(" ", 1)[0]).name if command else ""
        if pid != me and program in DAEMON_PROGRAMS and str(run_dir) in command:
            roots.add(pid)
    parents = {pid: _parent_of(pid) for pid in _all_pids()}
    found = set(roots)
    changed = True
    while changed:
        changed = False
        for pid, parent in parents.items():
            if parent in found and pid not in found and pid != me:
                found.add(pid)
                changed = True
    return sorted(found)


def mounts_under(run_dir: Path) -> list[str]:
    """Mount points at or below `run_dir`, deepest first (as /proc/self/mountinfo escapes them)."""
    prefix = str(run_dir)
    points = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        point = line.split()[4].encode().decode("unicode_escape")
        if point == prefix or point.startswith(prefix + "/"):
            points.append(point)
    return sorted(set(points), key=lambda p: p.count("/"), reverse=True)


def _signal_and_wait(pids: list[int], timeout: float) -> list[int]:
    """SIGTERM, wait, then SIGKILL what is left; returns the pids that survived even that."""
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + wait
        while pids and time.monotonic() < deadline:
            pids = [pid for pid in pids if _alive(pid)]
            time.sleep(0.1)
        if not pids:
            return []
    return pids


def _alive(pid: int) -> bool:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reap our own child (dockerd), else it lingers as a zombie
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _remove_containers(layout: Layout) -> list[str]:
    """Remove every container first, so the daemon stops at once instead of waiting on them."""
    if not layout.socket.exists() or not _ping(layout):
        return []
    env = {**os.environ, **layout.client_env()}
    ids = quiet(["docker", "ps", "--all", "--quiet"], env=env).split()
    if ids:
        quiet(["docker", "rm", "--force", "--volumes", *ids], env=env)
    return [f"removed {len(ids)} containers"] if ids else []


def _status(leftovers: list[str], *prefixes: str) -> str:
    return "CHANGED" if any(line.startswith(prefixes) for line in leftovers) else "as before"


def cleanup(run_dir: Path, *, keep_logs: bool = False) -> CleanupReport:
    """Stop and remove everything `start` made, undo new host state, and check that nothing is
    left; then delete the run directory (all but the logs with `keep_logs`). Safe to call when
    nothing was started, and twice."""
    report = CleanupReport()
    layout = Layout(run_dir)
    if not layout.state_file.exists():
        report.checked.append(f"{run_dir}: no daemon was started")
        return report
    state = json.loads(layout.state_file.read_text(encoding="utf-8"))
    before = hoststate.HostState.from_json(state["before"])

    report.done += _remove_containers(layout)
    pid = state.get("pid")
    if pid and str(run_dir) in _cmdline(pid):  # never signal a recycled pid
        survivors = _signal_and_wait([pid], STOP_TIMEOUT)
        report.done.append(f"stopped dockerd (pid {pid})" if not survivors else "dockerd survived")
    stragglers = our_processes(run_dir)
    if stragglers:
        _signal_and_wait(stragglers, 5.0)
        report.done.append(f"ended {len(stragglers)} leftover daemon processes")
    for point in mounts_under(run_dir):
        try:
            subprocess.run(["umount", point], check=True, capture_output=True)
        except subprocess.CalledProcessError:
            subprocess.run(["umount", "--lazy", point], check=False, capture_output=True)
        report.done.append(f"unmounted {point}")
    report.done += hoststate.restore(before, layout.cgroup_parent)

    processes = our_processes(run_dir)
    mounts = mounts_under(run_dir)
    after = hoststate.snapshot(layout.cgroup_parent)
    host = hoststate.leftovers(before, after)
    tables = hoststate.new_tables(before, after)
    note = (
        f" (empty tables {', '.join(tables)} remain: no rules, policies ACCEPT)" if tables else ""
    )
    report.leftovers = (
        [f"process {p}: {_cmdline(p)[:120]}" for p in processes]
        + [f"mount {m}" for m in mounts]
        + host
    )
    sysctls = ", ".join(f"{name}={value}" for name, value in before.sysctls)
    report.checked = [
        f"daemon processes (dockerd, containerd, shims, containers): {len(processes) or 'none'}",
        f"mounts under the run directory: {len(mounts) or 'none'}",
        "docker0/br-*/veth links: " + _status(host, "network link"),
        "DOCKER iptables chains and rules, policies (v4, v6): "
        + _status(host, "iptables", "ip6tables")
        + note,
        f"sysctls ({sysctls}): " + _status(host, "sysctl"),
        f"/run/docker, /run/containerd, cgroup {layout.cgroup_parent}: "
        + _status(host, "directory"),
    ]
    if report.clean:
        # Done: a second call (the shell trap's) must find nothing to do and keep the logs.
        layout.state_file.rename(layout.state_file.with_suffix(".cleaned"))
        if keep_logs:
            for bulky in (layout.data_root, layout.exec_root, layout.client_config):
                shutil.rmtree(bulky, ignore_errors=True)
        else:
            shutil.rmtree(run_dir, ignore_errors=True)
            report.done.append(f"removed {run_dir}")
    return report


def print_report(report: CleanupReport) -> None:
    print("== leftover check (after the private daemon)")
    for line in report.checked:
        print(f"   {line}")
    if report.leftovers:
        print("   LEFT BEHIND:")
        for line in report.leftovers:
            print(f"     - {line}")
    else:
        print("   result: clean (no daemon, bridge, iptables rule, mount or cgroup left behind)")


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "cleanup":
        print("usage: python -m scripts.docker.daemon cleanup RUN_DIR", file=sys.stderr)
        return 2
    run_dir = Path(argv[1]).resolve()
    if not Layout(run_dir).state_file.exists():
        return 0  # nothing started, or the driver already cleaned up
    try:
        report = cleanup(run_dir)
    except (OSError, CommandFailed) as error:
        print(f"cleanup of {run_dir} failed: {error}", file=sys.stderr)
        return 1
    print_report(report)
    return 0 if report.clean else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
