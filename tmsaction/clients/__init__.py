"""Typed API clients on the HTTP funnel: `testrail.py` (+ `testrail_snapshot.py`, the catalogue
reader), `jira.py`, `github.py`."""
