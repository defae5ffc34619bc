"""Every validation message of the mapping config, asserted in full (file, line, key path, hint).

One table row per message: the YAML a user might write, and exactly what tmsaction answers.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from tmsaction.config.load import default_config, load_config, parse_config
from tmsaction.config.model import Config
from tmsaction.errors import EXIT_USAGE, ConfigError

SOURCE = ".github/tmsaction.yml"


def problems_of(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(textwrap.dedent(text), SOURCE)
    assert caught.value.exit_code == EXIT_USAGE
    return list(caught.value.problems)


def valid(text: str) -> Config:
    return parse_config(textwrap.dedent(text), SOURCE)


F = SOURCE

# (id, yaml, every problem it must produce, in file order)
CASES: list[tuple[str, str, list[str]]] = [
    # -- the file as a whole ----------------------------------------------------------------------
    ("empty file", "", [f"{F}: the file is empty; start it with 'version: 1'"]),
    ("comments only", "# nothing yet\n", [f"{F}: the file is empty; start it with 'version: 1'"]),
    (
        "top level is a list",
        "- version: 1\n",
        [
            f"{F}: expected key: value lines at the top of the file (version: 1, testrail: ...)",
        ],
    ),
    (
        "yaml syntax",
        "version: 1\ntestrail:\n  match: [pinned\n",
        [f"{F}:4:1: not valid YAML: expected ',' or ']', but got '<stream end>'"],
    ),
    (
        "indentation",
        "version: 1\ntestrail:\n  names:\n    title: words\n   section: class\n",
        [
            f"{F}:5:4: not valid YAML: expected <block end>, but found '<block mapping start>' "
            "(check the indentation of this line against the lines above)"
        ],
    ),
    (
        "colon in a value",
        "version: 1\ntemplates:\n  run_name: Nightly: {{ ref_name }}\n",
        [
            f"{F}:3:20: not valid YAML: mapping values are not allowed here (check the "
            "indentation, and quote values that contain ': ')"
        ],
    ),
    (
        "tab indentation",
        "version: 1\ntestrail:\n\tmatch: [name]\n",
        [
            f"{F}:3:1: not valid YAML: found character '\\t' that cannot start any token "
            "(YAML indents with spaces, not tabs)"
        ],
    ),
    (
        "duplicate key",
        "version: 1\ntestrail:\n  match: [name]\n  match: [pinned]\n",
        [
            f"{F}:4: key 'match' appears twice (lines 3 and 4); YAML keeps "
            "only the last one, so remove or merge one of them"
        ],
    ),
    (
        "two documents",
        "version: 1\n---\nversion: 1\n",
        [f"{F}: the file holds several YAML documents (`---`); keep one"],
    ),
    (
        "missing version",
        "testrail: {}\n",
        [f"{F}:1: missing key 'version' (start the file with 'version: 1')"],
    ),
    (
        "future version",
        "version: 2\ntestrail: {whatever: true}\n",
        [
            f"{F}:1 → version: unsupported version 2; this tmsaction reads version 1 (use a newer "
            "tmsaction, or write the file for version 1)"
        ],
    ),
    (
        "version as text",
        "version: '1'\n",
        [f"{F}:1 → version: expected a whole number, got text"],
    ),
    (
        "unknown top-level key with a hint",
        "version: 1\ntestrial: {}\n",
        [f"{F}:2: unknown key 'testrial' (did you mean 'testrail'?)"],
    ),
    (
        "unknown key without a close match",
        "version: 1\nslack: {}\n",
        [f"{F}:2: unknown key 'slack'; use one of version, testrail, jira, templates, coverage"],
    ),
    (
        "section is not an object",
        "version: 1\ntestrail: [name]\n",
        [f"{F}:2 → testrail: expected an object (key: value lines), got a list"],
    ),
    (
        "null where a value is needed",
        "version: 1\ntestrail:\n  match:\n",
        [
            f"{F}:3 → testrail.match: expected a list of values from case_id, pinned, "
            "automation_id, name, got nothing (null); remove the key instead"
        ],
    ),
    # -- testrail.match, case_ids, automation_id ---------------------------------------------------
    (
        "unknown strategy with a hint",
        "version: 1\ntestrail:\n  match: [pinned, case_ids]\n",
        [f"{F}:3 → testrail.match[1]: unknown value 'case_ids' (did you mean 'case_id'?)"],
    ),
    (
        "strategy twice",
        "version: 1\ntestrail:\n  match: [name, name]\n",
        [f"{F}:3 → testrail.match[1]: 'name' is listed twice (also at [0])"],
    ),
    (
        "no strategy",
        "version: 1\ntestrail:\n  match: []\n",
        [f"{F}:3 → testrail.match: must list at least one strategy"],
    ),
    (
        "boolean where text is expected",
        "version: 1\ntestrail:\n  case_ids:\n    properties: [test_id, yes]\n",
        [
            f"{F}:4 → testrail.case_ids.properties[1]: expected text, got a boolean (YAML reads "
            "yes/no/on/off/true/false as booleans; put the value in quotes)"
        ],
    ),
    (
        "text where a boolean is expected",
        "version: 1\ntestrail:\n  case_ids:\n    names: sometimes\n",
        [f"{F}:4 → testrail.case_ids.names: expected true or false, got text"],
    ),
    (
        "empty text",
        "version: 1\ntestrail:\n  case_ids:\n    properties: ['']\n",
        [f"{F}:4 → testrail.case_ids.properties[0]: must not be empty"],
    ),
    (
        "automation id field",
        "version: 1\ntestrail:\n  automation_id:\n    field: automation_id\n",
        [
            f"{F}:4 → testrail.automation_id.field: 'automation_id' is not a TestRail custom "
            "field; use its system name, which starts with custom_ (e.g. custom_environment)"
        ],
    ),
    (
        "automation id placeholder",
        "version: 1\ntestrail:\n  automation_id:\n    value: '{package}.{name}'\n",
        [
            f"{F}:4 → testrail.automation_id.value: unknown placeholder {{package}}; use "
            "{classname}, {name}, {suite}, {file}"
        ],
    ),
    (
        "automation id attribute access",
        "version: 1\ntestrail:\n  automation_id:\n    value: '{name.__class__}'\n",
        [
            f"{F}:4 → testrail.automation_id.value: unknown placeholder {{name.__class__}}; use "
            "{classname}, {name}, {suite}, {file}"
        ],
    ),
    (
        "automation id braces",
        "version: 1\ntestrail:\n  automation_id:\n    value: '{classname'\n",
        [
            f"{F}:4 → testrail.automation_id.value: invalid template: expected '}}' before end "
            "of string (write placeholders as {name})"
        ],
    ),
    (
        "automation id without placeholder",
        "version: 1\ntestrail:\n  automation_id:\n    value: fixed\n",
        [
            f"{F}:4 → testrail.automation_id.value: needs at least one placeholder, e.g. "
            "{classname}.{name}"
        ],
    ),
    # -- testrail.names ------------------------------------------------------------------------------
    (
        "section source",
        "version: 1\ntestrail:\n  names:\n    section: klass\n",
        [f"{F}:4 → testrail.names.section: unknown value 'klass' (did you mean 'class'?)"],
    ),
    (
        "empty section name in a path",
        "version: 1\ntestrail:\n  names:\n    root: 'Automated >  > Web'\n",
        [f"{F}:4 → testrail.names.root: 'Automated >  > Web' has an empty section name"],
    ),
    (
        "section path of the wrong type",
        "version: 1\ntestrail:\n  names:\n    root: 3\n",
        [
            f'{F}:4 → testrail.names.root: expected a section path ("Backend > Cart" or a list '
            "of section names), got a number"
        ],
    ),
    (
        "title style",
        "version: 1\ntestrail:\n  names:\n    title: Words\n",
        [f"{F}:4 → testrail.names.title: unknown value 'Words' (did you mean 'words'?)"],
    ),
    # -- testrail.routes -----------------------------------------------------------------------------
    (
        "route key with a hint",
        "version: 1\ntestrail:\n  routes:\n    - suite: Web\n    - suite_idd: 3\n",
        [f"{F}:5 → testrail.routes[1]: unknown key 'suite_idd' (did you mean 'suite'?)"],
    ),
    (
        "route match key",
        "version: 1\ntestrail:\n  routes:\n    - match: {path: 'web/**'}\n      suite: Web\n",
        [
            f"{F}:4 → testrail.routes[0].match: unknown key 'path'; use one of report, file, "
            "testsuite, classname, tag"
        ],
    ),
    (
        "unreachable route",
        "version: 1\ntestrail:\n  routes:\n    - suite: Backend\n    - match: {tag: web}\n"
        "      suite: Web\n",
        [
            f"{F}:5 → testrail.routes[1]: can never match: testrail.routes[0] has no 'match' "
            "and takes every test; move the catch-all route last"
        ],
    ),
    (
        "invalid report glob",
        "version: 1\ntestrail:\n  routes:\n    - match: {report: 'web/[z-a].xml'}\n",
        [f"{F}:4 → testrail.routes[0].match.report[0]: invalid glob: bad character range z-a"],
    ),
    (
        "route names override",
        "version: 1\ntestrail:\n  routes:\n    - match: {tag: web}\n      names: {root: Web}\n",
        [
            f"{F}:5 → testrail.routes[0].names: unknown key 'root' (a route's root section is "
            "its 'section' key)",
        ],
    ),
    # -- testrail.pinned -----------------------------------------------------------------------------
    (
        "pin without a test",
        "version: 1\ntestrail:\n  pinned:\n    - case: C1\n",
        [
            f"{F}:4 → testrail.pinned[0]: needs exactly one of 'test', 'glob' or 'regex' (found none)"
        ],
    ),
    (
        "pin with two patterns",
        "version: 1\ntestrail:\n  pinned:\n    - test: a.b\n      glob: 'a.*'\n      case: 1\n",
        [
            f"{F}:4 → testrail.pinned[0]: needs exactly one of 'test', 'glob' or 'regex' (found "
            "'test' and 'glob')"
        ],
    ),
    (
        "pin without a case",
        "version: 1\ntestrail:\n  pinned:\n    - test: a.b\n",
        [f"{F}:4 → testrail.pinned[0]: missing key 'case'"],
    ),
    (
        "bad case id",
        "version: 1\ntestrail:\n  pinned:\n    - test: a.b\n      case: TC12\n",
        [f"{F}:5 → testrail.pinned[0].case: 'TC12' is not a TestRail case id (write 123 or C123)"],
    ),
    (
        "case id zero",
        "version: 1\ntestrail:\n  pinned:\n    - test: a.b\n      case: [C1, 0]\n",
        [f"{F}:5 → testrail.pinned[0].case[1]: must be at least 1"],
    ),
    (
        "case id of the wrong type",
        "version: 1\ntestrail:\n  pinned:\n    - test: a.b\n      case: {id: 1}\n",
        [
            f"{F}:5 → testrail.pinned[0].case: expected a case id (C123 or 123) or a list of "
            "case ids, got an object"
        ],
    ),
    (
        "invalid regex",
        "version: 1\ntestrail:\n  pinned:\n    - regex: 'smoke\\.(.*'\n      case: 1\n",
        [
            f"{F}:4 → testrail.pinned[0].regex: invalid regular expression: missing ), "
            "unterminated subpattern at position 7"
        ],
    ),
    (
        "pinned twice",
        "version: 1\ntestrail:\n  pinned:\n    - test: a.b\n      case: 1\n    - test: a.b\n"
        "      case: 2\n",
        [f"{F}:6 → testrail.pinned[1]: 'a.b' is already pinned by testrail.pinned[0]"],
    ),
    # -- testrail.results, new_cases, run -----------------------------------------------------------
    (
        "untested by name",
        "version: 1\ntestrail:\n  results:\n    status: {skipped: untested}\n",
        [
            f"{F}:4 → testrail.results.status.skipped: TestRail rejects results with status "
            "Untested (3); use retest or blocked, or null to send nothing"
        ],
    ),
    (
        "untested by id",
        "version: 1\ntestrail:\n  results:\n    status:\n      skipped: 3\n",
        [
            f"{F}:5 → testrail.results.status.skipped: TestRail rejects results with status "
            "Untested (3); use retest or blocked, or null to send nothing"
        ],
    ),
    (
        "unknown status id",
        "version: 1\ntestrail:\n  results:\n    status:\n      passed: 13\n",
        [
            f"{F}:5 → testrail.results.status.passed: 13 is not a TestRail status id (1 passed, "
            "2 blocked, 4 retest, 5 failed, 6-12 custom statuses)"
        ],
    ),
    (
        "do not send written as text",
        "version: 1\ntestrail:\n  results:\n    status:\n      skipped: none\n",
        [
            f"{F}:5 → testrail.results.status.skipped: to send nothing for this outcome write "
            "null, not 'none'"
        ],
    ),
    (
        "unknown outcome",
        "version: 1\ntestrail:\n  results:\n    status:\n      failure: failed\n",
        [
            f"{F}:5 → testrail.results.status: unknown key 'failure' (did you mean 'failed'?)",
        ],
    ),
    (
        "result field without custom_",
        "version: 1\ntestrail:\n  results:\n    fields:\n      environment: prod\n",
        [
            f"{F}:5 → testrail.results.fields.environment: 'environment' is not a TestRail "
            "custom field; use its system name, which starts with custom_ (e.g. "
            "custom_environment)"
        ],
    ),
    (
        "result field template",
        "version: 1\ntestrail:\n  results:\n    fields:\n      custom_env: '{{ environment }}'\n",
        [
            f"{F}:5 → testrail.results.fields.custom_env: unknown variable 'environment' (line "
            "1); available: workflow, run_number, run_id, run_attempt, run_url, repository, sha, "
            "short_sha, ref, ref_name, head_ref, base_ref, event_name, job, server_url, totals"
        ],
    ),
    (
        "case type of the wrong type",
        "version: 1\ntestrail:\n  new_cases:\n    type: [Automated]\n",
        [f"{F}:4 → testrail.new_cases.type: expected a name or an id, got a list"],
    ),
    (
        "priority id below 1",
        "version: 1\ntestrail:\n  new_cases:\n    priority: 0\n",
        [f"{F}:4 → testrail.new_cases.priority: must be at least 1"],
    ),
    # -- jira ----------------------------------------------------------------------------------------
    (
        "name pattern groups",
        "version: 1\njira:\n  stories:\n    name_pattern: '(SHOP)-(\\d+)'\n",
        [
            f"{F}:4 → jira.stories.name_pattern: the pattern has 2 capture groups; use at most "
            "one (the key), and (?:...) for other groups"
        ],
    ),
    (
        "story project",
        "version: 1\njira:\n  stories:\n    projects: [SHOP, web]\n",
        [
            f"{F}:4 → jira.stories.projects[1]: 'web' is not a Jira project key (capitals, "
            "digits or _, like SHOP)"
        ],
    ),
    (
        "label with a space",
        "version: 1\njira:\n  defects:\n    labels: [ci, flaky test]\n",
        [
            f"{F}:4 → jira.defects.labels[1]: label 'flaky test' contains spaces, which Jira "
            "rejects (use - or _)"
        ],
    ),
    (
        "field tmsaction sets",
        "version: 1\njira:\n  defects:\n    fields:\n      labels: [x]\n",
        [
            f"{F}:5 → jira.defects.fields.labels: 'labels' is set by tmsaction; use jira.defects.labels"
        ],
    ),
    (
        "link direction",
        "version: 1\njira:\n  defects:\n    link: {type: Blocks, direction: defect-blocks-story}\n",
        [
            f"{F}:4 → jira.defects.link.direction: unknown value 'defect-blocks-story' (did you "
            "mean 'defect-to-story'?)"
        ],
    ),
    (
        "reopen policy",
        "version: 1\njira:\n  defects:\n    reopen: {policy: always}\n",
        [f"{F}:4 → jira.defects.reopen.policy: unknown value 'always'; use one of reopen, new"],
    ),
    (
        "negative cap",
        "version: 1\njira:\n  defects:\n    max_new: -1\n",
        [f"{F}:4 → jira.defects.max_new: must be at least 0"],
    ),
    (
        "window as text",
        "version: 1\njira:\n  defects:\n    reopen:\n      window_days: 30d\n",
        [f"{F}:5 → jira.defects.reopen.window_days: expected a whole number, got text"],
    ),
    # -- templates -----------------------------------------------------------------------------------
    (
        "template syntax",
        "version: 1\ntemplates:\n  run_name: '{{ workflow '\n",
        [
            f"{F}:3 → templates.run_name: invalid template (line 1): unexpected end of template, "
            "expected 'end of print statement'."
        ],
    ),
    (
        "template unknown variable",
        "version: 1\ntemplates:\n  defect_summary: |\n    Failing:\n    {{ testname }}\n",
        [
            f"{F}:3 → templates.defect_summary: unknown variable 'testname' (line 2); available: "
            "workflow, run_number, run_id, run_attempt, run_url, repository, sha, short_sha, ref, "
            "ref_name, head_ref, base_ref, event_name, job, server_url, totals, test, mapping, "
            "stories, cases"
        ],
    ),
    (
        "template attribute typo",
        "version: 1\ntemplates:\n  result_comment: |\n    {{ test.outcome }}\n    {{ test.mesage }}\n",
        [
            f"{F}:3 → templates.result_comment: template fails on sample values (line 2): 'dict "
            "object' has no attribute 'mesage' (check the variable names in README, Templates)"
        ],
    ),
    (
        "template variable of another template",
        "version: 1\ntemplates:\n  run_name: '{{ test.name }}'\n",
        [
            f"{F}:3 → templates.run_name: unknown variable 'test' (line 1); available: workflow, "
            "run_number, run_id, run_attempt, run_url, repository, sha, short_sha, ref, ref_name, "
            "head_ref, base_ref, event_name, job, server_url, totals"
        ],
    ),
    (
        "template sandbox",
        "version: 1\ntemplates:\n  run_name: '{{ workflow.__class__.__mro__ }}'\n",
        [
            f"{F}:3 → templates.run_name: template fails on sample values (line 1): not allowed "
            "in a sandboxed template (access to attribute '__class__' of 'str' object is unsafe.)"
        ],
    ),
    (
        "template file outside the workspace",
        "version: 1\ntemplates:\n  summary_file: ../summary.md.j2\n",
        [
            f"{F}:3 → templates.summary_file: '../summary.md.j2' must stay inside the workspace "
            "(no ..)"
        ],
    ),
    (
        "absolute template file",
        "version: 1\ntemplates:\n  comment_file: /etc/comment.md.j2\n",
        [
            f"{F}:3 → templates.comment_file: '/etc/comment.md.j2' must be relative to the "
            "workspace (the repository root)"
        ],
    ),
    # -- coverage ------------------------------------------------------------------------------------
    (
        "gate without a limit",
        "version: 1\ncoverage:\n  gates:\n    - metric: pass_rate\n",
        [f"{F}:4 → coverage.gates[0]: needs either 'min' or 'max'"],
    ),
    (
        "gate with both limits",
        "version: 1\ncoverage:\n  gates:\n    - {metric: pass_rate, min: 90, max: 99}\n",
        [f"{F}:4 → coverage.gates[0]: set 'min' or 'max', not both"],
    ),
    (
        "gate percentage above 100",
        "version: 1\ncoverage:\n  gates:\n    - {metric: regression_automation, min: 120}\n",
        [
            f"{F}:4 → coverage.gates[0]: regression_automation is a percentage; use a limit from 0 to 100"
        ],
    ),
    (
        "gate count with a fraction",
        "version: 1\ncoverage:\n  gates:\n    - {metric: failed_tests, max: 0.5}\n",
        [f"{F}:4 → coverage.gates[0]: failed_tests counts tests or stories; use a whole number"],
    ),
    (
        "gate filter on another metric",
        "version: 1\ncoverage:\n  gates:\n    - {metric: pass_rate, min: 90, filter: critical}\n",
        [f"{F}:4 → coverage.gates[0]: 'filter' applies only to the metric automation"],
    ),
    (
        "gate metric with a hint",
        "version: 1\ncoverage:\n  gates:\n    - {metric: passrate, min: 90}\n",
        [f"{F}:4 → coverage.gates[0].metric: unknown value 'passrate' (did you mean 'pass_rate'?)"],
    ),
    (
        "gate misspelt key",
        "version: 1\ncoverage:\n  gates:\n    - {metrc: pass_rate, min: 90}\n",
        [
            f"{F}:4 → coverage.gates[0]: unknown key 'metrc' (did you mean 'metric'?)",
            f"{F}:4 → coverage.gates[0]: missing key 'metric'",
        ],
    ),
    (
        "negative limit",
        "version: 1\ncoverage:\n  gates:\n    - {metric: failed_tests, max: -1}\n",
        [f"{F}:4 → coverage.gates[0].max: must be at least 0"],
    ),
    (
        "undefined filter",
        "version: 1\ncoverage:\n  filters:\n    critical: {priorities: [Critical]}\n"
        "  regression: [critcal]\n",
        [
            f"{F}:5 → coverage.regression: filter 'critcal' is not defined in coverage.filters "
            "(defined: critical)"
        ],
    ),
    (
        "undefined filter in a gate",
        "version: 1\ncoverage:\n  gates:\n    - {metric: automation, min: 50, filter: ui}\n",
        [
            f"{F}:4 → coverage.gates[0].filter: filter 'ui' is not defined in coverage.filters "
            "(defined: none)"
        ],
    ),
    (
        "filters in a loop",
        "version: 1\ncoverage:\n  filters:\n    a: {filter: b}\n    b: {filter: a}\n",
        [f"{F}:3 → coverage.filters.a: filters refer to each other in a loop: a → b → a"],
    ),
    (
        "filter field not custom",
        "version: 1\ncoverage:\n  automated:\n    fields: {automation_type: 1}\n",
        [
            f"{F}:4 → coverage.automated.fields.automation_type: 'automation_type' is not a "
            "TestRail custom field; use its system name, which starts with custom_ (e.g. "
            "custom_environment)"
        ],
    ),
    (
        "filter of the wrong type",
        "version: 1\ncoverage:\n  regression: 7\n",
        [
            f"{F}:3 → coverage.regression: expected a filter, a saved filter's name, or a list "
            "of them, got a number"
        ],
    ),
    (
        "section depth",
        "version: 1\ncoverage:\n  section_depth: 0\n",
        [f"{F}:3 → coverage.section_depth: must be at least 1"],
    ),
    (
        "every problem at once, in file order",
        """\
        version: 1
        testrail:
          match: [pinned, fuzzy]
          routes:
            - suite_idd: 3
        jira:
          defects:
            labels: [a b]
        coverage:
          gates:
            - metric: pass_rate
        """,
        [
            f"{F}:3 → testrail.match[1]: unknown value 'fuzzy'; use one of case_id, pinned, "
            "automation_id, name",
            f"{F}:5 → testrail.routes[0]: unknown key 'suite_idd' (did you mean 'suite'?)",
            f"{F}:8 → jira.defects.labels[0]: label 'a b' contains spaces, which Jira rejects "
            "(use - or _)",
            f"{F}:11 → coverage.gates[0]: needs either 'min' or 'max'",
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_validation_message(text: str, expected: list[str]) -> None:
    assert problems_of(text) == expected


def test_the_error_lists_the_problem_count_then_each_problem() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config("version: 1\ntestrail:\n  match: [x]\n  routes: 3\n", SOURCE)
    assert str(caught.value) == (
        "invalid mapping config (2 problems):\n"
        f"{F}:3 → testrail.match[0]: unknown value 'x'; use one of case_id, pinned, "
        "automation_id, name\n"
        f"{F}:4 → testrail.routes: expected a list of objects, got a number"
    )


def test_a_minimal_file_is_the_defaults() -> None:
    config = valid("version: 1\n")
    assert config.source == SOURCE
    assert config.testrail == default_config().testrail
    assert config.jira == default_config().jira
    assert config.coverage == default_config().coverage


# -- files ---------------------------------------------------------------------------------------


def test_missing_file_at_the_default_path_means_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path, ".github/tmsaction.yml", explicit=False)
    assert config is default_config()
    assert config.source is None


def test_yaml_extension_is_found_at_the_default_location(tmp_path: Path) -> None:
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "tmsaction.yaml").write_text("version: 1\ntestrail: {match: [name]}\n")
    config = load_config(tmp_path, ".github/tmsaction.yml", explicit=False)
    assert config.source == ".github/tmsaction.yaml"
    assert [s.value for s in config.testrail.match] == ["name"]


def test_missing_file_named_by_the_input_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, "ci/mapping.yml", explicit=True)
    assert caught.value.problems == (
        f"ci/mapping.yml: no such file (the config input names it, relative to the workspace "
        f"{tmp_path}); fix the path, or drop the input to use .github/tmsaction.yml or defaults",
    )


def test_a_directory_is_not_a_config(tmp_path: Path) -> None:
    (tmp_path / ".github").mkdir()
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, ".github", explicit=True)
    assert caught.value.problems == (
        ".github: is a directory; the config input names the YAML file",
    )


def test_non_utf8_file(tmp_path: Path) -> None:
    (tmp_path / "c.yml").write_bytes(b"version: 1\n# caf\xe9\n")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, "c.yml", explicit=True)
    assert caught.value.problems == ("c.yml: not UTF-8 text; save the file as UTF-8",)


def test_utf8_bom_and_windows_line_ends_are_read(tmp_path: Path) -> None:
    (tmp_path / "c.yml").write_bytes(b"\xef\xbb\xbfversion: 1\r\ntestrail:\r\n  match: [name]\r\n")
    assert [s.value for s in load_config(tmp_path, "c.yml", explicit=True).testrail.match] == [
        "name"
    ]


def test_template_files_are_read_and_compiled(tmp_path: Path) -> None:
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "summary.md.j2").write_text("## {{ report.reports.totals.total }} tests\n")
    (tmp_path / "c.yml").write_text("version: 1\ntemplates:\n  summary_file: ./ci/summary.md.j2\n")
    config = load_config(tmp_path, "c.yml", explicit=True)
    assert config.templates.summary_file == "ci/summary.md.j2"
    assert config.templates.summary is not None
    assert config.templates.summary.name == "ci/summary.md.j2"
    assert config.templates.comment is None


def test_template_file_problems(tmp_path: Path) -> None:
    (tmp_path / "broken.md.j2").write_text("line one\n{% if x %}\nno end\n")
    (tmp_path / "c.yml").write_text(
        "version: 1\ntemplates:\n  summary_file: broken.md.j2\n  comment_file: missing.md.j2\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, "c.yml", explicit=True)
    assert caught.value.problems == (
        "c.yml → templates.summary_file: broken.md.j2: invalid template (line 3): Unexpected end "
        "of template. Jinja was looking for the following tags: 'elif' or 'else' or 'endif'. The "
        "innermost block that needs to be closed is 'if'.",
        "c.yml → templates.comment_file: no such file 'missing.md.j2' (paths are relative to "
        "the workspace)",
    )


def test_yaml_anchors_merge_keys_and_x_keys() -> None:
    config = valid(
        """\
        version: 1
        x-shop: &shop
          project: Shop
          suite: Web
        testrail:
          routes:
            - <<: *shop
              match: {tag: web}
            - <<: *shop
              suite: Mobile
        """
    )
    assert [(r.route.project, r.route.suite) for r in config.testrail.routes] == [
        ("Shop", "Web"),
        ("Shop", "Mobile"),
    ]


def test_x_keys_are_only_ignored_at_the_top() -> None:
    assert problems_of("version: 1\ntestrail:\n  x-note: hi\n") == [
        f"{F}:3 → testrail: unknown key 'x-note'; use one of match, case_ids, automation_id, "
        "names, routes, pinned, results, new_cases, run"
    ]
