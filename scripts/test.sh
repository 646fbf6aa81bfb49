#!/usr/bin/env bash
# The test command (npm test): system packages, a clean build, then every ava
# test against real PostgreSQL, sshd, SQLite and the agents as processes.
# Ends with a plain "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/system-packages.sh --tests
npm run --silent build

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
npx ava "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

passed=$(grep -Ec '^ *✔' "$log" || true)
failed=$(grep -Ec '^ *✘' "$log" || true)
# ava marks a skipped test with "- ", as it does a line of an assertion's diff;
# its own summary line counts them.
skipped=$(grep -Eo '^ *[0-9]+ tests? skipped' "$log" | grep -Eo '[0-9]+' || echo 0)
echo "ava: ${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
