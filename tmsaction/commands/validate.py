"""`python -m tmsaction validate [path]`: check a mapping config locally, listing every problem.

Exit 0 with a short description of what the config does; exit 2 with every problem (file, line,
key path, hint), exactly as the action would report them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tmsaction.config.keys import SCHEMA_URL
from tmsaction.config.load import DEFAULT_PATH, load_config
from tmsaction.config.model import Config
from tmsaction.errors import ConfigError
from tmsaction.ghactions import Console
from tmsaction.pipeline import Services


def validate_command(
    args: list[str], env: dict[str, str], console: Console, cwd: Path, services: Services
) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tmsaction validate",
        description="Check a tmsaction mapping config and list every problem.",
    )
    parser.add_argument(
        "path", nargs="?", default=DEFAULT_PATH, help=f"config file (default: {DEFAULT_PATH})"
    )
    parser.add_argument(
        "--workspace",
        default=None,
        help="repository root that template file paths are relative to (default: current directory)",
    )
    options = parser.parse_args(args)
    workspace = Path(options.workspace) if options.workspace else cwd
    path = Path(options.path)
    if not (path if path.is_absolute() else workspace / path).exists():
        raise ConfigError(
            [
                f"{options.path}: no such file (without a config file tmsaction uses its "
                "defaults; pass the path of the file to check)"
            ]
        )
    config = load_config(workspace, options.path, explicit=True)
    for line in describe(config):
        console.info(line)
    return 0


def describe(config: Config) -> list[str]:
    """What a valid config does, in a few lines."""
    testrail = config.testrail
    coverage = config.coverage
    order = ", ".join(strategy.value for strategy in testrail.match)
    lines = [
        f"{config.source}: valid (version 1)",
        f"  matching order: {order}",
        f"  routes: {len(testrail.routes)} · pinned entries: {len(testrail.pinned)}",
    ]
    statuses = ", ".join(
        f"{outcome.value} → {choice.label or 'nothing'}"
        for outcome, choice in testrail.results.status.items()
    )
    lines.append(f"  statuses: {statuses}")
    filters = len(coverage.regression)
    suite = f"{filters} {'filter' if filters == 1 else 'filters'}" if filters else "every case"
    lines.append(f"  regression suite: {suite} · quality gates: {len(coverage.gates)}")
    lines.append(f"  editor support: # yaml-language-server: $schema={SCHEMA_URL}")
    return lines
