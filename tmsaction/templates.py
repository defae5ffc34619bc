"""User templates from the mapping config (run name, result comment, defect summary and description,
summary/comment overrides): compiled once in a sandboxed Jinja2 environment, with a documented set of
variables each, and errors that name the template's config key and line. Pure; no I/O.

Rules:
- Sandboxed (`ImmutableSandboxedEnvironment`): a template cannot reach Python internals or change
  the values it is given, whatever a test name or a config contributor writes.
- `StrictUndefined`: a misspelt variable is an error, never an empty string. Unknown top-level names
  are caught at load (`jinja2.meta`), and each template is rendered once against sample values so
  most attribute typos fail at load too, not in the middle of a sync.
- No autoescaping: the output goes to TestRail and Jira as text, which escape on their side; the
  Markdown filters (`inline`, `code_block`) are there for summary overrides.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

import jinja2
import jinja2.meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

from tmsaction.errors import TemplateError
from tmsaction.inputs import RunContext
from tmsaction.mapping.model import TestMapping
from tmsaction.model import Attempt, Outcome, TestResult, Totals
from tmsaction.render.env import TEMPLATES as BUILTIN_TEMPLATES
from tmsaction.render.env import add_filters

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


class TemplateKind(StrEnum):
    """Which variables a template sees (README "Templates" lists them)."""

    RUN = "run"  # run_name, run.description, run.refs, results.version, results.fields
    RESULT = "result"  # result_comment
    DEFECT = "defect"  # defect_summary, defect_description
    SUMMARY = "summary"  # summary_file, comment_file: the variables of the built-in summary


RUN_VARIABLES = (
    "workflow",
    "run_number",
    "run_id",
    "run_attempt",
    "run_url",
    "repository",
    "sha",
    "short_sha",
    "ref",
    "ref_name",
    "head_ref",
    "base_ref",
    "event_name",
    "job",
    "server_url",
    "totals",
)
VARIABLES: Mapping[TemplateKind, tuple[str, ...]] = {
    TemplateKind.RUN: RUN_VARIABLES,
    TemplateKind.RESULT: (*RUN_VARIABLES, "test", "mapping"),
    TemplateKind.DEFECT: (*RUN_VARIABLES, "test", "mapping", "stories", "cases"),
    TemplateKind.SUMMARY: (),  # defined by the renderer; not checked here
}


def clip(text: object, limit: int = 4000) -> str:
    """Keep the first `limit` characters and say how much was cut."""
    value = "" if text is None else str(text)
    if len(value) <= limit:
        return value
    return value[:limit] + f"\n… ({len(value) - limit} more characters)"


def strip_ansi(text: str | None) -> str | None:
    """Terminal colour codes render literally in TestRail and Jira (playwright-testrail-reporter#21)."""
    return _ANSI.sub("", text) if text and "\x1b" in text else text


def _environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # text for TestRail and Jira, not HTML (see the module docstring)
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
        loader=jinja2.FileSystemLoader(BUILTIN_TEMPLATES),
    )
    add_filters(env)
    env.filters["clip"] = clip
    return env


_ENV = _environment()


@dataclass(frozen=True, eq=False)
class ConfigTemplate:
    """One compiled template; `name` is where it is configured (`templates.run_name`)."""

    name: str
    source: str
    kind: TemplateKind
    compiled: jinja2.Template

    def render(self, variables: Mapping[str, object]) -> str:
        """Render; a failure raises `TemplateError` naming this template and the line."""
        try:
            text = self.compiled.render(variables)
        except jinja2.TemplateError as error:
            raise TemplateError(self.describe(error)) from None
        except Exception as error:  # a template must never crash the run: say which one failed
            raise TemplateError(self.describe(error)) from None
        # Trailing blank lines of a template are layout, not content (a run name, a comment).
        return text if self.kind is TemplateKind.SUMMARY else text.rstrip()

    def describe(self, error: BaseException) -> str:
        line = _template_line(error, self.name)
        where = f"{self.name} (line {line})" if line else self.name
        return f"{where}: {_explain(error)}"


def compile_template(name: str, source: str, kind: TemplateKind) -> ConfigTemplate:
    """Compile and check a template; problems raise `ValueError` with the line, for the loader.

    Unknown top-level variables and failures on sample values are reported here, at load.
    """
    try:
        ast = _ENV.parse(source, name=name)
        compiled = _ENV.from_string(ast, globals=None)
    except jinja2.TemplateSyntaxError as error:
        raise ValueError(f"invalid template (line {error.lineno}): {error.message}") from None
    except jinja2.TemplateError as error:
        raise ValueError(f"invalid template: {error}") from None
    # from_string(ast) names the template "<template>"; errors are mapped back by that name.
    template = ConfigTemplate(name, source, kind, compiled)
    allowed = VARIABLES[kind]
    if kind is TemplateKind.SUMMARY:
        return template
    unknown = sorted(jinja2.meta.find_undeclared_variables(ast) - set(allowed))
    if unknown:
        raise ValueError(
            f"unknown variable '{unknown[0]}'{_line_of(source, unknown[0])}; "
            f"available: {', '.join(allowed)}"
        )
    try:
        compiled.render(sample_variables(kind))
    except Exception as error:  # any failure on sample values is a config problem
        line = _template_line(error, "<template>")
        where = f" (line {line})" if line else ""
        raise ValueError(f"template fails on sample values{where}: {_explain(error)}") from None
    return template


def _line_of(source: str, name: str) -> str:
    pattern = re.compile(rf"\b{re.escape(name)}\b")
    for number, line in enumerate(source.splitlines(), start=1):
        if pattern.search(line):
            return f" (line {number})"
    return ""


def _template_line(error: BaseException, name: str) -> int | None:
    if isinstance(error, jinja2.TemplateSyntaxError):
        return error.lineno
    line = None
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename in (name, "<template>"):
            line = frame.lineno
    return line


def _explain(error: BaseException) -> str:
    if isinstance(error, jinja2.UndefinedError):
        return f"{error.message} (check the variable names in README, Templates)"
    if isinstance(error, jinja2.exceptions.SecurityError):
        return f"not allowed in a sandboxed template ({error})"
    return str(error) or type(error).__name__


# -- variables ------------------------------------------------------------------------------------


def run_variables(context: RunContext, totals: Totals | None = None) -> dict[str, object]:
    """The variables every template sees: the workflow run and the totals."""
    counts = totals or Totals()
    return {
        "workflow": context.workflow,
        "run_number": context.run_number,
        "run_id": context.run_id,
        "run_attempt": context.run_attempt,
        "run_url": context.run_url or "",
        "repository": context.repository,
        "sha": context.sha,
        "short_sha": context.sha[:7],
        "ref": context.ref,
        "ref_name": context.ref_name,
        "head_ref": context.head_ref,
        "base_ref": context.base_ref,
        "event_name": context.event_name,
        "job": context.job,
        "server_url": context.server_url,
        "totals": {
            "total": counts.total,
            "passed": counts.passed,
            "failed": counts.failed,
            "skipped": counts.skipped,
            "flaky": counts.flaky,
            "duration": counts.duration,
        },
    }


def _attempt(attempt: Attempt) -> dict[str, object]:
    return {
        "outcome": attempt.outcome.value,
        "duration": attempt.duration,
        "message": strip_ansi(attempt.message),
        "source": attempt.source,
    }


def result_view(result: TestResult) -> dict[str, object]:
    """`test`: one test result as plain values (colour codes removed from texts)."""
    properties: dict[str, str] = {}
    for key, value in result.properties:
        properties.setdefault(key, value)
    return {
        "name": result.name,
        "classname": result.classname,
        "suite": list(result.suite),
        "display": result.identity.display(),
        "outcome": result.outcome.value,
        "failed": result.outcome.is_failure,
        "duration": result.duration,
        "message": strip_ansi(result.message),
        "details": strip_ansi(result.details),
        "file": result.file,
        "line": result.line,
        "source": result.source,
        "tags": list(result.tags),
        "properties": properties,
        "parameters": result.parameters,
        "attempts": [_attempt(a) for a in result.attempts],
    }


def mapping_view(mapping: TestMapping) -> dict[str, object]:
    """`mapping`: where the test goes (strategy, cases, stories, route, status)."""
    return {
        "matched_by": mapping.matched_by.value if mapping.matched_by else None,
        "case_ids": [c.case_id for c in mapping.cases if c.case_id is not None],
        "cases": [
            {"id": c.case_id, "section": list(c.section_path), "title": c.title}
            for c in mapping.cases
        ],
        "stories": list(mapping.stories),
        "route": {"project": mapping.route.project, "suite": mapping.route.suite},
        "status": mapping.status,
        "reason": mapping.reason,
    }


def comment_variables(
    run: Mapping[str, object], result: TestResult, mapping: TestMapping
) -> dict[str, object]:
    """Variables of `result_comment`."""
    return {**run, "test": result_view(result), "mapping": mapping_view(mapping)}


def defect_variables(
    run: Mapping[str, object], result: TestResult, mapping: TestMapping
) -> dict[str, object]:
    """Variables of `defect_summary` and `defect_description`."""
    return {
        **comment_variables(run, result, mapping),
        "stories": list(mapping.stories),
        "cases": [c.case_id for c in mapping.cases if c.case_id is not None],
    }


def sample_variables(kind: TemplateKind) -> dict[str, object]:
    """Realistic values for checking a template at load."""
    context = RunContext(
        workspace=BUILTIN_TEMPLATES,
        repository="acme/shop",
        sha="0123456789abcdef0123456789abcdef01234567",
        ref="refs/heads/main",
        ref_name="main",
        run_id="1",
        run_number="1",
        workflow="CI",
        job="test",
        event_name="push",
    )
    run = run_variables(context, Totals(total=2, passed=1, failed=1))
    if kind is TemplateKind.RUN:
        return run
    result = TestResult(
        suite=("com.acme.shop.CartTest",),
        classname="com.acme.shop.CartTest",
        name="appliesDiscount",
        outcome=Outcome.FAILED,
        duration=0.5,
        source="reports/TEST-com.acme.shop.CartTest.xml",
        file="src/test/java/com/acme/shop/CartTest.java",
        line=42,
    )
    from tmsaction.mapping.model import CaseRef

    mapping = TestMapping(cases=(CaseRef(1),), stories=("SHOP-1",), status_id=5, status="failed")
    return defect_variables(run, result, mapping)
