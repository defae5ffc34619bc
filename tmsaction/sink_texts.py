"""The texts tmsaction sends: the TestRail run name, result comments and run values, and the Jira
defect summary and description, rendered from the config's templates or the built-in defaults
below. The TestRail and Jira sinks call these; nothing here talks to an API. Pure; no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from tmsaction.config.model import Config
from tmsaction.errors import TemplateError
from tmsaction.inputs import OPTION_BY_NAME
from tmsaction.mapping.model import TestMapping
from tmsaction.mapping.outcomes import flaky_note
from tmsaction.model import TestResult
from tmsaction.templates import (
    ConfigTemplate,
    TemplateKind,
    comment_variables,
    compile_template,
    defect_variables,
)

DEFAULT_RESULT_COMMENT = """\
{{ test.outcome | capitalize }}\
{% if test.duration is not none %} in {{ test.duration | duration }}{% endif %}\
{% if run_url %} · [workflow run]({{ run_url }}){% endif %} · {{ test.source }}
{% if test.message %}

{{ test.message }}
{% endif %}
{% if test.details and test.details != test.message %}

{{ test.details | clip(4000) | indent(4, first=True) }}
{% endif %}"""

DEFAULT_DEFECT_SUMMARY = "Failing test: {{ test.display }}"

DEFAULT_DEFECT_DESCRIPTION = """\
{{ test.display }} {{ test.outcome }} in {{ repository or "this repository" }}\
{% if ref_name %} on {{ ref_name }}{% endif %}{% if short_sha %} ({{ short_sha }}){% endif %}.
{% if test.message %}

{{ test.message }}
{% endif %}
{% if test.details %}

```
{{ test.details | clip(20000) }}
```
{% endif %}
{% if run_url %}

Workflow run: {{ run_url }}
{% endif %}
{% if stories %}
Stories: {{ stories | join(", ") }}
{% endif %}
{% if cases %}
TestRail cases: {% for id in cases %}C{{ id }}{{ ", " if not loop.last }}{% endfor %}

{% endif %}"""


def pick_run_name(configured: ConfigTemplate | None, input_value: str) -> ConfigTemplate:
    """The run name template: the `testrail_run_name` input when set to something other than its
    default, else `templates.run_name` from the config, else the input's default."""
    default = OPTION_BY_NAME["testrail_run_name"].default
    if configured is not None and input_value in ("", default):
        return configured
    try:
        return compile_template("input testrail_run_name", input_value or default, TemplateKind.RUN)
    except ValueError as error:
        raise TemplateError(f"input testrail_run_name: {error}") from None


@cache
def _default(name: str, source: str, kind: TemplateKind) -> ConfigTemplate:
    return compile_template(name, source, kind)


def result_comment(
    config: Config, run: Mapping[str, object], result: TestResult, mapping: TestMapping
) -> str:
    """The TestRail result comment: `templates.result_comment` (or the default), with the flaky
    note first when `testrail.results.flaky_note` is on. Raises `TemplateError`."""
    template = config.templates.result_comment or _default(
        "templates.result_comment", DEFAULT_RESULT_COMMENT, TemplateKind.RESULT
    )
    text = template.render(comment_variables(run, result, mapping))
    note = flaky_note(result) if config.testrail.results.flaky_note else None
    return f"{note}\n\n{text}" if note else text


def defect_texts(
    config: Config, run: Mapping[str, object], result: TestResult, mapping: TestMapping
) -> tuple[str, str]:
    """(summary, description) of a new Jira defect, from the templates or their defaults.
    Truncation to Jira's limits is the Jira client's job. Raises `TemplateError`."""
    variables = defect_variables(run, result, mapping)
    summary = config.templates.defect_summary or _default(
        "templates.defect_summary", DEFAULT_DEFECT_SUMMARY, TemplateKind.DEFECT
    )
    description = config.templates.defect_description or _default(
        "templates.defect_description", DEFAULT_DEFECT_DESCRIPTION, TemplateKind.DEFECT
    )
    return summary.render(variables), description.render(variables)


def run_values(config: Config, run: Mapping[str, object]) -> dict[str, object]:
    """The run-level values for TestRail, rendered once per run: `description`, `refs`,
    `version` (of each result) and the custom result `fields` (text values are templates)."""
    testrail = config.testrail
    fields = {
        name: value.render(run) if isinstance(value, ConfigTemplate) else value
        for name, value in testrail.results.fields.items()
    }
    return {
        "description": testrail.run.description.render(run) if testrail.run.description else None,
        "refs": testrail.run.refs.render(run) if testrail.run.refs else None,
        "version": testrail.results.version.render(run) if testrail.results.version else None,
        "fields": fields,
    }
