"""Find, read and check the mapping config; every problem is raised at once as `ConfigError`.

The only I/O of the config package: reading the config file and the summary/comment template
files it names. A missing config at the default path means defaults; a missing file named
explicitly by the `config` input is an error (the user meant a file that is not there).
"""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import Path

from tmsaction.config.keys import CONFIG, VERSION
from tmsaction.config.model import Config, TemplatesConfig
from tmsaction.config.spec import At, Problems
from tmsaction.config.yamlread import LineDict, YamlProblem, read_yaml
from tmsaction.errors import ConfigError
from tmsaction.templates import TemplateKind, compile_template

DEFAULT_PATH = ".github/tmsaction.yml"


@cache
def default_config() -> Config:
    """The config used when the repository has none."""
    problems = Problems("(defaults)")
    config = CONFIG.check(LineDict(version=VERSION), At("", None, problems))
    # The declared defaults are valid by construction; a failure here is a bug in keys*.py.
    assert isinstance(config, Config), problems.messages
    return config


def parse_config(text: str, source: str) -> Config:
    """Check config text (`source` names it in messages); raises `ConfigError` with every problem."""
    try:
        document = read_yaml(text)
    except YamlProblem as problem:
        where = source
        if problem.line:
            where += f":{problem.line}" + (f":{problem.column}" if problem.column else "")
        raise ConfigError([f"{where}: {problem.message}"]) from None
    if document is None:
        raise ConfigError([f"{source}: the file is empty; start it with 'version: 1'"])
    if not isinstance(document, dict):
        raise ConfigError(
            [
                f"{source}: expected key: value lines at the top of the file (version: 1, testrail: ...)"
            ]
        )
    problems = Problems(source)
    version = document.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version != VERSION:
        line = document.key_lines.get("version") if isinstance(document, LineDict) else None
        problems.add(
            "version",
            f"unsupported version {version}; this tmsaction reads version {VERSION} "
            "(use a newer tmsaction, or write the file for version 1)",
            line,
        )
        raise ConfigError(problems.messages)
    line = document.line if isinstance(document, LineDict) else None
    config = CONFIG.check(document, At("", line, problems))
    if problems or not isinstance(config, Config):
        raise ConfigError(problems.messages)
    return dataclasses.replace(config, source=source)


def load_config(workspace: Path, path: str, *, explicit: bool) -> Config:
    """The config at `path` (relative to the workspace). `explicit`: the user named this path, so a
    missing file is an error; otherwise a missing file means defaults."""
    file = _locate(workspace, path, explicit)
    if file is None:
        return default_config()
    shown = _shown(file, workspace)
    try:
        raw = file.read_bytes()
    except OSError as error:
        raise ConfigError([f"{shown}: cannot read the file ({error.strerror})"]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError([f"{shown}: not UTF-8 text; save the file as UTF-8"]) from None
    config = parse_config(text, shown)
    return _with_template_files(config, workspace, shown)


def _locate(workspace: Path, path: str, explicit: bool) -> Path | None:
    file = Path(path) if Path(path).is_absolute() else workspace / path
    if file.is_file():
        return file
    if file.is_dir():
        raise ConfigError([f"{path}: is a directory; the config input names the YAML file"])
    if explicit:
        raise ConfigError(
            [
                f"{path}: no such file (the config input names it, relative to the workspace "
                f"{workspace}); fix the path, or drop the input to use {DEFAULT_PATH} or defaults"
            ]
        )
    # `.yaml` is as common as `.yml`; accept it at the default location only.
    alternative = file.with_suffix(".yaml") if file.suffix == ".yml" else None
    if alternative is not None and alternative.is_file():
        return alternative
    return None


def _shown(file: Path, workspace: Path) -> str:
    try:
        return file.relative_to(workspace).as_posix()
    except ValueError:
        return file.as_posix()


def _with_template_files(config: Config, workspace: Path, source: str) -> Config:
    """Read and compile `templates.summary_file` / `comment_file` (paths checked at parse)."""
    templates = config.templates
    problems = Problems(source)
    compiled: dict[str, object] = {}
    for key, target in (("summary_file", "summary"), ("comment_file", "comment")):
        relative = getattr(templates, key)
        if relative is None:
            continue
        name = f"templates.{key}"
        file = workspace / relative
        try:
            text = file.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            problems.add(name, f"no such file '{relative}' (paths are relative to the workspace)")
            continue
        except (OSError, UnicodeDecodeError) as error:
            problems.add(name, f"cannot read '{relative}' as UTF-8 text ({error})")
            continue
        try:
            compiled[target] = compile_template(f"{relative}", text, TemplateKind.SUMMARY)
        except ValueError as error:
            problems.add(name, f"{relative}: {error}")
    if problems:
        raise ConfigError(problems.messages)
    if not compiled:
        return config
    new_templates: TemplatesConfig = dataclasses.replace(templates, **compiled)  # type: ignore[arg-type]
    return dataclasses.replace(config, templates=new_templates)
