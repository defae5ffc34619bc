"""`python -m tmsaction demo`: the action end to end on the built-in examples, no accounts needed."""

from __future__ import annotations

from pathlib import Path

from tmsaction.ghactions import Console
from tmsaction.inputs import RunContext, parse_inputs
from tmsaction.pipeline import Services, run

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def demo_command(
    args: list[str], env: dict[str, str], console: Console, cwd: Path, services: Services
) -> int:
    workspace = EXAMPLES if EXAMPLES.is_dir() else cwd
    demo_env = {"HOME": env.get("HOME", "")}
    inputs = parse_inputs(
        [
            "--reports",
            "reports/**/*.xml,reports/**/*.json",
            "--config",
            ".github/tmsaction.yml",
            "--dry-run",
            *args,
        ],
        demo_env,
    )
    context = RunContext.from_env({"GITHUB_WORKSPACE": str(workspace)}, workspace)
    console.info(f"tmsaction demo: dry run over the example reports in {workspace}\n")
    run(inputs, context, console, services)
    return 0
