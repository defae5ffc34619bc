"""Jinja2 environments for the summary and comment templates, with the escaping filters. Pure.

Built-in templates live in `render/templates/`. Overrides are template *sources* keyed by the
built-in name they replace (`{"summary.md.j2": "…"}`); whoever reads them from the config path
passes the text in, so rendering never touches files of the repository. Overrides are searched
first, so a repository can replace the whole summary or a single section partial.

Every environment is sandboxed: overrides come from the repository, and on `pull_request_target`
or `workflow_run` a pull request may have edited them; a sandboxed template can read the values
it is given but not reach Python internals.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from tmsaction.render.compiled import bytecode_cache
from tmsaction.render.escape import code_block, html_text, inline, link

TEMPLATES = Path(__file__).parent / "templates"


def format_duration(seconds: float | None) -> str:
    """`0.4s`, `12s`, `3m 05s`, `1h 02m`; empty for unknown."""
    if seconds is None:
        return ""
    if seconds < 10:
        return f"{seconds:.1f}s"
    whole = round(seconds)
    if whole < 3600:
        return f"{whole // 60}m {whole % 60:02d}s" if whole >= 60 else f"{whole}s"
    return f"{whole // 3600}h {whole % 3600 // 60:02d}m"


def format_count(number: int, singular: str, plural: str | None = None) -> str:
    """`1 test`, `2 tests`, `12,345 tests`."""
    word = singular if number == 1 else (plural or singular + "s")
    return f"{number:,} {word}"


def format_percent(value: float | None, digits: int = 1) -> str:
    """`83.5%`; `100%` and `0%` without decimals; empty for unknown."""
    if value is None:
        return ""
    if value in (0, 100):
        return f"{value:.0f}%"
    return f"{value:.{digits}f}%"


def add_filters(env: jinja2.Environment) -> jinja2.Environment:
    env.filters.update(
        inline=inline,
        html_text=html_text,
        code_block=code_block,
        link=link,
        duration=format_duration,
        count=format_count,
        percent=format_percent,
    )
    return env


def make_environment(
    loader: jinja2.BaseLoader, cache: jinja2.BytecodeCache | None
) -> jinja2.Environment:
    """The summary and comment environment; `cache`: compiled templates (`render/compiled.py`)."""
    env = ImmutableSandboxedEnvironment(
        loader=loader,
        bytecode_cache=cache,
        autoescape=False,  # Markdown, not HTML: untrusted values go through the filters
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    return add_filters(env)


def _environment(loader: jinja2.BaseLoader) -> jinja2.Environment:
    return make_environment(loader, bytecode_cache())


@cache
def builtin_environment() -> jinja2.Environment:
    return _environment(jinja2.FileSystemLoader(TEMPLATES))


def environment(overrides: Mapping[str, str] | None = None) -> jinja2.Environment:
    """The built-in environment, or one where `overrides` (name -> source) shadow built-ins."""
    if not overrides:
        return builtin_environment()
    return _environment(
        jinja2.ChoiceLoader(
            [jinja2.DictLoader(dict(overrides)), jinja2.FileSystemLoader(TEMPLATES)]
        )
    )
