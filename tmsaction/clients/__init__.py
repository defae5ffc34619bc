"""Typed API clients for TestRail, Jira and GitHub, each on the `http.py` funnel."""
