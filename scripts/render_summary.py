"""See the job summary and the PR comment as a person does on GitHub.

    python scripts/render_summary.py [--out DIR] [--screenshot]
    python scripts/render_summary.py --workspace DIR --reports 'build/**/*.xml' [--screenshot]

Runs the action through `main()` against the GitHub emulator (`seed_demo`: acme/shop, PR #7) on a
`pull_request` event, over the example reports and mapping config (or over `--reports` in
`--workspace`), and takes the summary written to GITHUB_STEP_SUMMARY and the comment the emulator
holds. For the demo, an earlier run on `main` is seeded first: the action runs over the examples
as they were before the pull request (`previous_reports`) and its results file becomes that run's
`tmsaction-results` artifact, so "what changed" has something to show. Each is rendered
with cmarkgfm (GitHub's cmark-gfm) and styled with github-markdown-css (vendored in docs/vendor),
checked (`render/structure.py`: tables intact, nothing injected) and, with `--screenshot`,
photographed by Debian's `chromium-headless-shell` (apt install chromium-headless-shell
fonts-noto-color-emoji).

Writes DIR/{summary,comment}.{md,html} (and .png). Exits 1 when a structure check fails.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

import cmarkgfm
from cmarkgfm.cmark import Options
from tmsaction.__main__ import main as tmsaction_main
from tmsaction.render.structure import Structure, check_html
from tmsaction.sandbox.github import DEMO_BASE_SHA, DEMO_HEAD_SHA, GitHubEmulator, seed_demo
from tmsaction.sandbox.server import SandboxServer

ROOT = Path(__file__).resolve().parents[1]
CSS = ROOT / "docs" / "vendor" / "github-markdown-light.css"
BROWSERS = ("chromium-headless-shell", "chromium", "chromium-browser")
REPOSITORY = "acme/shop"
SERVER_URL = "https://github.com"
WORKFLOW_REF = f"{REPOSITORY}/.github/workflows/ci.yml@refs/heads/main"
PREVIOUS_RUN_ID = "8675001"  # an earlier workflow run on main (run ids grow with time)


def run_action(
    workspace: Path, reports: str, github: GitHubEmulator, api_url: str, log: io.StringIO
) -> tuple[str, str]:
    """Run tmsaction on `workspace` for PR #7 of the emulated acme/shop; (summary, comment)."""
    summary_path = workspace / ".tmsaction-summary.md"
    summary_path.write_text("", encoding="utf-8")
    event = workspace / ".tmsaction-event.json"
    pull = {
        "number": 7,
        "head": {"ref": "feature/cart", "sha": DEMO_HEAD_SHA, "repo": {"full_name": REPOSITORY}},
        "base": {"ref": "main", "repo": {"full_name": REPOSITORY}},
    }
    event.write_text(json.dumps({"number": 7, "pull_request": pull}), encoding="utf-8")
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_STEP_SUMMARY": str(summary_path),
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": REPOSITORY,
        "GITHUB_SHA": DEMO_HEAD_SHA,
        "GITHUB_REF": "refs/pull/7/merge",
        "GITHUB_RUN_ID": "8675309",
        "GITHUB_RUN_NUMBER": "42",
        "GITHUB_WORKFLOW": "CI",
        "GITHUB_WORKFLOW_REF": WORKFLOW_REF,
        "GITHUB_BASE_REF": "main",
        "GITHUB_HEAD_REF": "feature/cart",
        "GITHUB_JOB": "test",
        "GITHUB_SERVER_URL": SERVER_URL,
        "GITHUB_API_URL": api_url,
        "INPUT_REPORTS": reports,
        "INPUT_GITHUB_TOKEN": "demo-token",
        "INPUT_COMMENT": "always",
        "INPUT_FAIL_ON": "test-failures",
    }
    tmsaction_main([], env, stdout=log, cwd=workspace)
    comments = github.issue_comments(REPOSITORY, 7)
    return summary_path.read_text(encoding="utf-8"), comments[-1].body if comments else ""


def demo_markdown(
    workspace: Path | None = None, reports: str = "reports/**/*.xml"
) -> tuple[str, str, str]:
    """(summary, comment, log) of a run over `workspace` (default: a copy of examples/, with an
    earlier run on main seeded so that "what changed" has something to compare with)."""
    github = seed_demo()
    log = io.StringIO()
    with SandboxServer(github) as server, tempfile.TemporaryDirectory() as scratch:
        if workspace is None:
            workspace = Path(scratch) / "workspace"
            copy_examples(workspace)
            seed_previous_run(github, server.url, Path(scratch) / "previous", log)
        summary, comment = run_action(workspace, reports, github, server.url, log)
    return summary, comment, log.getvalue()


def copy_examples(workspace: Path) -> None:
    shutil.copytree(ROOT / "examples" / "reports", workspace / "reports")
    config = workspace / ".github" / "tmsaction.yml"
    config.parent.mkdir(parents=True)
    shutil.copy(ROOT / "examples" / ".github" / "tmsaction.yml", config)


def _testcase(tree: ET.ElementTree[ET.Element], name: str) -> ET.Element:
    found = tree.getroot().find(f".//testcase[@name='{name}']")
    assert found is not None, f"examples changed: no test {name}"
    return found


def previous_reports(workspace: Path) -> None:
    """The example reports as they were on main before the pull request: the discount test still
    passed, merging quantities and the wrong-password message failed, the total test was not
    flaky yet, the confirmation-email test (case C106) did not exist, and a remembered-session
    login test did (it was removed since)."""
    copy_examples(workspace)
    backend = workspace / "reports" / "backend"
    cart = ET.parse(backend / "TEST-com.acme.shop.CartTest.xml")
    discount = _testcase(cart, "appliesPercentageDiscount")
    for child in list(discount):
        if child.tag in ("failure", "system-out"):
            discount.remove(child)
    total = _testcase(cart, "recalculatesTotalAfterRemoval")
    for child in list(total):
        if child.tag == "flakyFailure":
            total.remove(child)
    merges = _testcase(cart, "mergesQuantitiesOfSameItem")
    failure = ET.SubElement(merges, "failure", message="expected quantity: <2> but was: <1>")
    failure.text = "org.opentest4j.AssertionFailedError: expected quantity: <2> but was: <1>"
    cart.write(backend / "TEST-com.acme.shop.CartTest.xml", encoding="utf-8")
    checkout = ET.parse(backend / "TEST-com.acme.shop.CheckoutTest.xml")
    checkout.getroot().remove(_testcase(checkout, "sendsConfirmationEmail"))
    checkout.write(backend / "TEST-com.acme.shop.CheckoutTest.xml", encoding="utf-8")
    web = ET.parse(workspace / "reports" / "web" / "junit-playwright.xml")
    wrong_password = _testcase(web, "Login › shows an error for a wrong password @C202 @SHOP-3")
    failure = ET.SubElement(wrong_password, "failure", message="locator('.error') not visible")
    failure.text = "Error: expect(locator('.error')).toBeVisible() failed"
    login = web.getroot().find("testsuite[@name='login.spec.ts']")
    assert login is not None, "examples changed: no login.spec.ts suite"
    ET.SubElement(
        login,
        "testcase",
        name="Login › remembers the session @C201 @SHOP-3",
        classname="login.spec.ts",
        time="1.2",
    )
    web.write(workspace / "reports" / "web" / "junit-playwright.xml", encoding="utf-8")


def seed_previous_run(
    github: GitHubEmulator, api_url: str, scratch: Path, log: io.StringIO
) -> None:
    """Run the action on main over `previous_reports` and keep its results file as the
    `tmsaction-results` artifact of the seeded earlier run of CI on main."""
    previous_reports(scratch)
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(scratch),
        "GITHUB_STEP_SUMMARY": str(scratch / ".tmsaction-summary.md"),
        "GITHUB_EVENT_NAME": "push",
        "GITHUB_REPOSITORY": REPOSITORY,
        "GITHUB_SHA": DEMO_BASE_SHA,
        "GITHUB_REF": "refs/heads/main",
        "GITHUB_REF_NAME": "main",
        "GITHUB_RUN_ID": PREVIOUS_RUN_ID,
        "GITHUB_RUN_NUMBER": "41",
        "GITHUB_WORKFLOW": "CI",
        "GITHUB_WORKFLOW_REF": WORKFLOW_REF,
        "GITHUB_JOB": "test",
        "GITHUB_SERVER_URL": SERVER_URL,
        "GITHUB_API_URL": api_url,
        "INPUT_REPORTS": "reports/**/*.xml",
        "INPUT_GITHUB_TOKEN": "demo-token",
        "INPUT_COMMENT": "off",
    }
    tmsaction_main([], env, stdout=log, cwd=scratch)
    runs = [r for r in github.repo(REPOSITORY).actions.runs.values() if r.head_branch == "main"]
    runs[-1].run_number = 41
    results = (scratch / "tmsaction-results.json").read_bytes()
    github.actions.add_artifact(
        REPOSITORY, runs[-1].id, "tmsaction-results", {"tmsaction-results.json": results}
    )


def to_html(markdown: str) -> str:
    """GitHub-flavoured Markdown -> HTML with cmark-gfm, raw HTML kept (so injections show)."""
    return str(
        cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    )


def allowed_link(href: str) -> bool:
    """Links our templates write: the workflow run and the comment (GitHub or the emulator)."""
    return href.startswith((f"{SERVER_URL}/{REPOSITORY}/", "http://127.0.0.1:"))


def page(fragment: str, title: str) -> str:
    """A standalone page styled as GitHub renders Markdown (github-markdown-css, light)."""
    css = CSS.read_text(encoding="utf-8")
    return (
        "<!doctype html>\n<html><head><meta charset='utf-8'>"
        f"<title>{title}</title><style>{css}</style>"
        "<style>body{margin:0;background:#fff}.markdown-body{box-sizing:border-box;"
        "max-width:980px;margin:0 auto;padding:32px}</style></head>\n"
        f"<body><article class='markdown-body'>\n{fragment}</article></body></html>\n"
    )


def browser() -> str | None:
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def _chromium(binary: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [binary, "--no-sandbox", "--disable-gpu", "--hide-scrollbars", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def screenshot(html_path: Path, png_path: Path, width: int = 900) -> bool:
    """Photograph the page at its full height; False when no headless Chromium is installed."""
    binary = browser()
    if binary is None:
        return False
    # First pass: let the page report its height, so the picture holds all of it and no more.
    probe = html_path.with_suffix(".probe.html")
    probe.write_text(
        html_path.read_text(encoding="utf-8").replace(
            "</body>",
            "<script>document.body.setAttribute('data-height',Math.ceil("
            "document.querySelector('article').getBoundingClientRect().bottom))</script></body>",
        ),
        encoding="utf-8",
    )
    dom = _chromium(binary, f"--window-size={width},1000", "--dump-dom", probe.as_uri())
    probe.unlink()
    found = re.search(r'data-height="(\d+)"', dom.stdout)
    height = min(8000, int(found.group(1))) if found else 1400
    result = _chromium(
        binary, f"--window-size={width},{height}", f"--screenshot={png_path}", html_path.as_uri()
    )
    if result.returncode != 0 or not png_path.exists():
        raise RuntimeError(f"{binary} failed: {result.stderr.strip()[-500:]}")
    return True


def render_pages(
    documents: dict[str, str], out: Path, *, take_screenshots: bool
) -> dict[str, Structure]:
    """Write NAME.md and NAME.html (and NAME.png) for each document; the structure of each."""
    out.mkdir(parents=True, exist_ok=True)
    checks: dict[str, Structure] = {}
    for name, markdown in documents.items():
        fragment = to_html(markdown)
        checks[name] = check_html(fragment, allowed_link)
        (out / f"{name}.md").write_text(markdown, encoding="utf-8")
        html_path = out / f"{name}.html"
        html_path.write_text(page(fragment, f"tmsaction {name}"), encoding="utf-8")
        if take_screenshots and not screenshot(html_path, out / f"{name}.png"):
            print(f"no headless Chromium ({', '.join(BROWSERS)}): no screenshot of {name}")
    return checks


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("build/render"), help="output folder")
    parser.add_argument("--screenshot", action="store_true", help="also write PNG screenshots")
    parser.add_argument("--workspace", type=Path, help="run over these reports, not the examples")
    parser.add_argument("--reports", default="reports/**/*.xml", help="globs in the workspace")
    options = parser.parse_args(argv)
    summary, comment, _log = demo_markdown(options.workspace, options.reports)
    checks = render_pages(
        {"summary": summary, "comment": comment}, options.out, take_screenshots=options.screenshot
    )
    failed = False
    for name, structure in checks.items():
        verdict = "ok" if structure.ok else "PROBLEMS"
        print(
            f"{name}: {verdict}: {structure.tables} tables, {structure.rows} rows, "
            f"{structure.details} collapsed blocks, {len(structure.links)} links -> {options.out}"
        )
        for problem in structure.problems:
            print(f"  {problem}")
        failed = failed or not structure.ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
