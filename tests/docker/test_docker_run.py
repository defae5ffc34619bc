"""The image run the way other CI systems run it (examples/ci): `docker run` with INPUT_*
variables passed by name and a non-root user (Jenkins), and the `tmsaction` command in a script
(GitLab's `image:`). No act here: these are plain containers on the private daemon."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from tmsaction.inputs import OPTIONS

from tests.conftest import ROOT
from tests.docker.act import ActEnvironment


def docker_run(
    environment: ActEnvironment, *args: str, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["docker", "run", "--rm", "--network", "none", *args],
        env={**os.environ, **environment.docker_env, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def workspace(act_environment: ActEnvironment, request: pytest.FixtureRequest) -> Path:
    path = act_environment.work / "docker-run" / str(request.node.name)
    shutil.copytree(ROOT / "examples" / "reports", path / "target" / "reports")
    path.chmod(0o777)  # the container's non-root user writes tmsaction-results.json here
    return path


def test_jenkins_style_docker_run_with_inputs_passed_by_name(
    act_environment: ActEnvironment, workspace: Path
) -> None:
    secret = "tr-key-from-jenkins-credentials"
    # A PYTHONPATH set for the tests, holding a module that shadows a dependency: -E ignores it.
    (workspace / "src").mkdir()
    (workspace / "src" / "requests.py").write_text("raise SystemExit('shadowed requests')\n")
    env = {
        "INPUT_REPORTS": "target/reports/**/*.xml",
        "INPUT_DRY_RUN": "true",
        "INPUT_FAIL_ON": "sync-errors",
        "INPUT_TESTRAIL_API_KEY": secret,
        "PYTHONPATH": "/workspace/src",
    }
    result = docker_run(
        act_environment,
        "--user", "1234:1234",
        "--volume", f"{workspace}:/workspace", "--workdir", "/workspace",
        *[arg for name in env for arg in ("--env", name)],
        act_environment.image,
        env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    # No GITHUB_STEP_SUMMARY: the summary is printed, headline first.
    assert re.search(r"^## ❌ .*\(dry run\)$", result.stdout, re.M), result.stdout
    assert "**12 tests**" in result.stdout
    assert secret not in result.stdout + result.stderr
    results_file = workspace / "tmsaction-results.json"
    assert results_file.stat().st_uid == 1234  # the CI user owns what the container wrote
    assert json.loads(results_file.read_text(encoding="utf-8"))["totals"]["total"] == 12


def test_gitlab_style_script_runs_the_tmsaction_command(
    act_environment: ActEnvironment, workspace: Path
) -> None:
    result = docker_run(
        act_environment,
        "--volume", f"{workspace}:/builds/acme/shop", "--workdir", "/builds/acme/shop",
        "--env", "TESTRAIL_API_KEY",
        "--entrypoint", "",
        act_environment.image,
        "sh", "-c",
        'export INPUT_TESTRAIL_API_KEY="$TESTRAIL_API_KEY"; '
        "tmsaction --reports 'target/reports/**/*.xml' --dry-run --fail-on test-failures",
        env={"TESTRAIL_API_KEY": "masked-gitlab-variable"},
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr  # 2 tests failed
    assert (
        "error: tmsaction failed the step: 2 tests failed (fail_on: test-failures)" in result.stdout
    )
    for test in (
        "CartTest › appliesPercentageDiscount",
        "CheckoutTest › guestCheckoutCreatesOrder",
    ):
        assert f"<b>com.acme.shop.{test}</b>" in result.stdout  # listed under the failures


def test_bad_input_exits_2_naming_the_input_and_every_flag_is_listed(
    act_environment: ActEnvironment,
) -> None:
    bad = docker_run(
        act_environment, "--env", "INPUT_COMMENT=sometimes", act_environment.image, env={}
    )
    assert bad.returncode == 2
    assert (
        "error: input comment: 'sometimes' is not one of always, failures, changes, off."
        in bad.stdout
    )
    usage = docker_run(act_environment, act_environment.image, "--help", env={})
    assert usage.returncode == 0
    for option in OPTIONS:
        assert option.flag in usage.stdout


def test_the_image_renders_from_templates_compiled_when_it_was_built(
    act_environment: ActEnvironment,
) -> None:
    """Every built-in template has its compiled entry, and rendering compiles none from source
    (tmsaction/render/compiled.py; a fresh container would otherwise compile them every run)."""
    probe = (
        "import jinja2\n"
        "from tmsaction.render.compiled import COMPILED\n"
        "from tmsaction.render.env import TEMPLATES, builtin_environment\n"
        "compiled = []\n"
        "real = jinja2.Environment.compile\n"
        "def counting(self, source, name=None, *a, **k):\n"
        "    compiled.append(name)\n"
        "    return real(self, source, name, *a, **k)\n"
        "jinja2.Environment.compile = counting\n"
        "env = builtin_environment()\n"
        "names = sorted(p.name for p in TEMPLATES.glob('*.j2'))\n"
        "for name in names:\n"
        "    env.get_template(name)\n"
        "print(len(names), len(list(COMPILED.iterdir())), compiled)\n"
    )
    result = docker_run(
        act_environment,
        "--workdir", "/opt/tmsaction", "--entrypoint", "python",
        act_environment.image, "-E", "-s", "-B", "-c", probe,
        env={},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    templates, entries, compiled = result.stdout.split(maxsplit=2)
    assert int(templates) >= 15
    assert entries == templates
    assert compiled.strip() == "[]"
