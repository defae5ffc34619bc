"""Maintainer scripts; `scripts.docker` is the `make test-docker` driver (run with `python -m`)."""
