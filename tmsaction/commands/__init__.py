"""Subcommands other than `run`: one module each (`validate`, `sandbox`, `demo`)."""
