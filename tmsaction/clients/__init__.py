"""Typed API calls for TestRail, Jira and GitHub, each on the `http.HttpClient` funnel."""
