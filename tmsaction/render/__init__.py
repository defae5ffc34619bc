"""Markdown job summary and pull-request comment, rendered from Jinja2 templates. Pure; no I/O."""
