"""A stateful Jira Cloud (REST v3/v2) and Data Center (REST v2) emulator; `emulator.JiraEmulator`."""
