"""The Jinja2 environment for built-in templates, with the escaping filters. Pure."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2

from tmsaction.render.escape import code_block, inline, link

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


def add_filters(env: jinja2.Environment) -> jinja2.Environment:
    env.filters.update(
        inline=inline,
        code_block=code_block,
        link=link,
        duration=format_duration,
    )
    return env


@cache
def builtin_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=False,  # noqa: S701 - Markdown, not HTML; untrusted values go through filters
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    return add_filters(env)
