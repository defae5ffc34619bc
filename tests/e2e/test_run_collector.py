"""A run sets the test results aside from the cyclic garbage collector (`gc.freeze`) and gives
them back when it ends, however it ends; objects someone else froze are left as they were."""

from __future__ import annotations

import gc
import io
from pathlib import Path

import pytest
from tmsaction.__main__ import main

from tests.conftest import ROOT
from tests.e2e.test_dry_run import actions_env


def workspace_with_examples(tmp_path: Path) -> Path:
    workspace = tmp_path / "ws"
    (workspace / "reports").mkdir(parents=True)
    for source in (ROOT / "examples" / "reports").rglob("*.xml"):
        (workspace / "reports" / source.name).write_bytes(source.read_bytes())
    return workspace


@pytest.mark.parametrize("fail_on", ["nothing", "test-failures"])
def test_the_run_gives_frozen_objects_back(tmp_path: Path, fail_on: str) -> None:
    assert gc.get_freeze_count() == 0
    env = actions_env(workspace_with_examples(tmp_path), reports="reports/*.xml", dry_run="true")
    env["INPUT_FAIL_ON"] = fail_on
    main([], env, stdout=io.StringIO())  # modules a run imports on first use, imported already
    frozen: list[int] = []
    # The collector's callbacks see the freeze while the run is on: record it from there, with
    # a collection every few allocations so that the short run meets some.
    callback = lambda phase, info: frozen.append(gc.get_freeze_count())  # noqa: E731
    thresholds = gc.get_threshold()
    gc.set_threshold(50)
    gc.callbacks.append(callback)
    try:
        code = main([], env, stdout=io.StringIO())
        gc.collect(0)
    finally:
        gc.callbacks.remove(callback)
        gc.set_threshold(*thresholds)
    assert code == (0 if fail_on == "nothing" else 1)
    assert frozen[0] == 0
    assert max(frozen) > 0  # set aside during the run
    assert gc.get_freeze_count() == 0  # and given back


def test_objects_frozen_before_the_run_stay_frozen(tmp_path: Path) -> None:
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        env = actions_env(
            workspace_with_examples(tmp_path), reports="reports/*.xml", dry_run="true"
        )
        assert main([], env, stdout=io.StringIO()) == 0
        assert 0 < gc.get_freeze_count() <= before  # neither given back nor added to
    finally:
        gc.unfreeze()
