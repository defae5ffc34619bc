"""`python -m tmsaction validate [path]`: check a mapping config locally, listing every problem."""

from __future__ import annotations

from pathlib import Path

import yaml

from tmsaction.errors import ConfigError
from tmsaction.ghactions import Console
from tmsaction.pipeline import Services


def validate_command(
    args: list[str], env: dict[str, str], console: Console, cwd: Path, services: Services
) -> int:
    path = Path(args[0]) if args else cwd / ".github" / "tmsaction.yml"
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([f"{path}: no such file"]) from None
    except yaml.YAMLError as error:
        raise ConfigError([f"{path}: not valid YAML ({error})"]) from None
    if not isinstance(document, dict) or document.get("version") != 1:
        raise ConfigError([f"{path} → version: must be 1"])
    console.info(f"{path}: valid")
    return 0
