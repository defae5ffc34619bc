#!/usr/bin/env bash
# make test-docker: the Docker image and real workflow runs under act, on a private Docker daemon
# (see scripts/docker/driver.py). Needs root. The driver cleans up in a `finally`; this trap runs the
# same idempotent cleanup again in case the driver itself was killed, so no daemon, mount, bridge,
# iptables rule or cgroup outlives the run.
set -euo pipefail
cd "$(dirname "$0")/../.."
python=${PYTHON:-.venv/bin/python}
if [ "$(id -u)" != 0 ]; then
  echo "make test-docker needs root: it starts a Docker daemon and runs debootstrap." >&2
  exit 2
fi
run_dir=$(mktemp -d "${TMPDIR:-/tmp}/tmsaction-docker.XXXXXX")
finish() {
  status=$?
  "$python" -m scripts.docker.daemon cleanup "$run_dir" || status=1
  [ -d "$run_dir" ] && [ -z "$(ls -A "$run_dir")" ] && rmdir "$run_dir"
  exit "$status"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
"$python" -m scripts.docker.driver --run-dir "$run_dir" "$@"
