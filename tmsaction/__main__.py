"""Entry point: the only place that reads `sys.argv`, `os.environ` and the clock; errors -> exit codes.

python -m tmsaction [run] --reports 'build/**/*.xml' --dry-run
python -m tmsaction validate [.github/tmsaction.yml]
python -m tmsaction sandbox [--port N]
python -m tmsaction demo
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from tmsaction.errors import EXIT_BUG, TmsError
from tmsaction.ghactions import Console
from tmsaction.http import Redactor
from tmsaction.inputs import OPTIONS, RunContext, parse_inputs
from tmsaction.pipeline import Services, run

SUBCOMMANDS = ("run", "validate", "sandbox", "demo")


def _secrets_from_env(env: Mapping[str, str]) -> list[str]:
    names = [o.env for o in OPTIONS if o.secret] + ["GITHUB_TOKEN"]
    return [env[n] for n in names if env.get(n)]


def main(
    argv: Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
    *,
    stdout: TextIO | None = None,
    cwd: Path | None = None,
    services: Services | None = None,
) -> int:
    """Run tmsaction; tests call this with a dict environment and a StringIO."""
    args = list(sys.argv[1:] if argv is None else argv)
    environ = dict(os.environ if env is None else env)
    out = stdout or sys.stdout
    redact = Redactor(_secrets_from_env(environ))
    console = Console(out, in_actions=environ.get("GITHUB_ACTIONS") == "true", redact=redact)
    command = args.pop(0) if args and args[0] in SUBCOMMANDS else "run"
    try:
        handler = _command(command)
        return handler(args, environ, console, cwd or Path.cwd(), services or Services())
    except TmsError as error:
        for line in redact(str(error)).splitlines():
            console.error(line) if console.in_actions else out.write(f"error: {line}\n")
        return error.exit_code
    except KeyboardInterrupt:
        out.write("interrupted\n")
        return 130
    except Exception:  # anything else is a bug in tmsaction: say so, with the traceback
        out.write(
            "tmsaction hit a bug (this is not your configuration's fault); please report it with "
            "the traceback below:\n"
        )
        out.write(redact(traceback.format_exc()))
        return EXIT_BUG


Handler = Callable[[list[str], dict[str, str], Console, Path, Services], int]


def _run(
    args: list[str], env: dict[str, str], console: Console, cwd: Path, services: Services
) -> int:
    inputs = parse_inputs(args, env)
    context = RunContext.from_env(env, cwd)
    return run(inputs, context, console, services)


def _command(name: str) -> Handler:
    if name == "run":
        return _run
    if name == "validate":
        from tmsaction.commands.validate import validate_command

        return validate_command
    if name == "sandbox":
        from tmsaction.commands.sandbox import sandbox_command

        return sandbox_command
    from tmsaction.commands.demo import demo_command

    return demo_command


def console_main() -> None:
    sys.exit(main())


if __name__ == "__main__":
    console_main()
