"""The python:3.12-slim stand-in's inputs and the private daemon's layout (no Docker needed)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest
from scripts.docker import standin
from scripts.docker.daemon import Layout, cleanup, dockerd_argv, mounts_under, our_processes
from scripts.docker.standin import StandInError, cache_key, find_python, keep_python_file


@pytest.mark.parametrize(
    ("path", "kept"),
    [
        ("bin/python3.12", True),
        ("lib/libpython3.12.so.1.0", True),
        ("lib/python3.12/json/decoder.py", True),
        ("lib/python3.12/lib-dynload/_ssl.cpython-312-x86_64-linux-gnu.so", True),
        ("lib/python3.12/site-packages/pip/__init__.py", True),
        ("lib/python3.12/site-packages/pip-23.2.1.dist-info/RECORD", True),
        ("lib/python3.12/unittest/case.py", True),
        ("lib/python3.12/test/test_json.py", False),
        ("lib/python3.12/ctypes/test/test_funcptr.py", False),
        ("lib/python3.12/json/__pycache__/decoder.cpython-312.pyc", False),
        ("lib/python3.12/idlelib/idle.py", False),
        ("lib/python3.12/tkinter/__init__.py", False),
        ("lib/python3.12/lib-dynload/_tkinter.cpython-312-x86_64-linux-gnu.so", False),
        ("lib/python3.12/config-3.12-x86_64-linux-gnu/libpython3.12.a", False),
        ("lib/python3.12/site-packages/_machine_hook.pth", False),
        ("lib/python3.12/site-packages/requests/api.py", False),
        ("bin/idle3.12", False),
    ],
)
def test_the_stand_in_keeps_what_the_official_slim_image_ships(path: str, kept: bool) -> None:
    assert keep_python_file(PurePosixPath(path)) is kept


def fake_python(prefix: Path) -> Path:
    (prefix / "bin").mkdir(parents=True)
    (prefix / "bin" / "python3.12").write_text("#!binary")
    (prefix / "lib" / "python3.12" / "json").mkdir(parents=True)
    (prefix / "lib" / "python3.12" / "json" / "decoder.py").write_text("# decoder")
    return prefix


def test_the_newest_pyenv_312_is_found_and_an_explicit_prefix_wins(tmp_path: Path) -> None:
    pyenv = tmp_path / "pyenv"
    for version in ("3.12.1", "3.12.10", "3.11.7"):
        fake_python(pyenv / "versions" / version)
    assert find_python({"PYENV_ROOT": str(pyenv)}) == pyenv / "versions" / "3.12.10"
    explicit = fake_python(tmp_path / "opt" / "python")
    env = {"PYENV_ROOT": str(pyenv), "TMS_STANDIN_PYTHON": str(explicit)}
    assert find_python(env) == explicit


def test_no_python_312_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StandInError) as error:
        find_python({"PYENV_ROOT": str(tmp_path)})
    assert str(error.value) == (
        f"no CPython 3.12 found to put in the python:3.12-slim stand-in (looked at "
        f"{tmp_path}/versions/3.12.*); install one (pyenv install 3.12) or set TMS_STANDIN_PYTHON "
        "to the prefix of a CPython 3.12 built with --enable-shared"
    )


def test_the_cache_key_changes_with_the_python_files_and_the_mirror(tmp_path: Path) -> None:
    prefix = fake_python(tmp_path / "py")
    key = cache_key(prefix, standin.DEFAULT_MIRROR)
    assert key == cache_key(prefix, standin.DEFAULT_MIRROR)
    assert key != cache_key(prefix, "http://mirror.example/debian")
    (prefix / "lib" / "python3.12" / "json" / "decoder.py").write_text("# patched decoder")
    assert key != cache_key(prefix, standin.DEFAULT_MIRROR)


def test_the_private_daemon_owns_every_path_and_touches_no_network_in_host_mode() -> None:
    layout = Layout(Path("/tmp/tmsaction-docker.AbC123"))
    argv = dockerd_argv(layout, "host")
    assert argv[:6] == [
        "dockerd",
        "--host=unix:///tmp/tmsaction-docker.AbC123/docker.sock",
        "--data-root=/tmp/tmsaction-docker.AbC123/data",
        "--exec-root=/tmp/tmsaction-docker.AbC123/exec",
        "--pidfile=/tmp/tmsaction-docker.AbC123/docker.pid",
        "--cgroup-parent=tmsaction-docker-AbC123",
    ]
    assert {"--bridge=none", "--iptables=false", "--ip-forward=false"} <= set(argv)
    assert not {"--bridge=none", "--iptables=false"} & set(dockerd_argv(layout, "bridge"))
    assert layout.client_env()["DOCKER_HOST"] == "unix:///tmp/tmsaction-docker.AbC123/docker.sock"


def test_cleanup_of_a_run_that_started_nothing_finds_nothing(tmp_path: Path) -> None:
    report = cleanup(tmp_path)
    assert report.clean
    assert report.checked == [f"{tmp_path}: no daemon was started"]
    assert our_processes(tmp_path) == []
    assert mounts_under(tmp_path) == []
