from __future__ import annotations

from pathlib import Path

from tmsaction.reports.globs import expand


def make(root: Path, *paths: str) -> None:
    for path in paths:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("<testsuite/>")


def relative(root: Path, paths: list[Path]) -> list[str]:
    return [p.relative_to(root).as_posix() for p in paths]


def test_double_star_recurses_and_matches_zero_directories(tmp_path: Path) -> None:
    make(tmp_path, "TEST-a.xml", "m/target/TEST-b.xml", "m/target/other.xml", "x/y/z/TEST-c.xml")
    files, unmatched = expand(tmp_path, ["**/TEST-*.xml"])
    assert relative(tmp_path, files) == ["TEST-a.xml", "m/target/TEST-b.xml", "x/y/z/TEST-c.xml"]
    assert unmatched == []


def test_excludes_and_several_patterns(tmp_path: Path) -> None:
    make(tmp_path, "a/r1.xml", "a/skip/r2.xml", "b/r3.json")
    files, unmatched = expand(tmp_path, ["a/**/*.xml", "b/*.json", "!a/skip/**", "nothing/*.xml"])
    assert relative(tmp_path, files) == ["a/r1.xml", "b/r3.json"]
    assert unmatched == ["nothing/*.xml"]


def test_git_and_node_modules_are_skipped_unless_named(tmp_path: Path) -> None:
    make(tmp_path, ".git/TEST-x.xml", "node_modules/p/TEST-y.xml", "ok/TEST-z.xml")
    files, _ = expand(tmp_path, ["**/TEST-*.xml"])
    assert relative(tmp_path, files) == ["ok/TEST-z.xml"]
    files, _ = expand(tmp_path, ["node_modules/**/TEST-*.xml"])
    assert relative(tmp_path, files) == ["node_modules/p/TEST-y.xml"]


def test_braces_question_marks_and_literal_files(tmp_path: Path) -> None:
    make(tmp_path, "r/a1.xml", "r/b1.xml", "r/c1.xml", "single.xml")
    files, _ = expand(tmp_path, ["r/{a,b}?.xml", "./single.xml"])
    assert relative(tmp_path, files) == ["r/a1.xml", "r/b1.xml", "single.xml"]
