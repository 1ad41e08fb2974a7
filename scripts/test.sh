#!/usr/bin/env bash
# Every test Closeline has, cheapest first, stopping at the first stage that fails:
#   lint → unit/integration tests on PostgreSQL → the same on PGlite → Playwright e2e (the
#   production build on PostgreSQL, and on PGlite for the core journeys: playwright.config.ts)
#   → fault tests (kill -9 of the app, PostgreSQL restarts).
# `npm test` runs this; so does CI (.ci/run). Each test file makes its own database, so the
# suite needs nothing but a reachable PostgreSQL server (started here if it is down).
# Name stages to run only those, e.g. `bash scripts/test.sh vitest-pglite e2e`.
set -uo pipefail
cd "$(dirname "$0")/.."

STAGES=(lint vitest-postgres vitest-pglite e2e faults)
declare -A RESULT=() SECONDS_TAKEN=() SELECTED=()
for stage in "$@"; do
  if [[ ! " ${STAGES[*]} " =~ " $stage " ]]; then
    echo "unknown stage '$stage'; stages are: ${STAGES[*]}" >&2
    exit 2
  fi
  SELECTED[$stage]=1
done

summary() {
  echo
  echo "──────── test summary ────────"
  for stage in "${STAGES[@]}"; do
    printf "  %-16s %-8s %s\n" "$stage" "${RESULT[$stage]:-not run}" \
      "${SECONDS_TAKEN[$stage]:+${SECONDS_TAKEN[$stage]}s}"
  done
  echo "──────────────────────────────"
}

# run_stage NAME COMMAND...: runs the command, records pass/FAIL and its duration, and on
# failure prints the summary and exits with the command's status.
run_stage() {
  local name="$1"
  shift
  if [ "${#SELECTED[@]}" -gt 0 ] && [ -z "${SELECTED[$name]:-}" ]; then
    RESULT[$name]="skipped"
    return
  fi
  echo
  echo "════════ $name: $* ════════"
  local started=$SECONDS status=0
  "$@" || status=$?
  SECONDS_TAKEN[$name]=$((SECONDS - started))
  if [ "$status" -ne 0 ]; then
    RESULT[$name]="FAIL"
    summary
    echo "✗ $name failed (exit $status); later stages were not run." >&2
    exit "$status"
  fi
  RESULT[$name]="pass"
}

skip_stage() {
  RESULT[$1]="skipped ($2)"
}

if [ -z "${CLOSELINE_TEST_PG:-}" ]; then
  if ! bash scripts/ensure-postgres.sh; then
    summary
    echo "✗ no PostgreSQL server for the tests; nothing was run." >&2
    exit 1
  fi
fi

# The read-routing tests (tests/db/replicas.test.ts) need a streaming replica of that server;
# without one they skip, saying so, unless CLOSELINE_REQUIRE_REPLICA is set (CI sets it).
if [ -z "${CLOSELINE_TEST_PG:-}" ] && ! bash scripts/ensure-replica.sh; then
  if [ -n "${CLOSELINE_REQUIRE_REPLICA:-}" ]; then
    summary
    echo "✗ no streaming replica for the tests (CLOSELINE_REQUIRE_REPLICA); nothing was run." >&2
    exit 1
  fi
  echo "⚠ no streaming replica: the replica tests will skip (scripts/ensure-replica.sh)" >&2
fi

run_stage lint npm run lint --silent
run_stage vitest-postgres env CLOSELINE_TEST_DB=postgres npx vitest run
run_stage vitest-pglite env CLOSELINE_TEST_DB=pglite npx vitest run

# The e2e suite is optional until it has specs; Playwright would fail on an empty folder.
if compgen -G "e2e/*.spec.ts" >/dev/null || compgen -G "e2e/**/*.spec.ts" >/dev/null; then
  run_stage e2e npx playwright test
else
  skip_stage e2e "no e2e/*.spec.ts"
fi

# Process-level fault tests (issue 6, docs/reliability.md): they kill app servers and restart
# the PostgreSQL server, so they run alone and last, serving the build the e2e stage made.
run_stage faults npx vitest run -c vitest.faults.config.ts

summary
echo "✓ all stages passed"
