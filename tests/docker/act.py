"""Run one workflow under act on the private Docker daemon that `make test-docker` started.

The workspace is a throwaway git repository laid out like a user's repository that dogfoods the
action: the action itself at the root (so `uses: ./` finds action.yml and Dockerfile), the example
reports under `reports/`, and the scenario's workflow under `.github/workflows/`. Its `origin`
remote makes act report `GITHUB_REPOSITORY=acme/shop`.

act flags these machines need (see ../shared/research/local-docker.md):
- `-P ubuntu-latest=debian:bookworm-slim`: the job image is the registry-free stand-in;
- `--pull=false --action-offline-mode`: nothing can be pulled; `actions/checkout` of the local
  repository is done by act itself, offline;
- `--container-daemon-socket -`: do not mount the Docker socket into job containers;
- `--no-cache-server`: open no listener on the host's network; `--rm`: remove containers always;
- host network mode only: `--rebuild=false`, act uses the image the driver built and tagged
  `act-dockeraction:latest` (act's image build has no network option, and that daemon no bridge).
act's own config and caches go to the run directory, never to $HOME.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import ROOT
from tests.docker.actlog import ActRun, parse_log

REPOSITORY = "acme/shop"
ACTION_FILES = (
    "action.yml",
    "Dockerfile",
    ".dockerignore",
    "entrypoint.py",
    "requirements/runtime.txt",
    "tmsaction",
)
#: Runner labels the scenario workflows may use; all run on the stand-in image.
PLATFORMS = ("ubuntu-latest", "ubuntu-24.04", "ubuntu-22.04")
JOB_IMAGE = "debian:bookworm-slim"
ACT_TIMEOUT = 600


@dataclass(frozen=True)
class ActEnvironment:
    """What the driver prepared, read from the TMS_* variables it sets for pytest."""

    act: Path
    docker_env: dict[str, str]
    image: str
    network: str
    work: Path

    @staticmethod
    def from_env(env: Mapping[str, str]) -> ActEnvironment | None:
        names = (
            "TMS_ACT",
            "TMS_DOCKER_IMAGE",
            "TMS_DOCKER_NETWORK",
            "TMS_DOCKER_WORK",
            "DOCKER_HOST",
        )
        if not all(env.get(name) for name in names):
            return None
        docker_env = {
            k: env[k] for k in ("DOCKER_HOST", "DOCKER_CONFIG", "DOCKER_BUILDKIT") if k in env
        }
        return ActEnvironment(
            act=Path(env["TMS_ACT"]),
            docker_env=docker_env,
            image=env["TMS_DOCKER_IMAGE"],
            network=env["TMS_DOCKER_NETWORK"],
            work=Path(env["TMS_DOCKER_WORK"]),
        )


@dataclass(frozen=True)
class Invocation:
    """One `act` run: the event and what the workflow sees in `vars`, `secrets` and GITHUB_*."""

    event: str = "push"
    payload: Mapping[str, object] = field(default_factory=dict)
    variables: Mapping[str, str] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)
    bind: bool = False  # mount the workspace instead of copying it: artefacts land on the host


def _git(workspace: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "QA Lead",
        "GIT_AUTHOR_EMAIL": "qa@acme.example",
        "GIT_COMMITTER_NAME": "QA Lead",
        "GIT_COMMITTER_EMAIL": "qa@acme.example",
    }
    result = subprocess.run(
        ["git", *args], cwd=workspace, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def make_workspace(target: Path, workflow: Path, files: Mapping[str, str | Path]) -> Path:
    """Create the scenario's repository; `files` adds paths (text, or a file to copy)."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ACTION_FILES:
        source = ROOT / name
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, destination, ignore=ignore)
        else:
            shutil.copy2(source, destination)
    shutil.copytree(ROOT / "examples" / "reports", target / "reports", ignore=ignore)
    (target / ".github" / "workflows").mkdir(parents=True)
    shutil.copy2(workflow, target / ".github" / "workflows" / workflow.name)
    for relative, content in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):
            shutil.copy2(content, path)
        else:
            path.write_text(content, encoding="utf-8")
    _git(target, "init", "--quiet", "--initial-branch=main")
    _git(target, "remote", "add", "origin", f"https://github.com/{REPOSITORY}.git")
    _git(target, "add", "--all")
    _git(target, "commit", "--quiet", "--message", "Tests and their reports")
    return target


def head_sha(workspace: Path) -> str:
    return _git(workspace, "rev-parse", "HEAD")


def _dotenv(path: Path, values: Mapping[str, str]) -> Path:
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items()), encoding="utf-8")
    path.chmod(0o600)
    return path


def act_argv(
    environment: ActEnvironment, workflow: str, invocation: Invocation, files: Path
) -> list[str]:
    """act's command line for one run; `files` is where the event, vars and secrets files go."""
    argv = [
        str(environment.act),
        invocation.event,
        "--json",
        "--workflows",
        f".github/workflows/{workflow}",
    ]
    for label in PLATFORMS:
        argv += ["--platform", f"{label}={JOB_IMAGE}"]
    argv += [
        "--pull=false",
        "--action-offline-mode",
        "--container-daemon-socket",
        "-",
        "--no-cache-server",
        "--rm",
        "--action-cache-path",
        str(environment.work / "act-cache"),
        "--eventpath",
        str(files / "event.json"),
        "--var-file",
        str(_dotenv(files / "vars.env", invocation.variables)),
        "--secret-file",
        str(_dotenv(files / "secrets.env", invocation.secrets)),
    ]
    if environment.network == "host":
        argv.append("--rebuild=false")
    for name, value in invocation.env.items():
        argv += ["--env", f"{name}={value}"]
    if invocation.bind:
        argv.append("--bind")
    return argv


def run_act(
    environment: ActEnvironment, workspace: Path, workflow: str, invocation: Invocation, label: str
) -> ActRun:
    """Run act in `workspace`; its whole log is kept next to the workspace as `<label>.act.log`."""
    files = workspace.parent / f"{label}.act"
    files.mkdir(parents=True, exist_ok=True)
    (files / "event.json").write_text(json.dumps(dict(invocation.payload)), encoding="utf-8")
    home = environment.work / "home"
    home.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        **environment.docker_env,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
    }
    argv = act_argv(environment, workflow, invocation, files)
    result = subprocess.run(
        argv,
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=ACT_TIMEOUT,
        check=False,
    )
    (workspace.parent / f"{label}.act.log").write_text(
        "$ " + " ".join(argv) + "\n" + result.stdout + result.stderr, encoding="utf-8"
    )
    return parse_log(result.stdout.splitlines(), result.returncode, result.stderr)
