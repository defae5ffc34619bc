from __future__ import annotations

import pytest
from tmsaction.errors import UsageError
from tmsaction.inputs import parse_inputs, split_list


def test_defaults_when_nothing_is_given() -> None:
    inputs = parse_inputs([], {})
    assert inputs.reports == ("**/TEST-*.xml",)
    assert inputs.config == ".github/tmsaction.yml"
    assert inputs.dry_run is False
    assert inputs.testrail_url is None
    assert inputs.comment == "always"
    assert inputs.fail_on == frozenset({"sync-errors", "no-reports"})


def test_input_variables_are_read_and_empty_ones_count_as_unset() -> None:
    env = {
        "INPUT_REPORTS": "a/**/*.xml\n b/*.json, !a/skip.xml",
        "INPUT_DRY_RUN": "True",
        "INPUT_TESTRAIL_RUN_ID": "42",
        "INPUT_TESTRAIL_URL": "",
        "INPUT_COMMENT": "failures",
    }
    inputs = parse_inputs([], env)
    assert inputs.reports == ("a/**/*.xml", "b/*.json", "!a/skip.xml")
    assert inputs.dry_run is True
    assert inputs.testrail_run_id == 42
    assert inputs.testrail_url is None
    assert inputs.comment == "failures"


def test_flags_win_over_input_variables() -> None:
    inputs = parse_inputs(["--reports", "x.xml", "--dry-run"], {"INPUT_REPORTS": "y.xml"})
    assert inputs.reports == ("x.xml",)
    assert inputs.dry_run is True


def test_every_bad_value_is_reported_at_once() -> None:
    env = {"INPUT_DRY_RUN": "yes", "INPUT_TESTRAIL_RUN_ID": "R12", "INPUT_COMMENT": "sometimes"}
    with pytest.raises(UsageError) as caught:
        parse_inputs([], env)
    assert str(caught.value).splitlines() == [
        "input dry_run: 'yes' is not a boolean; use true or false.",
        "input testrail_run_id: 'R12' is not a positive whole number (an id such as 42).",
        "input comment: 'sometimes' is not one of always, failures, changes, off.",
    ]


def test_fail_on_values_are_checked_and_nothing_means_empty() -> None:
    with pytest.raises(UsageError, match="unknown value 'tests'"):
        parse_inputs(["--fail-on", "tests"], {})
    assert parse_inputs(["--fail-on", "nothing"], {}).fail_on == frozenset()


def test_github_token_falls_back_to_the_environment_and_is_a_secret() -> None:
    inputs = parse_inputs([], {"GITHUB_TOKEN": "ghs_secretvalue", "INPUT_JIRA_TOKEN": "jt-123456"})
    assert inputs.github_token == "ghs_secretvalue"
    assert set(inputs.secrets()) == {"ghs_secretvalue", "jt-123456"}


def test_split_list_keeps_brace_globs_whole() -> None:
    assert split_list("**/{a,b}.xml, c.xml") == ("**/{a,b}.xml", "c.xml")
