"""What a Docker daemon can change on the host outside its own run directory, and the check that a
run left the host as it found it.

A stock dockerd adds a `docker0` bridge, DOCKER* iptables chains with jumps to them from the
built-in chains, sets FORWARD's policy to DROP and turns on net.ipv4.ip_forward; any dockerd also
creates /run/docker, containerd's shim socket directory /run/containerd/s, and a parent cgroup in
every cgroup hierarchy. `snapshot` records all of that before the daemon starts, `undo_plan` lists
the commands that remove only what is new, and `leftovers` says what still differs. The functions
that take `HostState` values are pure; `snapshot` and `restore` touch the host.
"""

from __future__ import annotations

import os
import re
import shlex
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.docker.shell import CommandFailed, quiet, run

#: Links a dockerd creates: its bridge, user-defined network bridges, container veth ends.
DOCKER_LINK = re.compile(r"^(docker\d+|br-[0-9a-f]{12}|veth[0-9a-f]{7})$")
#: The iptables tables a dockerd changes, for IPv4 and IPv6.
TABLES = ("filter", "nat")
FAMILIES = ("iptables", "ip6tables")
SYSCTLS = (
    "net.ipv4.ip_forward",
    "net.ipv6.conf.all.forwarding",
    "net.bridge.bridge-nf-call-iptables",
)
#: Directories dockerd and containerd create under /run whatever their --exec-root says.
RUN_DIRS = ("/run/docker", "/run/containerd")
CGROUP_ROOT = Path("/sys/fs/cgroup")


@dataclass(frozen=True)
class HostState:
    links: tuple[str, ...] = ()
    rules: tuple[tuple[str, str, tuple[str, ...]], ...] = ()  # (binary, table, `-S` lines)
    sysctls: tuple[tuple[str, str], ...] = ()  # only those the kernel has
    paths: tuple[str, ...] = ()  # watched directories that exist

    def to_json(self) -> dict[str, Any]:
        return {
            "links": list(self.links),
            "rules": [[binary, table, list(lines)] for binary, table, lines in self.rules],
            "sysctls": [list(pair) for pair in self.sysctls],
            "paths": list(self.paths),
        }

    @staticmethod
    def from_json(data: dict[str, Any]) -> HostState:
        return HostState(
            links=tuple(data["links"]),
            rules=tuple((b, t, tuple(lines)) for b, t, lines in data["rules"]),
            sysctls=tuple((name, value) for name, value in data["sysctls"]),
            paths=tuple(data["paths"]),
        )


def _mentions_docker(line: str) -> bool:
    return "DOCKER" in line or "docker0" in line or " br-" in line


def _policies(lines: set[str]) -> dict[str, str]:
    return {line.split()[1]: line.split()[2] for line in lines if line.startswith("-P ")}


def _chain_lines(state: HostState) -> dict[tuple[str, str], tuple[str, ...]]:
    return {(binary, table): lines for binary, table, lines in state.rules}


def undo_plan(before: HostState, now: HostState) -> list[list[str]]:
    """Commands that remove what a daemon added since `before`, in a safe order: jumps and rules in
    chains that existed before, then the new chains (flush, delete), then policies, links, sysctls.
    Nothing that existed before is touched."""
    rule_deletes: list[list[str]] = []
    flushes: list[list[str]] = []
    chain_deletes: list[list[str]] = []
    policies: list[list[str]] = []
    old_rules = _chain_lines(before)
    for (binary, table), lines in _chain_lines(now).items():
        old = set(old_rules.get((binary, table), ()))
        old_policy = _policies(old)
        new_chains = {
            line.split()[1] for line in lines if line.startswith("-N ") and line not in old
        }
        for line in lines:
            words = shlex.split(line)
            if words[0] == "-N" and words[1] in new_chains:
                flushes.append([binary, "-t", table, "-F", words[1]])
                chain_deletes.append([binary, "-t", table, "-X", words[1]])
            elif words[0] == "-P" and old_policy.get(words[1], "ACCEPT") != words[2]:
                policy = old_policy.get(words[1], "ACCEPT")
                policies.append([binary, "-t", table, "-P", words[1], policy])
            elif (
                words[0] == "-A"
                and line not in old
                and words[1] not in new_chains  # those go with the flush
                and _mentions_docker(line)
            ):
                rule_deletes.append([binary, "-t", table, "-D", *words[1:]])
    links = [["ip", "link", "delete", name] for name in now.links if name not in before.links]
    old_sysctls = dict(before.sysctls)
    sysctls = [
        ["sysctl", "-q", "-w", f"{name}={old_sysctls[name]}"]
        for name, value in now.sysctls
        if name in old_sysctls and old_sysctls[name] != value
    ]
    return rule_deletes + flushes + chain_deletes + policies + links + sysctls


def leftovers(before: HostState, now: HostState) -> list[str]:
    """Every difference that matters, one line each; empty means the host is as it was."""
    found: list[str] = []
    old_rules = _chain_lines(before)
    for (binary, table), lines in _chain_lines(now).items():
        old = set(old_rules.get((binary, table), ()))
        old_policy = _policies(old)
        for line in lines:
            if line in old:
                continue
            if line.startswith("-P "):
                _, chain, policy = line.split()
                if old_policy.get(chain, "ACCEPT") == policy:
                    continue  # a table that did not exist behaves as all-ACCEPT
            elif not _mentions_docker(line):
                continue
            found.append(f"{binary} -t {table}: {line}")
    found.extend(f"network link {name}" for name in now.links if name not in before.links)
    old_sysctls = dict(before.sysctls)
    found.extend(
        f"sysctl {name} = {value} (was {old_sysctls[name]})"
        for name, value in now.sysctls
        if name in old_sysctls and old_sysctls[name] != value
    )
    found.extend(f"directory {path}" for path in now.paths if path not in before.paths)
    return found


def parse_links(ip_output: str) -> tuple[str, ...]:
    """Docker-made link names from `ip -o link show` output."""
    names = []
    for line in ip_output.splitlines():
        parts = line.split(":", 2)
        if len(parts) >= 2:
            name = parts[1].strip().split("@", 1)[0]
            if DOCKER_LINK.match(name):
                names.append(name)
    return tuple(sorted(names))


def watched_paths(cgroup_parent: str) -> list[Path]:
    """/run directories plus the cgroups a daemon with `--cgroup-parent` (or the default
    `docker`) would create in each hierarchy (cgroup v1 mounts one per controller)."""
    paths = [Path(p) for p in RUN_DIRS]
    hierarchies = [CGROUP_ROOT]
    if CGROUP_ROOT.is_dir():
        hierarchies += sorted(p for p in CGROUP_ROOT.iterdir() if p.is_dir() and not p.is_symlink())
    for hierarchy in hierarchies:
        paths += [hierarchy / cgroup_parent, hierarchy / "docker"]
    return paths


def tables_from_save(text: str) -> dict[str, tuple[str, ...]]:
    """`iptables-save` output, per table, in `iptables -S` form: `-P CHAIN POLICY` for built-in
    chains, `-N CHAIN` for user chains, then the `-A ...` rules. Pure.

    iptables-save only reads, and lists only tables that exist; listing with `iptables -S` would
    make iptables-nft create the table, a change of our own to the host."""
    tables: dict[str, list[str]] = {}
    lines: list[str] = []
    for line in text.splitlines():
        if line.startswith("*"):
            lines = tables.setdefault(line[1:].strip(), [])
        elif line.startswith(":"):
            chain, policy = line[1:].split()[:2]
            lines.append(f"-N {chain}" if policy == "-" else f"-P {chain} {policy}")
        elif line.startswith("-A "):
            lines.append(line)
    return {name: tuple(found) for name, found in tables.items()}


def new_tables(before: HostState, now: HostState) -> list[str]:
    """Tables that exist now but did not: a stock dockerd creates `filter` and `nat` when they are
    missing. Emptied by the cleanup, they stay (iptables has no command to delete a table); with
    only default ACCEPT policies left they change nothing."""
    old = {(binary, table) for binary, table, _ in before.rules}
    return [f"{binary} {table}" for binary, table, _ in now.rules if (binary, table) not in old]


def snapshot(cgroup_parent: str) -> HostState:
    """The host's current Docker-relevant state (missing tools read as "nothing there")."""
    rules = []
    for binary in FAMILIES:
        tables = tables_from_save(quiet([f"{binary}-save"]))
        rules += [(binary, table, tables[table]) for table in TABLES if table in tables]
    sysctls = []
    for name in SYSCTLS:
        value_path = Path("/proc/sys") / name.replace(".", "/")
        if value_path.exists():
            sysctls.append((name, value_path.read_text().strip()))
    return HostState(
        links=parse_links(quiet(["ip", "-o", "link", "show"])),
        rules=tuple(rules),
        sysctls=tuple(sysctls),
        paths=tuple(str(p) for p in watched_paths(cgroup_parent) if p.is_dir()),
    )


def _bottom_up(root: Path) -> Iterator[Path]:
    for directory, subdirs, _files in os.walk(root, topdown=False):
        for name in subdirs:
            yield Path(directory) / name
    yield root


def _remove_tree_of_empties(root: Path) -> Iterable[str]:
    """rmdir a directory tree bottom-up; only sockets are unlinked (stale shim sockets), never
    regular files, and cgroup directories go away with rmdir once no process is in them."""
    for directory in _bottom_up(root):
        if directory.is_dir():
            for entry in directory.iterdir():
                if not entry.is_dir() and stat.S_ISSOCK(entry.lstat().st_mode):
                    entry.unlink()
        try:
            directory.rmdir()
        except OSError as error:
            yield f"could not remove {directory}: {error.strerror}"


def restore(before: HostState, cgroup_parent: str) -> list[str]:
    """Undo what is new since `before`; returns what was done and what failed."""
    done: list[str] = []
    for argv in undo_plan(before, snapshot(cgroup_parent)):
        try:
            run(argv, timeout=60)
            done.append("undid: " + " ".join(argv))
        except CommandFailed as error:
            done.append(f"failed: {error}")
    for path in watched_paths(cgroup_parent):
        if path.is_dir() and str(path) not in before.paths:
            problems = list(_remove_tree_of_empties(path))
            done.extend(problems or [f"removed: {path}"])
    return done
