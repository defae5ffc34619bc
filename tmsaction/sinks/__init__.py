"""Sinks execute a plan against one service and return an outcome; API errors become SyncProblems."""
