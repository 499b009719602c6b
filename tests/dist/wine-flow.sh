#!/usr/bin/env bash
# Run a Windows test program under wine against a fresh sandbox: tests/dist/run.sh. The wine prefix
# lives in target/dist-test/wine (made on first use, ~20 s); the program's folder holds the DLLs.
#
# A watchdog, not a plain wait: a process that hangs in its exit after main() returned (as one did
# here once the core drove HTTP on the calling thread and a host name had been resolved: fixed in the
# core by e497356) fails within 15 s of its verdict, with the verdict shown, instead of stalling CI.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
export WINEPREFIX=$root/target/dist-test/wine
export WINEDEBUG=-all
# The test-only bcryptprimitives.dll next to the program wins over wine's built-in one; no Mono or
# Gecko installer dialogs while the prefix is made.
export WINEDLLOVERRIDES="bcryptprimitives=n,b;mscoree=;mshtml="

if [ "${1:-}" != --inside ]; then
  if [ ! -d "$WINEPREFIX" ]; then
    mkdir -p "$WINEPREFIX"
    wineboot --init >/dev/null 2>&1 || true
  fi
  exec "$root/scripts/with-sandbox.sh" "$0" --inside "$@"
fi
shift
exe=$1
shift
# The sandbox's CA as a Windows path (wine's Z: is the Unix root).
export COOKIEPAY_SANDBOX_CA="Z:$COOKIEPAY_SANDBOX_CA"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
wine "$exe" "$@" >"$log" 2>&1 &
pid=$!
# The run itself takes seconds; give it 2 minutes, and 15 s to exit once it has said its verdict.
verdict_at=
for _ in $(seq 1 1200); do
  kill -0 "$pid" 2>/dev/null || break
  if [ -z "$verdict_at" ] && grep -qE '^[0-9]+ passed, [0-9]+ failed[[:space:]]*$' "$log"; then
    verdict_at=$SECONDS
  fi
  [ -n "$verdict_at" ] && [ $((SECONDS - verdict_at)) -ge 15 ] && break
  sleep 0.1
done
if kill -0 "$pid" 2>/dev/null; then
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  cat "$log"
  if grep -qE '^[0-9]+ passed, [0-9]+ failed[[:space:]]*$' "$log"; then
    echo "$(basename "$exe") gave its verdict but hung in its exit (killed after 15 s)" >&2
  else
    echo "$(basename "$exe") did not finish in 2 minutes" >&2
  fi
  exit 1
fi
status=0
wait "$pid" || status=$?
cat "$log"
exit "$status"
