from __future__ import annotations

import io
from pathlib import Path

from tmsaction.ghactions import (
    Console,
    format_command,
    format_outputs,
    parse_outputs,
    write_outputs,
)


def test_command_data_and_properties_are_escaped() -> None:
    line = format_command("error", "50% done\n::add-mask::x", {"file": "a,b:c.py", "line": 3})
    assert line == "::error file=a%2Cb%3Ac.py,line=3::50%25 done%0A::add-mask::x"


def test_untrusted_log_lines_are_fenced_with_stop_commands() -> None:
    out = io.StringIO()
    Console(out, in_actions=True).info("test ::set-env name=X::1")
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("::stop-commands::")
    token = lines[0].split("::")[2]
    assert lines[1] == "test ::set-env name=X::1"
    assert lines[2] == f"::{token}::"


def test_annotations_are_capped_per_level() -> None:
    out = io.StringIO()
    console = Console(out, in_actions=True)
    shown = [console.error(f"e{i}") for i in range(12)]
    assert shown.count(True) == 10
    assert out.getvalue().count("::error") == 10


def test_outputs_use_a_delimiter_absent_from_the_value(tmp_path: Path) -> None:
    text = format_outputs({"a": "1", "b": "two\nlines"})
    assert text.split("<<", 1)[0] == "a"
    path = tmp_path / "out"
    write_outputs(path, {"x": "ghadelimiter_"})
    parsed = path.read_text().splitlines()
    assert parsed[0].startswith("x<<ghadelimiter_")
    assert parsed[1] == "ghadelimiter_"
    assert parsed[2] == parsed[0].split("<<")[1]


def test_console_redacts_everything_it_prints() -> None:
    out = io.StringIO()
    Console(out, in_actions=False, redact=lambda s: s.replace("tok123", "***")).info("x tok123")
    assert out.getvalue() == "x ***\n"


def test_parse_outputs_reads_back_what_format_outputs_writes() -> None:
    values = {"total": "12", "summary": "two\nlines", "empty": "", "tricky": "a<<b=c"}
    assert parse_outputs(format_outputs(values) + "legacy=value\n") == {**values, "legacy": "value"}
