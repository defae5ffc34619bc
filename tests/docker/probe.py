"""Run inside the action's own image by the `sandbox-reach` scenario (its entrypoint overridden to
`python`): call each service URL the workflow passed in, with the credentials it passed, so the
scenario can check on the emulator's side that URLs, variables, secrets, the GitHub API URL and the
event payload all reach the action's container, over the network path real sinks will use."""

from __future__ import annotations

import base64
import json
import os
import urllib.request


def _basic(user: str, key: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{key}".encode()).decode()


def _call(url: str, authorization: str) -> None:
    request = urllib.request.Request(url, headers={"Authorization": authorization})
    with urllib.request.urlopen(request, timeout=10) as response:
        print(f"probe: {response.status} from {url}")


def main() -> None:
    env = os.environ
    with open(env["GITHUB_EVENT_PATH"], encoding="utf-8") as handle:
        number = json.load(handle)["pull_request"]["number"]
    _call(
        env["INPUT_TESTRAIL_URL"] + "/index.php?/api/v2/get_projects",
        _basic(env["INPUT_TESTRAIL_USER"], env["INPUT_TESTRAIL_API_KEY"]),
    )
    _call(
        env["INPUT_JIRA_URL"] + "/rest/api/3/myself",
        _basic(env["INPUT_JIRA_USER"], env["INPUT_JIRA_TOKEN"]),
    )
    _call(
        f"{env['GITHUB_API_URL']}/repos/{env['GITHUB_REPOSITORY']}/issues/{number}/comments",
        "Bearer " + env["INPUT_GITHUB_TOKEN"],
    )
    # The runner must mask secrets in the log; the scenario checks that this line shows ***.
    print("probe: testrail key is " + env["INPUT_TESTRAIL_API_KEY"])


if __name__ == "__main__":
    main()
