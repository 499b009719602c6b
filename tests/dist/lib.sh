# Shared by tests/dist/*.sh: `check NAME COMMAND...` runs the command and records the outcome in
# target/dist-test/results (one file for all the scripts of one run), `summary` prints the count.
DIST_RESULTS=${DIST_RESULTS:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/target/dist-test/results}
export DIST_RESULTS
mkdir -p "$(dirname "$DIST_RESULTS")"

check() {
  local name=$1
  shift
  if "$@" >"$DIST_RESULTS.out" 2>&1; then
    echo "ok    $name"
    echo "pass $name" >>"$DIST_RESULTS"
    return 0
  fi
  echo "FAIL  $name"
  tail -n 30 "$DIST_RESULTS.out" | sed 's/^/      /'
  echo "fail $name" >>"$DIST_RESULTS"
  # Go on with the other checks: summary fails the run.
  return 0
}

summary() {
  local passed failed
  passed=$(grep -c '^pass ' "$DIST_RESULTS" || true)
  failed=$(grep -c '^fail ' "$DIST_RESULTS" || true)
  echo "dist: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
