"""The job summary (`GITHUB_STEP_SUMMARY`, or the terminal outside Actions). Pure.

Rendered from `summary.md.j2` at the most detail that fits GitHub's 1 MiB limit (`budget.py`).
A template override that fails is reported at the top of the summary and the built-in template
is used instead: a typo in a repository's template must not cost the run its summary.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import jinja2

from tmsaction.render.budget import (
    SUMMARY_BUDGET,
    SUMMARY_LEVELS,
    Budget,
    Detail,
    Fitted,
    fit,
)
from tmsaction.render.env import builtin_environment, environment
from tmsaction.render.escape import inline
from tmsaction.render.view import template_context, with_detail
from tmsaction.runreport import RunReport

SUMMARY_TEMPLATE = "summary.md.j2"


def cut_note(budget: Budget, report: RunReport, what: str) -> str:
    """The note put where a rendering was cut at the hard limit."""
    where = (
        f"`{inline(report.results_json)}` (step output `results_json`)"
        if report.results_json
        else "the test reports"
    )
    return (
        f"> ✂️ **The rest of this {what} was cut to fit {budget.description}.** "
        f"Every test result, with its full message and trace, is in {where}."
    )


def render_fitted(
    report: RunReport,
    template: str,
    levels: tuple[Detail, ...],
    budget: Budget,
    overrides: Mapping[str, str] | None,
    *,
    what: str,
    reserve: int = 0,
) -> Fitted:
    """Render `template` at the first budget level that fits; fall back to built-ins on a broken
    override, with a warning line on top."""
    context = template_context(report)

    def renderer(env: jinja2.Environment) -> Callable[[Detail], str]:
        def render(detail: Detail) -> str:
            variables: dict[str, Any] = with_detail(context, detail, budget)
            return env.get_template(template).render(variables)

        return render

    note = cut_note(budget, report, what)
    if not overrides:
        return fit(renderer(builtin_environment()), levels, budget, reserve=reserve, cut_note=note)
    try:
        return fit(renderer(environment(overrides)), levels, budget, reserve=reserve, cut_note=note)
    except jinja2.TemplateError as error:
        warning = override_warning(error, overrides) + "\n\n"
        fitted = fit(
            renderer(builtin_environment()),
            levels,
            budget,
            reserve=reserve + budget.measure(warning),
            cut_note=note,
        )
        text = warning + fitted.text
        return Fitted(text, fitted.detail, budget.measure(text), fitted.cut)


def override_warning(error: jinja2.TemplateError, overrides: Mapping[str, str]) -> str:
    """One line naming the broken override, the line and the problem; how to fix it."""
    name = getattr(error, "name", None) or getattr(error, "filename", None)
    line = getattr(error, "lineno", None)
    if not name or name not in overrides:
        name = ", ".join(sorted(overrides))
    where = f"{name}" + (f", line {line}" if line else "")
    return (
        f"> ⚠️ **The template override {inline(where)} failed:** {inline(str(error), 300)}. "
        "The built-in template is shown instead; fix the template and rerun."
    )


def render_summary(report: RunReport, overrides: Mapping[str, str] | None = None) -> str:
    """The job summary, at most 1,000,000 bytes (GitHub's limit is 1 MiB per step)."""
    return render_fitted(
        report, SUMMARY_TEMPLATE, SUMMARY_LEVELS, SUMMARY_BUDGET, overrides, what="summary"
    ).text
