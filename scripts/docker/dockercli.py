"""The docker CLI on our private daemon: every docker command of `make test-docker` goes through
`DockerCli`, so none can reach another daemon (the socket is always ours)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from scripts.docker.shell import run

#: Debian's docker.io client matches its daemon; another `docker` on PATH may be newer or absent.
DEBIAN_CLIENT = Path("/usr/bin/docker")


class DockerCli:
    def __init__(self, client_env: dict[str, str], log: Path) -> None:
        self.env = {**os.environ, **client_env}
        self.log = log
        self.binary = str(DEBIAN_CLIENT) if DEBIAN_CLIENT.exists() else shutil.which("docker") or ""

    def __call__(
        self, *args: str, timeout: float | None = 900, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        return run([self.binary, *args], env=self.env, timeout=timeout, check=check, log=self.log)

    def build(self, context: Path, tag: str) -> None:
        """Legacy builder, host network: the daemon may have no bridge (see daemon.py)."""
        self("build", "--network", "host", "--tag", tag, str(context))

    def has_image(self, tag: str) -> bool:
        return self("image", "inspect", tag, check=False).returncode == 0

    def image_bytes(self, tag: str) -> int:
        return int(self("image", "inspect", "--format", "{{.Size}}", tag).stdout.strip())
