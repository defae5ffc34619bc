"""The templates compiled when the image is built: used as they are, never stale, never written."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
import pytest
from tmsaction.render import compiled
from tmsaction.render.env import TEMPLATES, builtin_environment, make_environment
from tmsaction.render.summary import render_summary
from tmsaction.reports.collect import read_reports
from tmsaction.runreport import RunReport

from tests.conftest import FIXTURES, ROOT
from tests.unit.test_render import CONTEXT

GOLDENS = FIXTURES / "render"


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every template Jinja compiles from source, by name."""
    names: list[str] = []
    real: Any = jinja2.Environment.compile

    def compile_(self: jinja2.Environment, source: str, name: str | None = None, *a: Any,
                 **k: Any) -> Any:  # fmt: skip
        names.append(name or "")
        return real(self, source, name, *a, **k)

    monkeypatch.setattr(jinja2.Environment, "compile", compile_)
    builtin_environment.cache_clear()
    yield names
    builtin_environment.cache_clear()


def _examples() -> RunReport:
    return RunReport(
        reports=read_reports(ROOT / "examples", ("reports/**/*.xml",)), context=CONTEXT
    )


def test_a_run_renders_from_the_compiled_templates_without_compiling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, compiles: list[str]
) -> None:
    names = compiled.compile_builtin(tmp_path / "compiled")
    assert "summary.md.j2" in names
    assert sorted(names) == sorted(p.name for p in TEMPLATES.glob("*.j2"))
    assert len(compiles) == len(names)  # compiling them once, here
    written = {p.name: p.read_bytes() for p in (tmp_path / "compiled").iterdir()}
    assert len(written) == len(names)

    plain = render_summary(_examples())  # no compiled folder: compiled from source
    compiles.clear()
    builtin_environment.cache_clear()
    monkeypatch.setattr(compiled, "COMPILED", tmp_path / "compiled")
    assert render_summary(_examples()) == plain
    assert compiles == []
    assert {p.name: p.read_bytes() for p in (tmp_path / "compiled").iterdir()} == written


def test_a_changed_template_is_compiled_afresh_and_nothing_is_written(
    tmp_path: Path, compiles: list[str]
) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "t.md.j2").write_text("one {{ n }}")
    folder = tmp_path / "compiled"
    folder.mkdir()
    writer = make_environment(
        jinja2.FileSystemLoader(templates), jinja2.FileSystemBytecodeCache(str(folder))
    )
    assert writer.get_template("t.md.j2").render(n=1) == "one 1"
    before = sorted(p.name for p in folder.iterdir())
    assert len(before) == 1

    (templates / "t.md.j2").write_text("two {{ n }}")
    compiles.clear()
    reader = make_environment(jinja2.FileSystemLoader(templates), compiled.bytecode_cache(folder))
    assert reader.get_template("t.md.j2").render(n=2) == "two 2"
    assert compiles == ["t.md.j2"]
    assert sorted(p.name for p in folder.iterdir()) == before
    assert compiled.bytecode_cache(tmp_path / "absent") is None
