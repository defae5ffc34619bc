"""The built-in templates compiled once, when the image is built, instead of on every run.

A container starts fresh on every run, and compiling the summary's and comment's templates cost
about 0.15 s of each (a third of a small run's own time). `python -m tmsaction.render.compiled`
(a step of the Dockerfile) writes Jinja's bytecode of every built-in template next to them;
runs read it and never write it (a run must not write into the installed package). Jinja checks
each entry against the template's source and the Python version and compiles afresh when either
differs, so a stale or foreign entry costs a compile, never a wrong summary. Without the folder
(a checkout, a pip install) templates are compiled as before.
"""

from __future__ import annotations

import sys
from pathlib import Path

import jinja2

#: Where the image keeps the compiled templates.
COMPILED = Path(__file__).parent / "templates" / "__compiled__"


class ReadOnlyBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's file cache that loads and never stores."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        return None


def bytecode_cache(directory: Path | None = None) -> jinja2.BytecodeCache | None:
    """The compiled templates to read, when they were written."""
    folder = COMPILED if directory is None else directory
    return ReadOnlyBytecodeCache(str(folder)) if folder.is_dir() else None


def compile_builtin(directory: Path = COMPILED) -> list[str]:
    """Compile every built-in summary and comment template into `directory`; their names."""
    from tmsaction.render.env import TEMPLATES, make_environment

    directory.mkdir(parents=True, exist_ok=True)
    env = make_environment(
        jinja2.FileSystemLoader(TEMPLATES), jinja2.FileSystemBytecodeCache(str(directory))
    )
    names = env.list_templates(extensions=["j2"])
    for name in names:
        env.get_template(name)
    return names


if __name__ == "__main__":
    compiled = compile_builtin(Path(sys.argv[1]) if len(sys.argv) > 1 else COMPILED)
    print(f"compiled {len(compiled)} templates")
