"""See the job summary and the PR comment as a person does on GitHub.

    python scripts/render_summary.py [--out DIR] [--screenshot]
    python scripts/render_summary.py --workspace DIR --reports 'build/**/*.xml' [--screenshot]

Runs the demo of `make demo` through `main()`: the TestRail, Jira and GitHub emulators of the
sandbox (`tmsaction/sandbox/world.py`), a `pull_request` event on PR #7 of acme/shop over the
example reports and mapping config, after an earlier run of CI on `main` over the examples as they
were before the pull request (`previous_reports`), so that "what changed" compares with TestRail's
previous run. With `--workspace`, a run over `--reports` there with the PR comment only. It takes
the summary written to GITHUB_STEP_SUMMARY and the comment the emulator holds. Each is rendered
with cmarkgfm (GitHub's cmark-gfm) and styled with github-markdown-css (vendored in docs/vendor),
checked (`render/structure.py`: tables intact, nothing injected) and, with `--screenshot`,
photographed by Debian's `chromium-headless-shell` (apt install chromium-headless-shell
fonts-noto-color-emoji).

Writes DIR/{summary,comment}.{md,html} (and .png). Exits 1 when a structure check fails.
"""

from __future__ import annotations

import argparse
import io
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
from tmsaction.sandbox.github import DEMO_BASE_SHA
from tmsaction.sandbox.world import SandboxWorld

ROOT = Path(__file__).resolve().parents[1]
CSS = ROOT / "docs" / "vendor" / "github-markdown-light.css"
BROWSERS = ("chromium-headless-shell", "chromium", "chromium-browser")
REPOSITORY = "acme/shop"
SERVER_URL = "https://github.com"
WORKFLOW_REF = f"{REPOSITORY}/.github/workflows/ci.yml@refs/heads/main"
PREVIOUS_RUN_ID = "8675001"  # an earlier workflow run on main (run ids grow with time)


DEMO_INPUTS = {
    "reports": "reports/**/*.xml\nreports/**/*.json",
    "config": ".github/tmsaction.yml",
    "testrail_create_cases": "true",
    "jira_create_defects": "true",
    "comment": "always",
    "fail_on": "test-failures",
}
NO_SERVICES = {"testrail_url": "", "jira_url": ""}


def run_action(
    world: SandboxWorld,
    workspace: Path,
    log: io.StringIO,
    inputs: dict[str, str],
    **context: str,
) -> tuple[str, str]:
    """Run tmsaction on `workspace` for PR #7 of the sandbox's acme/shop (or, with `context`,
    another event); (summary, the PR comment)."""
    env = world.action_env(workspace, inputs=inputs)
    env["GITHUB_WORKFLOW_REF"] = WORKFLOW_REF
    env.update(context)
    summary_path = Path(env["GITHUB_STEP_SUMMARY"])
    summary_path.write_text("", encoding="utf-8")
    tmsaction_main([], env, stdout=log, cwd=workspace)
    comments = world.github.issue_comments(REPOSITORY, 7)
    return summary_path.read_text(encoding="utf-8"), comments[-1].body if comments else ""


def demo_markdown(
    workspace: Path | None = None, reports: str = "reports/**/*.xml"
) -> tuple[str, str, str]:
    """(summary, comment, log) of the demo: the action syncing TestRail, Jira and the PR comment
    over a copy of examples/, after an earlier run of CI on main that "what changed" compares
    with. With `workspace`, a run over its `reports` with the PR comment only."""
    log = io.StringIO()
    with SandboxWorld() as world, tempfile.TemporaryDirectory() as scratch:
        if workspace is not None:
            inputs = {**NO_SERVICES, "reports": reports, "comment": "always", "fail_on": "nothing"}
            summary, comment = run_action(world, workspace, log, inputs)
            return summary, comment, log.getvalue()
        previous = Path(scratch) / "previous"
        previous_reports(previous)
        run_action(
            world, previous, log, {**DEMO_INPUTS, "comment": "off"},
            GITHUB_EVENT_NAME="push", GITHUB_REF="refs/heads/main", GITHUB_REF_NAME="main",
            GITHUB_BASE_REF="", GITHUB_HEAD_REF="", GITHUB_SHA=DEMO_BASE_SHA,
            GITHUB_RUN_ID=PREVIOUS_RUN_ID, GITHUB_RUN_NUMBER="41",
        )  # fmt: skip
        workspace = Path(scratch) / "workspace"
        copy_examples(workspace)
        summary, comment = run_action(world, workspace, log, DEMO_INPUTS)
    return summary, comment, log.getvalue()


def copy_examples(workspace: Path) -> None:
    """The example workspace: reports, the mapping config and the screenshot a report names."""
    shutil.copytree(ROOT / "examples", workspace)


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
