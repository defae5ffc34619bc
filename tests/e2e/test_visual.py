"""Seeing the summary and the comment as a person does: the demo run rendered with cmark-gfm and
GitHub's CSS, its HTML structure checked always, screenshots taken when a headless Chromium is
installed (Debian: chromium-headless-shell)."""

from __future__ import annotations

import importlib.util
import struct
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import ROOT


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "render_summary", ROOT / "scripts" / "render_summary.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("render_summary", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def script() -> ModuleType:
    return load_script()


@pytest.fixture(scope="module")
def demo(script: ModuleType) -> tuple[str, str, str]:
    summary, comment, log = script.demo_markdown()
    return summary, comment, log


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_the_demo_summary_and_comment_render_with_their_structure_intact(
    script: ModuleType, demo: tuple[str, str, str], tmp_path: Path
) -> None:
    summary, comment, log = demo
    assert "Created the PR comment on #7" in log
    checks = script.render_pages(
        {"summary": summary, "comment": comment}, tmp_path, take_screenshots=False
    )
    assert checks["summary"].problems == ()
    assert checks["comment"].problems == ()
    # The three failures, each collapsed with its trace, the collapsed "other changes" and the
    # tests of each story; tables: what changed, coverage per section, stories, Jira defects.
    assert checks["summary"].details == 5
    assert checks["summary"].tables == 4
    text = checks["summary"].text
    assert "3 of 17 tests failed · 1 quality gate failed" in text
    assert "TestRail (Shop › Backend): R3 Shop CI #\u206042 (7/merge)" in text
    assert "What changed since Shop CI #\u206041 (main)" in text
    assert "1 new failure" in text
    assert "2 fixed" in text
    assert "SHOP-15 Card payment" in text  # a story from a TestRail case's refs, read from Jira
    assert "Filed 1, updated 4, resolved 2." in text  # the defects filed on main, followed up
    assert (checks["comment"].tables, checks["comment"].rows) == (1, 3)
    assert "🆕 New failures: C103 · com.acme.shop.CartTest › appliesPercentageDiscount" in (
        checks["comment"].text
    )
    page = (tmp_path / "summary.html").read_text(encoding="utf-8")
    assert "class='markdown-body'" in page
    assert ".markdown-body" in page  # github-markdown-css is inlined


def test_screenshots_of_the_demo(
    script: ModuleType, demo: tuple[str, str, str], tmp_path: Path
) -> None:
    if script.browser() is None:
        pytest.skip("no headless Chromium (apt install chromium-headless-shell)")
    summary, comment, _log = demo
    script.render_pages({"summary": summary, "comment": comment}, tmp_path, take_screenshots=True)
    for name in ("summary", "comment"):
        width, height = png_size(tmp_path / f"{name}.png")
        assert width == 900
        assert 300 < height < 6000  # the page's own height, not a fixed window
