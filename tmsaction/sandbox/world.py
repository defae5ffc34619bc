"""The whole sandbox at once: the TestRail, Jira and GitHub emulators served on loopback, seeded
with the demo world, plus the environment a workflow run against them would have.

Used by `python -m tmsaction demo` and by tests that run the action end to end. The demo world:
TestRail project "Shop" (suites Backend and Web), Jira project SHOP (stories SHOP-3, SHOP-12,
SHOP-14, SHOP-19), GitHub repository acme/shop with pull request #7 from `feature/cart`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from tmsaction.sandbox.github import DEMO_HEAD_SHA, GitHubEmulator
from tmsaction.sandbox.github import seed_demo as seed_github
from tmsaction.sandbox.jira.emulator import JiraEmulator
from tmsaction.sandbox.jira.seed import DEMO_EMAIL as JIRA_USER
from tmsaction.sandbox.jira.seed import DEMO_TOKEN as JIRA_TOKEN
from tmsaction.sandbox.jira.seed import seed_demo as seed_jira
from tmsaction.sandbox.server import SandboxServer
from tmsaction.sandbox.testrail import DEMO_API_KEY, DEMO_USER, TestRailEmulator, demo_emulator

REPOSITORY = "acme/shop"
PULL_NUMBER = 7
GITHUB_TOKEN = "demo-token"  # noqa: S105 - the sandbox's published demo credential


@dataclass
class SandboxWorld:
    """Start with `with SandboxWorld() as world:`; every emulator listens on a free loopback port."""

    testrail: TestRailEmulator = field(default_factory=demo_emulator)
    jira: JiraEmulator = field(default_factory=seed_jira)
    github: GitHubEmulator = field(default_factory=seed_github)
    _servers: dict[str, SandboxServer] = field(default_factory=dict)

    def __enter__(self) -> SandboxWorld:
        for name, emulator in (
            ("testrail", self.testrail),
            ("jira", self.jira),
            ("github", self.github),
        ):
            self._servers[name] = SandboxServer(emulator).start()
        return self

    def __exit__(self, *exc: object) -> None:
        for server in self._servers.values():
            server.stop()
        self._servers.clear()

    def url(self, name: str) -> str:
        return self._servers[name].url

    def action_env(
        self,
        workspace: Path,
        *,
        run_id: str = "8675309",
        run_attempt: str = "1",
        inputs: dict[str, str] | None = None,
    ) -> dict[str, str]:
        """The environment of a `pull_request` workflow run on PR #7 with every service set up;
        `inputs` (snake_case names) override or add action inputs."""
        event = workspace / ".tmsaction-event.json"
        pull = {
            "number": PULL_NUMBER,
            "head": {
                "ref": "feature/cart",
                "sha": DEMO_HEAD_SHA,
                "repo": {"full_name": REPOSITORY},
            },
            "base": {"ref": "main", "repo": {"full_name": REPOSITORY}},
        }
        event.write_text(
            json.dumps({"number": PULL_NUMBER, "pull_request": pull}), encoding="utf-8"
        )
        action_inputs = {
            "testrail_url": self.url("testrail"),
            "testrail_user": DEMO_USER,
            "testrail_api_key": DEMO_API_KEY,
            "testrail_project": "Shop",
            "jira_url": self.url("jira"),
            "jira_user": JIRA_USER,
            "jira_token": JIRA_TOKEN,
            "jira_project": "SHOP",
            "github_token": GITHUB_TOKEN,
            **(inputs or {}),
        }
        env = {
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_STEP_SUMMARY": str(workspace / ".tmsaction-summary.md"),
            "GITHUB_OUTPUT": str(workspace / ".tmsaction-output.txt"),
            "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_EVENT_PATH": str(event),
            "GITHUB_REPOSITORY": REPOSITORY,
            "GITHUB_SHA": DEMO_HEAD_SHA,
            "GITHUB_REF": f"refs/pull/{PULL_NUMBER}/merge",
            "GITHUB_REF_NAME": f"{PULL_NUMBER}/merge",
            "GITHUB_HEAD_REF": "feature/cart",
            "GITHUB_BASE_REF": "main",
            "GITHUB_RUN_ID": run_id,
            "GITHUB_RUN_NUMBER": "42",
            "GITHUB_RUN_ATTEMPT": run_attempt,
            "GITHUB_WORKFLOW": "CI",
            "GITHUB_JOB": "test",
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_API_URL": self.url("github"),
        }
        env.update({f"INPUT_{name.upper()}": value for name, value in action_inputs.items()})
        return env
