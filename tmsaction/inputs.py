"""Action inputs and CLI flags -> one frozen `Inputs` value, plus the runner context from the environment.

Every input is declared once in `OPTIONS` (name, kind, default, help); `action.yml`, the CLI flags and
README's input table are checked against it by tests/unit/test_interface_drift.py.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from tmsaction.errors import UsageError

Kind = Literal["str", "bool", "int", "list"]

COMMENT_MODES = ("always", "failures", "changes", "off")
FAIL_ON_VALUES = (
    "test-failures",
    "sync-errors",
    "quality-gates",
    "no-reports",
    "unmatched",
    "nothing",
)


@dataclass(frozen=True)
class Option:
    name: str  # snake_case input name; flag is --kebab-case, env is INPUT_<UPPER>
    kind: Kind
    help: str
    default: str = ""
    secret: bool = False
    choices: tuple[str, ...] = ()
    action_default: str | None = None  # default in action.yml when it differs (an expression)

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def env(self) -> str:
        return "INPUT_" + self.name.upper()


OPTIONS: tuple[Option, ...] = (
    Option(
        "reports",
        "list",
        "Report files: newline- or comma-separated globs relative to the "
        "workspace; `**` recurses, `!glob` excludes.",
        default="**/TEST-*.xml",
    ),
    Option(
        "config",
        "str",
        "Mapping config path; a missing file means defaults.",
        default=".github/tmsaction.yml",
    ),
    Option(
        "dry_run", "bool", "`true`: parse, map, plan and render; write to no API.", default="false"
    ),
    Option("testrail_url", "str", "TestRail instance URL, e.g. `https://acme.testrail.io`."),
    Option("testrail_user", "str", "TestRail user (the login email)."),
    Option("testrail_api_key", "str", "TestRail API key (My Settings → API Keys).", secret=True),
    Option("testrail_project", "str", "TestRail project name or id."),
    Option(
        "testrail_suite",
        "str",
        "TestRail suite name or id (multi-suite projects, unless the "
        "config routes tests to suites).",
    ),
    Option("testrail_run_id", "int", "Add results to this existing run instead of creating one."),
    Option("testrail_plan_id", "int", "Add the run to this test plan (as a plan entry)."),
    Option(
        "testrail_run_name",
        "str",
        "Name template (Jinja2) for a new run.",
        default="{{ workflow }} #{{ run_number }} ({{ ref_name }})",
    ),
    Option(
        "testrail_create_cases",
        "bool",
        "`true`: create missing sections and cases (name matching).",
        default="false",
    ),
    Option(
        "testrail_close_run", "bool", "`true`: close the run after the upload.", default="false"
    ),
    Option(
        "jira_url",
        "str",
        "Jira URL, e.g. `https://acme.atlassian.net` (Cloud) or your Data Center base URL.",
    ),
    Option(
        "jira_user",
        "str",
        "Jira Cloud account email; leave empty on Data Center to use "
        "`jira_token` as a bearer personal access token.",
    ),
    Option(
        "jira_token",
        "str",
        "Jira Cloud API token, or Data Center personal access token.",
        secret=True,
    ),
    Option("jira_project", "str", "Jira project key for new defects."),
    Option(
        "jira_create_defects",
        "bool",
        "`true`: file and update defects for failing tests.",
        default="false",
    ),
    Option(
        "github_token",
        "str",
        "Token for the pull-request comment (defaults to the workflow token).",
        secret=True,
        action_default="${{ github.token }}",
    ),
    Option("comment", "str", "Pull-request comment mode.", default="always", choices=COMMENT_MODES),
    Option(
        "fail_on",
        "list",
        "What fails the step: any of `test-failures`, `sync-errors`, "
        "`quality-gates`, `no-reports`, `unmatched`, or `nothing`.",
        default="sync-errors,no-reports",
    ),
)

OPTION_BY_NAME = {option.name: option for option in OPTIONS}


@dataclass(frozen=True)
class Inputs:
    """The action's settings after parsing; built once at start-up."""

    reports: tuple[str, ...]
    config: str
    dry_run: bool
    testrail_url: str | None
    testrail_user: str | None
    testrail_api_key: str | None
    testrail_project: str | None
    testrail_suite: str | None
    testrail_run_id: int | None
    testrail_plan_id: int | None
    testrail_run_name: str
    testrail_create_cases: bool
    testrail_close_run: bool
    jira_url: str | None
    jira_user: str | None
    jira_token: str | None
    jira_project: str | None
    jira_create_defects: bool
    github_token: str | None
    comment: str
    fail_on: frozenset[str]

    @property
    def testrail_enabled(self) -> bool:
        return bool(self.testrail_url)

    @property
    def jira_enabled(self) -> bool:
        return bool(self.jira_url)

    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in any output (logs, summary, comment, exceptions)."""
        values = (getattr(self, option.name) for option in OPTIONS if option.secret)
        return tuple(v for v in values if isinstance(v, str) and v)


@dataclass(frozen=True)
class RunContext:
    """What the runner tells us about this workflow run (standard GITHUB_* variables)."""

    workspace: Path
    step_summary: Path | None = None
    output_file: Path | None = None
    event_path: Path | None = None
    event_name: str = ""
    repository: str = ""
    sha: str = ""
    ref: str = ""
    ref_name: str = ""
    base_ref: str = ""
    head_ref: str = ""
    run_id: str = ""
    run_number: str = ""
    run_attempt: str = "1"
    workflow: str = ""
    job: str = ""
    server_url: str = "https://github.com"
    api_url: str = "https://api.github.com"
    in_actions: bool = False
    env: Mapping[str, str] = field(default_factory=dict, repr=False)

    @property
    def run_url(self) -> str | None:
        if not (self.repository and self.run_id):
            return None
        url = f"{self.server_url}/{self.repository}/actions/runs/{self.run_id}"
        return url + (f"/attempts/{self.run_attempt}" if self.run_attempt not in ("", "1") else "")

    @staticmethod
    def from_env(env: Mapping[str, str], cwd: Path) -> RunContext:
        def path(name: str) -> Path | None:
            value = env.get(name, "")
            return Path(value) if value else None

        return RunContext(
            workspace=Path(env.get("GITHUB_WORKSPACE") or cwd),
            step_summary=path("GITHUB_STEP_SUMMARY"),
            output_file=path("GITHUB_OUTPUT"),
            event_path=path("GITHUB_EVENT_PATH"),
            event_name=env.get("GITHUB_EVENT_NAME", ""),
            repository=env.get("GITHUB_REPOSITORY", ""),
            sha=env.get("GITHUB_SHA", ""),
            ref=env.get("GITHUB_REF", ""),
            ref_name=env.get("GITHUB_REF_NAME", ""),
            base_ref=env.get("GITHUB_BASE_REF", ""),
            head_ref=env.get("GITHUB_HEAD_REF", ""),
            run_id=env.get("GITHUB_RUN_ID", ""),
            run_number=env.get("GITHUB_RUN_NUMBER", ""),
            run_attempt=env.get("GITHUB_RUN_ATTEMPT", "1") or "1",
            workflow=env.get("GITHUB_WORKFLOW", ""),
            job=env.get("GITHUB_JOB", ""),
            server_url=(env.get("GITHUB_SERVER_URL") or "https://github.com").rstrip("/"),
            api_url=(env.get("GITHUB_API_URL") or "https://api.github.com").rstrip("/"),
            in_actions=env.get("GITHUB_ACTIONS") == "true",
            env=dict(env),
        )


_TRUE = ("true", "True", "TRUE")
_FALSE = ("false", "False", "FALSE")


def split_list(value: str) -> tuple[str, ...]:
    """Split a newline- or comma-separated input, dropping blanks and surrounding spaces.

    Commas inside `{a,b}` braces are kept so that brace globs survive.
    """
    items: list[str] = []
    for line in value.splitlines():
        items.extend(part.strip() for part in re.split(r",(?![^{]*\})", line))
    return tuple(item for item in items if item)


def _convert(option: Option, raw: str, origin: str) -> object:
    """Turn one raw text value into the option's type; empty text means "not set"."""
    where = f"{option.flag}" if origin == "flag" else f"input {option.name}"
    text = raw.strip()
    if option.kind == "list":
        return split_list(raw)
    if option.kind == "bool":
        if text == "":
            return False
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise UsageError(f"{where}: '{raw}' is not a boolean; use true or false.")
    if text == "":
        return None
    if option.kind == "int":
        if not text.isdigit() or int(text) <= 0:
            raise UsageError(f"{where}: '{raw}' is not a positive whole number (an id such as 42).")
        return int(text)
    if option.choices and text not in option.choices:
        raise UsageError(f"{where}: '{raw}' is not one of {', '.join(option.choices)}.")
    return text


def build_parser(prog: str = "python -m tmsaction") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Read test reports, sync them to TestRail and Jira, write a summary.",
        argument_default=argparse.SUPPRESS,
    )
    for option in OPTIONS:
        if option.kind == "bool":
            parser.add_argument(
                option.flag, nargs="?", const="true", metavar="true|false", help=option.help
            )
        else:
            parser.add_argument(option.flag, metavar=option.name.upper(), help=option.help)
    return parser


def _raw_value(option: Option, flags: Mapping[str, str], env: Mapping[str, str]) -> tuple[str, str]:
    """Flags win over `INPUT_*` variables, which win over defaults. Empty values count as unset,
    because the runner passes every declared input, set or not."""
    if flags.get(option.name):
        return flags[option.name], "flag"
    if env.get(option.env):
        return env[option.env], "input"
    if option.name == "github_token":
        # action.yml defaults this to the workflow token; outside Actions take GITHUB_TOKEN.
        return env.get("GITHUB_TOKEN", ""), "default"
    return option.default, "default"


def parse_inputs(argv: Sequence[str], env: Mapping[str, str]) -> Inputs:
    """Build `Inputs` from CLI flags and `INPUT_*` variables; every problem is reported at once."""
    flags = vars(build_parser().parse_args(list(argv)))
    problems: list[str] = []
    values: dict[str, object] = {}
    for option in OPTIONS:
        raw, origin = _raw_value(option, flags, env)
        try:
            values[option.name] = _convert(option, raw, origin)
        except UsageError as error:
            problems.append(str(error))
    fail_on = frozenset(values.get("fail_on") or ())  # type: ignore[call-overload]
    unknown = sorted(fail_on - set(FAIL_ON_VALUES))
    if unknown:
        problems.append(
            f"input fail_on: unknown value '{unknown[0]}'; use any of {', '.join(FAIL_ON_VALUES)}."
        )
    if problems:
        raise UsageError("\n".join(problems))
    values["fail_on"] = frozenset() if "nothing" in fail_on else fail_on
    for name in ("config", "comment", "testrail_run_name"):
        values[name] = values[name] or OPTION_BY_NAME[name].default
    return Inputs(**values)  # type: ignore[arg-type]
