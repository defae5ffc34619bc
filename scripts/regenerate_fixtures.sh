#!/usr/bin/env bash
# Regenerate the report fixtures under tests/fixtures/reports by running the real test frameworks
# (pytest, Robot Framework, jest, mocha, vitest, Playwright, ...). Not part of `make test`: the
# fixtures are committed, and the golden tests compare our parse of them with reviewed expectations.
#   scripts/regenerate_fixtures.sh            # every generator
#   scripts/regenerate_fixtures.sh xml        # only scripts/fixtures/xml_*.sh
set -euo pipefail
cd "$(dirname "$0")/.."
only="${1:-}"
for generator in scripts/fixtures/*.sh; do
  name=$(basename "$generator" .sh)
  if [ -n "$only" ] && [[ "$name" != "$only"* ]]; then continue; fi
  echo "== $name"
  bash "$generator"
done
