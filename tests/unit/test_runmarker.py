from __future__ import annotations

from tmsaction.runmarker import RunMarker, parse_marker


def test_round_trip_with_awkward_workflow_names() -> None:
    marker = RunMarker("acme/shop", "1234", "CI tests = nightly", "refs/heads/main", "0123abc")
    description = f"Nightly run\n\n---\nSynced by tmsaction\n{marker.line()}\n"
    assert parse_marker(description) == marker
    assert "workflow=CI%20tests%20%3D%20nightly" in marker.line()


def test_search_key_does_not_match_a_longer_run_id() -> None:
    mine = RunMarker("acme/shop", "1234", "CI")
    other = RunMarker("acme/shop", "12345", "CI")
    assert mine.search_key() in mine.line()
    assert mine.search_key() not in other.line()


def test_no_marker_or_a_broken_one_is_none() -> None:
    assert parse_marker(None) is None
    assert parse_marker("just a description") is None
    assert parse_marker("tmsaction-run: workflow=CI") is None


def test_same_workflow_ignores_run_ref_and_sha() -> None:
    a = RunMarker("acme/shop", "1", "CI", "refs/heads/main", "a")
    b = RunMarker("acme/shop", "2", "CI", "refs/pull/7/merge", "b")
    assert a.same_workflow(b)
    assert not a.same_workflow(RunMarker("acme/shop", "3", "Nightly"))
