"""`make test-docker`: a private Docker daemon, a registry-free base image stand-in, the project
image, and real workflow runs under act (see driver.py for the phases)."""
