"""The API emulators for act scenarios, on the host's loopback, and how a workflow reaches them.

act runs job containers with `--network host` (its default) and a Docker action in its job's
network namespace, so `http://127.0.0.1:<port>` on the host is the same address inside the action's
container, in both daemon network modes. The harness tells act (variables and secrets as files, so
no value shows in a process list):

- `testrail`: `vars.TESTRAIL_URL`, `vars.TESTRAIL_USER`, `secrets.TESTRAIL_API_KEY`;
- `jira`: `vars.JIRA_URL`, `vars.JIRA_USER`, `secrets.JIRA_TOKEN`;
- `github`: the `GITHUB_API_URL` variable (also `github.api_url`) and `github.token` (the
  `github_token` input's default; act's secret GITHUB_TOKEN);
- any other emulator `name`: `vars.<NAME>_URL`.

`GITHUB_API_URL` must go through act's `--env`: a step's `env:` cannot override it (act sets the
GITHUB_* variables from its github context, which reads --env). The credentials below are the
demo credentials the emulators are seeded with (TestRail `demo@example.com` / `demo-key`, Jira
`demo@example.com` / `demo-token`, GitHub write token `demo-token` on `acme/shop`, PR #7).
"""

from __future__ import annotations

from tmsaction.sandbox.server import Emulator, Request, Response, SandboxServer

SANDBOX_USER = "demo@example.com"
TESTRAIL_API_KEY = "demo-key"
JIRA_TOKEN = "demo-token"
GITHUB_TOKEN = "demo-token"


class Probe(Emulator):
    """Answers 200 to anything and keeps every request: the other end of the network-path check."""

    name = "probe"

    def __init__(self) -> None:
        super().__init__()
        self.received: list[Request] = []

    def handle(self, request: Request) -> Response:
        with self.lock:
            self.received.append(request)
        return Response.json(200, {"ok": True})


class Sandbox:
    """Emulators served on 127.0.0.1 (any free port) for one scenario; `close()` stops them."""

    def __init__(self, emulators: list[Emulator]) -> None:
        self.emulators = {emulator.name: emulator for emulator in emulators}
        self._servers = [SandboxServer(e, "127.0.0.1", 0).start() for e in emulators]
        self.urls = {server.emulator.name: server.url for server in self._servers}

    def close(self) -> None:
        for server in self._servers:
            server.stop()

    def variables(self) -> dict[str, str]:
        """The `vars` context: every emulator's URL, plus the (non-secret) user names."""
        found = {f"{name.upper()}_URL": url for name, url in self.urls.items() if name != "github"}
        return found | {"TESTRAIL_USER": SANDBOX_USER, "JIRA_USER": SANDBOX_USER}

    def secrets(self) -> dict[str, str]:
        return {
            "TESTRAIL_API_KEY": TESTRAIL_API_KEY,
            "JIRA_TOKEN": JIRA_TOKEN,
            "GITHUB_TOKEN": GITHUB_TOKEN,
        }

    def env(self) -> dict[str, str]:
        """act --env values: the GitHub API base of the GitHub emulator, when there is one."""
        return {"GITHUB_API_URL": self.urls["github"]} if "github" in self.urls else {}
