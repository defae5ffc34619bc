"""Real workflow runs of the action under act: one test per row of scenarios.SCENARIOS."""

from __future__ import annotations

import pytest

from tests.docker.act import ActEnvironment
from tests.docker.sandbox import Sandbox
from tests.docker.scenarios import SCENARIOS, Scenario, execute


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_scenario(scenario: Scenario, act_environment: ActEnvironment, sandbox: Sandbox) -> None:
    run = execute(scenario, act_environment, sandbox)
    for act in run.runs:
        assert act.exit_code == scenario.exit_code, act.describe()
    scenario.check(run)
