"""Fixtures for the act scenarios, which need what scripts/docker/driver.py prepares: the private
Docker daemon, the base-image stand-in, the project image, act (passed in TMS_* variables).

Plain `make test` does not collect this directory: test files here are collected only when a path
inside tests/docker is named on the command line, as the driver does (`pytest tests/docker`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from tmsaction.sandbox.registry import build_emulators

from tests.docker.act import ActEnvironment
from tests.docker.sandbox import Probe, Sandbox

HERE = Path(__file__).resolve().parent


def _named(config: pytest.Config) -> bool:
    start = config.invocation_params.dir
    for arg in config.args:
        path = (start / arg.split("::", 1)[0]).resolve()
        if path == HERE or HERE in path.parents:
            return True
    return False


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Skip this directory's tests unless asked for by path (they need Docker and root)."""
    return None if _named(config) else True


@pytest.fixture(scope="session")
def act_environment() -> ActEnvironment:
    environment = ActEnvironment.from_env(os.environ)
    if environment is None:
        pytest.fail(
            "these tests run inside `make test-docker`, which starts the Docker daemon and builds "
            "the images they use; run that instead of pytest"
        )
    environment.work.mkdir(parents=True, exist_ok=True)
    return environment


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """Every emulator of the sandbox registry, plus a probe, fresh for each scenario."""
    running = Sandbox([*build_emulators(), Probe()])
    try:
        yield running
    finally:
        running.close()
