"""Regenerate action.yml's inputs/outputs and README's input/output tables from tmsaction.inputs
and tmsaction.outputs, the one place each input is declared.

    python scripts/sync_interface.py          # rewrite the files
    python scripts/sync_interface.py --check  # exit 1 when they are out of date (used by tests)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from tmsaction.inputs import OPTIONS
from tmsaction.outputs import OUTPUT_HELP, OUTPUT_NAMES

ROOT = Path(__file__).resolve().parents[1]


def _yaml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def action_interface() -> str:
    lines = ["inputs:"]
    for option in OPTIONS:
        default = option.action_default if option.action_default is not None else option.default
        lines.append(f"  {option.name}:")
        lines.append(f"    description: {_yaml_string(option.help)}")
        lines.append("    required: false")
        if default:
            lines.append(f"    default: {_yaml_string(default)}")
    lines.append("outputs:")
    for name in OUTPUT_NAMES:
        lines.append(f"  {name}:")
        lines.append(f"    description: {_yaml_string(OUTPUT_HELP[name])}")
    return "\n".join(lines) + "\n"


def readme_inputs() -> str:
    rows = ["| input | default | meaning |", "|---|---|---|"]
    for option in OPTIONS:
        default = option.action_default if option.action_default is not None else option.default
        shown = f"`{default}`" if default else ""
        secret = " (secret)" if option.secret else ""
        rows.append(f"| `{option.name}` | {shown} | {option.help}{secret} |")
    return "\n".join(rows) + "\n"


def readme_outputs() -> str:
    rows = ["| output | meaning |", "|---|---|"]
    rows.extend(f"| `{name}` | {OUTPUT_HELP[name]} |" for name in OUTPUT_NAMES)
    return "\n".join(rows) + "\n"


def _replace_block(text: str, name: str, body: str) -> str:
    pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.S)
    if not pattern.search(text):
        raise SystemExit(f"README.md lacks the <!-- {name}:start --> / <!-- {name}:end --> markers")
    return pattern.sub(lambda m: m.group(1) + body + m.group(2), text)


def expected_files() -> dict[Path, str]:
    action_path = ROOT / "action.yml"
    action = action_path.read_text(encoding="utf-8")
    head = action.split("inputs:\n", 1)[0]
    tail = action.split("\nruns:", 1)[1]
    new_action = head + action_interface() + "runs:" + tail
    readme_path = ROOT / "README.md"
    readme = readme_path.read_text(encoding="utf-8")
    readme = _replace_block(readme, "inputs", readme_inputs())
    readme = _replace_block(readme, "outputs", readme_outputs())
    return {action_path: new_action, readme_path: readme}


def main(argv: list[str]) -> int:
    stale = [p for p, text in expected_files().items() if p.read_text(encoding="utf-8") != text]
    if "--check" in argv:
        for path in stale:
            print(f"{path.name} is out of date; run: python scripts/sync_interface.py")
        return 1 if stale else 0
    for path, text in expected_files().items():
        path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
