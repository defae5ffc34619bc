"""tmsaction: test reports into TestRail and Jira, with a job summary and a PR comment."""

__version__ = "1.0.0"
