# The tmsaction image: what a runner builds for `uses: <owner>/tmsaction@v1` (action.yml `image:
# Dockerfile`) and what the release workflow publishes as ghcr.io/<owner>/tmsaction:v1.
# GitHub's rules for Docker actions: run as root and leave the working directory to the runner
# (it mounts the workspace and sets the workdir), so there is no USER and no WORKDIR here.
FROM python:3.12-slim

# Dependencies pinned with hashes (requirements/runtime.txt says how to regenerate), wheels only:
# nothing is compiled, so no build tool is installed, and none is left behind.
# The standard library and the dependencies are byte-compiled here, once: a container starts fresh
# on every run, and the official image ships no .pyc, so every start would compile them again.
COPY requirements/runtime.txt /tmp/runtime.txt
RUN python -m pip install --no-cache-dir --disable-pip-version-check --no-compile \
        --require-hashes --only-binary=:all: -r /tmp/runtime.txt \
    && rm /tmp/runtime.txt \
    && python -m compileall -q -j 0 /usr/local/lib/python3.12

COPY tmsaction /opt/tmsaction/tmsaction
COPY entrypoint.py /opt/tmsaction/entrypoint.py
# The summary's and comment's templates are compiled here too (tmsaction/render/compiled.py).
# Also a `tmsaction` command, for CI systems that run their own script in the image (GitLab's
# `image:`): the same interpreter flags as the entrypoint below.
RUN python -m compileall -q -j 0 /opt/tmsaction \
    && cd /opt/tmsaction && python -E -s -B -m tmsaction.render.compiled \
    && printf '#!/bin/sh\nexec python -u -E -s -B /opt/tmsaction/entrypoint.py "$@"\n' \
        > /usr/local/bin/tmsaction \
    && chmod 755 /usr/local/bin/tmsaction

# -E: ignore PYTHON* variables from the workflow (a user's PYTHONPATH must not shadow our modules);
# -s: no user site-packages; -u: unbuffered, so log lines and annotations arrive in order;
# -B: write no .pyc at run time (everything is compiled above; the container is thrown away).
ENTRYPOINT ["python", "-u", "-E", "-s", "-B", "/opt/tmsaction/entrypoint.py"]
