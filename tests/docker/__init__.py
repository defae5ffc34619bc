"""The act harness: real workflow runs of the Docker action (`make test-docker` only)."""
