"""Faithful, stateful emulators of the TestRail, Jira and GitHub REST APIs for the demo and tests."""
