"""Test results -> TestRail cases and Jira stories, as the mapping config says. Pure; no I/O."""
