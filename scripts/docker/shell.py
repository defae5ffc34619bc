"""The one funnel for the commands `make test-docker` runs: argv lists, captured output, and a
failure message that names the command and shows the end of its output."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

TAIL_LINES = 25


class CommandFailed(Exception):
    """A command exited non-zero (or could not start); the message says which and shows why."""


def tail(text: str, lines: int = TAIL_LINES) -> str:
    kept = text.rstrip().splitlines()[-lines:]
    return "\n".join("    " + line for line in kept)


def run(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    stdin: bytes | None = None,
    timeout: float | None = None,
    check: bool = True,
    log: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `argv`; output is captured (and appended to `log` when given, for long tools)."""
    try:
        result = subprocess.run(
            list(argv),
            env=dict(env) if env is not None else None,
            cwd=cwd,
            input=stdin.decode() if stdin is not None else None,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError as error:
        raise CommandFailed(f"{argv[0]}: not installed ({error.strerror})") from None
    except subprocess.TimeoutExpired:
        raise CommandFailed(f"{' '.join(argv)}: no answer after {timeout:.0f} s") from None
    if log is not None:
        with log.open("a", encoding="utf-8") as handle:
            handle.write(f"$ {' '.join(argv)}\n{result.stdout}{result.stderr}\n")
    if check and result.returncode != 0:
        where = f" (full log: {log})" if log else ""
        raise CommandFailed(
            f"{' '.join(argv)} exited with {result.returncode}{where}:\n"
            + tail(result.stdout + result.stderr)
        )
    return result


def quiet(argv: Sequence[str], *, env: Mapping[str, str] | None = None) -> str:
    """stdout of a query command, or "" when it fails or is missing (the answer is then "none")."""
    try:
        result = run(argv, env=env, check=False, timeout=60)
    except CommandFailed:
        return ""
    return result.stdout if result.returncode == 0 else ""
