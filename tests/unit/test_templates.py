"""Config templates: documented variables, defaults, sandboxing, and errors naming key and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from tmsaction.errors import EXIT_USAGE, TemplateError
from tmsaction.inputs import RunContext
from tmsaction.mapping.model import CaseRef, TestMapping
from tmsaction.model import Attempt, Outcome, Totals
from tmsaction.sink_texts import (
    DEFAULT_DEFECT_DESCRIPTION,
    DEFAULT_DEFECT_SUMMARY,
    DEFAULT_RESULT_COMMENT,
    defect_texts,
    pick_run_name,
    result_comment,
    run_values,
)
from tmsaction.templates import (
    TemplateKind,
    comment_variables,
    compile_template,
    defect_variables,
    run_variables,
)

from tests.mapping_world import config
from tests.mapping_world import make_result as result

CONTEXT = RunContext(
    workspace=Path("/ws"),
    repository="acme/shop",
    sha="89abcdef0123456789abcdef0123456789abcdef",
    ref="refs/pull/7/merge",
    ref_name="7/merge",
    head_ref="feature/cart",
    base_ref="main",
    run_id="1234",
    run_number="56",
    workflow="CI",
    job="test",
    event_name="pull_request",
)
RUN = run_variables(CONTEXT, Totals(total=12, passed=8, failed=2, skipped=1, flaky=1))
FAILED = result(
    "appliesPercentageDiscount",
    outcome=Outcome.FAILED,
    message="expected: <90.00> but was: <89.99>",
)
FAILED_WITH_TRACE = FAILED.__class__(
    **{
        **{f: getattr(FAILED, f) for f in ("suite", "classname", "name", "outcome", "duration")},
        "source": "reports/TEST-Cart.xml",
        "detail": FAILED.detail.__class__(
            message="\x1b[31mexpected: <90.00>\x1b[0m",
            details="AssertionFailedError: expected\n\tat CartTest.java:57",
        )
        if FAILED.detail
        else None,
    }
)
MAPPING = TestMapping(
    cases=(CaseRef(103), CaseRef(104)), stories=("SHOP-14",), status="failed", status_id=5
)


def test_run_templates_see_the_workflow_run() -> None:
    template = compile_template(
        "templates.run_name",
        "{{ workflow }} #{{ run_number }} {{ head_ref }}→{{ base_ref }} {{ short_sha }} "
        "({{ totals.failed }}/{{ totals.total }} failed) {{ run_url }}",
        TemplateKind.RUN,
    )
    assert template.render(RUN) == (
        "CI #56 feature/cart→main 89abcde (2/12 failed) "
        "https://github.com/acme/shop/actions/runs/1234"
    )


def test_default_result_comment_of_a_failure() -> None:
    template = compile_template(
        "templates.result_comment", DEFAULT_RESULT_COMMENT, TemplateKind.RESULT
    )
    text = template.render(comment_variables(RUN, FAILED_WITH_TRACE, MAPPING))
    assert text == (
        "Failed in 0.1s · [workflow run](https://github.com/acme/shop/actions/runs/1234) · "
        "reports/TEST-Cart.xml\n"
        "\n"
        "expected: <90.00>\n"
        "\n"
        "    AssertionFailedError: expected\n"
        "    \tat CartTest.java:57"
    )


def test_default_result_comment_of_a_pass() -> None:
    template = compile_template(
        "templates.result_comment", DEFAULT_RESULT_COMMENT, TemplateKind.RESULT
    )
    text = template.render(
        comment_variables(
            run_variables(RunContext(workspace=Path("/ws"))), result("x"), TestMapping()
        )
    )
    assert text == "Passed in 0.1s · reports/TEST-com.acme.shop.CartTest.xml"


def test_default_defect_texts() -> None:
    summary = compile_template(
        "templates.defect_summary", DEFAULT_DEFECT_SUMMARY, TemplateKind.DEFECT
    )
    description = compile_template(
        "templates.defect_description", DEFAULT_DEFECT_DESCRIPTION, TemplateKind.DEFECT
    )
    variables = defect_variables(RUN, FAILED_WITH_TRACE, MAPPING)
    assert (
        summary.render(variables)
        == "Failing test: com.acme.shop.CartTest › appliesPercentageDiscount"
    )
    assert description.render(variables) == (
        "com.acme.shop.CartTest › appliesPercentageDiscount failed in acme/shop on 7/merge "
        "(89abcde).\n"
        "\n"
        "expected: <90.00>\n"
        "\n"
        "```\n"
        "AssertionFailedError: expected\n"
        "\tat CartTest.java:57\n"
        "```\n"
        "\n"
        "Workflow run: https://github.com/acme/shop/actions/runs/1234\n"
        "Stories: SHOP-14\n"
        "TestRail cases: C103, C104"
    )


def test_comment_variables() -> None:
    flaky = result(
        "recalculates",
        outcome=Outcome.FLAKY,
        properties=[("owner", "cart-team"), ("owner", "second")],
        tags=["@smoke"],
        attempts=[
            Attempt(Outcome.FAILED, 0.5, "timeout", source="a.xml"),
            Attempt(Outcome.PASSED, 0.2),
        ],
    )
    variables = comment_variables(RUN, flaky, MAPPING)
    assert variables["test"] == {
        "name": "recalculates",
        "classname": "com.acme.shop.CartTest",
        "suite": ["com.acme.shop.CartTest"],
        "display": "com.acme.shop.CartTest › recalculates",
        "outcome": "flaky",
        "failed": False,
        "duration": 0.1,
        "message": None,
        "details": None,
        "file": None,
        "line": None,
        "source": "reports/TEST-com.acme.shop.CartTest.xml",
        "tags": ["@smoke"],
        "properties": {"owner": "cart-team"},
        "parameters": None,
        "attempts": [
            {"outcome": "failed", "duration": 0.5, "message": "timeout", "source": "a.xml"},
            {"outcome": "passed", "duration": 0.2, "message": None, "source": ""},
        ],
    }
    assert variables["mapping"] == {
        "matched_by": None,
        "case_ids": [103, 104],
        "cases": [
            {"id": 103, "section": [], "title": ""},
            {"id": 104, "section": [], "title": ""},
        ],
        "stories": ["SHOP-14"],
        "route": {"project": None, "suite": None},
        "status": "failed",
        "reason": None,
    }


def test_a_runtime_failure_names_the_template_and_line() -> None:
    template = compile_template(
        "templates.result_comment",
        "{{ test.outcome }}\n{% if test.outcome == 'skipped' %}\n{{ test.properties.owner }}\n{% endif %}",
        TemplateKind.RESULT,
    )
    skipped = result("x", outcome=Outcome.SKIPPED)
    with pytest.raises(TemplateError) as caught:
        template.render(comment_variables(RUN, skipped, MAPPING))
    assert str(caught.value) == (
        "templates.result_comment (line 3): 'dict object' has no attribute 'owner' (check the "
        "variable names in README, Templates)"
    )
    assert caught.value.exit_code == EXIT_USAGE


def test_test_names_are_data_never_template_code() -> None:
    template = compile_template(
        "templates.defect_summary", "Failing: {{ test.name }}", TemplateKind.DEFECT
    )
    hostile = result("{{ ''.__class__.__mro__ }} {% raw %}")
    assert template.render(defect_variables(RUN, hostile, MAPPING)) == (
        "Failing: {{ ''.__class__.__mro__ }} {% raw %}"
    )


def test_the_sandbox_refuses_python_internals_at_render() -> None:
    template = compile_template(
        "templates.defect_summary",
        "{% if test.outcome == 'error' %}{{ test.name.__class__.__subclasses__() }}{% endif %}",
        TemplateKind.DEFECT,
    )
    with pytest.raises(TemplateError) as caught:
        template.render(defect_variables(RUN, result("x", outcome=Outcome.ERROR), MAPPING))
    assert str(caught.value) == (
        "templates.defect_summary (line 1): not allowed in a sandboxed template (access to "
        "attribute '__class__' of 'str' object is unsafe.)"
    )


def test_values_cannot_be_changed_by_a_template() -> None:
    with pytest.raises(ValueError) as caught:
        compile_template("templates.run_name", "{{ totals.update(total=0) }}", TemplateKind.RUN)
    assert str(caught.value) == (
        "template fails on sample values (line 1): not allowed in a sandboxed template (access to "
        "attribute 'update' of 'dict' object is unsafe.)"
    )


def test_clip_filter_says_how_much_was_cut() -> None:
    template = compile_template(
        "templates.result_comment", "{{ test.name | clip(5) }}", TemplateKind.RESULT
    )
    assert (
        template.render(comment_variables(RUN, result("abcdefgh"), MAPPING))
        == "abcde\n… (3 more characters)"
    )


def test_summary_overrides_may_use_the_markdown_filters_and_builtin_partials() -> None:
    template = compile_template("ci/summary.md.j2", "{{ title | inline }}\n", TemplateKind.SUMMARY)
    assert template.render({"title": "a|b"}) == "a\\|b"
    assert template.compiled.environment.get_template("plan.md.j2").name == "plan.md.j2"


RUN_NAMES: list[tuple[str, str | None, str, str]] = [
    (
        "input default, nothing configured",
        None,
        "{{ workflow }} #{{ run_number }} ({{ ref_name }})",
        "CI #56 (7/merge)",
    ),
    (
        "config wins over the input default",
        "Nightly {{ run_number }}",
        "{{ workflow }} #{{ run_number }} ({{ ref_name }})",
        "Nightly 56",
    ),
    (
        "an input set explicitly wins",
        "Nightly {{ run_number }}",
        "PR {{ head_ref }}",
        "PR feature/cart",
    ),
    ("an empty input means its default", None, "", "CI #56 (7/merge)"),
]


@pytest.mark.parametrize(
    ("case", "configured", "input_value", "expected"), RUN_NAMES, ids=[r[0] for r in RUN_NAMES]
)
def test_run_name_precedence(
    case: str, configured: str | None, input_value: str, expected: str
) -> None:
    text = f"templates:\n  run_name: '{configured}'\n" if configured else ""
    template = pick_run_name(config(text).templates.run_name, input_value)
    assert template.render(RUN) == expected


def test_a_broken_run_name_input_is_a_usage_error() -> None:
    with pytest.raises(TemplateError) as caught:
        pick_run_name(None, "{{ workflow ")
    assert str(caught.value) == (
        "input testrail_run_name: invalid template (line 1): unexpected end of template, "
        "expected 'end of print statement'."
    )


# -- what the sinks call ---------------------------------------------------------------------------


def test_result_comment_puts_the_flaky_note_first() -> None:
    flaky = result(
        "recalculates",
        outcome=Outcome.FLAKY,
        attempts=[Attempt(Outcome.FAILED, message="Timed out"), Attempt(Outcome.PASSED)],
    )
    cfg = config("templates:\n  result_comment: '{{ test.outcome }} ({{ mapping.status }})'\n")
    assert result_comment(cfg, RUN, flaky, MAPPING) == (
        "Flaky: passed on attempt 2 of 2; failed on attempt 1 (Timed out).\n\nflaky (failed)"
    )
    quiet = config("testrail:\n  results: {flaky_note: false}\n")
    assert result_comment(quiet, RUN, flaky, MAPPING).startswith("Flaky in 0.1s · [workflow run]")


def test_defect_texts_use_the_config_templates_or_the_defaults() -> None:
    cfg = config("templates:\n  defect_summary: '[{{ repository }}] {{ test.name }} fails'\n")
    summary, description = defect_texts(cfg, RUN, FAILED_WITH_TRACE, MAPPING)
    assert summary == "[acme/shop] appliesPercentageDiscount fails"
    assert description.startswith("com.acme.shop.CartTest › appliesPercentageDiscount failed in")


def test_run_values_are_rendered_once_per_run() -> None:
    cfg = config(
        "testrail:\n"
        "  run:\n"
        "    description: '{{ workflow }} on {{ ref_name }}'\n"
        "    refs: SHOP-1\n"
        "  results:\n"
        "    version: '{{ short_sha }}'\n"
        "    fields: {custom_env: '{{ job }}', custom_build: 56, custom_flags: [1, 2]}\n"
    )
    assert run_values(cfg, RUN) == {
        "description": "CI on 7/merge",
        "refs": "SHOP-1",
        "version": "89abcde",
        "fields": {"custom_env": "test", "custom_build": 56, "custom_flags": [1, 2]},
    }
    assert run_values(config(), RUN) == {
        "description": None,
        "refs": None,
        "version": None,
        "fields": {},
    }
