#!/usr/bin/env bash
# Sandbox capacity: paycert requests/s over keep-alive loopback against the release binary.
# Bounded: one 3 s sequential run (1 connection: per-call latency, shows Nagle/delayed-ACK stalls)
# and one run of SECONDS (default 10) with CONNECTIONS (default 4) connections.
# Usage: bench/sandbox/run.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_RUN="${1:-10}"
CONNS="${2:-4}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

cargo build --release -q -p cookiepay-sandbox --bin cookiepay-sandbox --example loadgen
BIN="$CARGO_TARGET_DIR/release/cookiepay-sandbox"
LOADGEN="$CARGO_TARGET_DIR/release/examples/loadgen"

TMP="$(mktemp -d)"
PID=""
cleanup() {
  if [ -n "$PID" ]; then kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

"$BIN" --port 0 --ready-file "$TMP/ready.json" >/dev/null &
PID=$!
for _ in $(seq 1 200); do [ -s "$TMP/ready.json" ] && break; sleep 0.05; done
[ -s "$TMP/ready.json" ] || { echo "sandbox did not start" >&2; exit 1; }
URL="$(sed -E 's/.*"http":"([^"]+)".*/\1/' "$TMP/ready.json")"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "== sequential (1 connection, 3 s)"
"$LOADGEN" --url "$URL" --connections 1 --seconds 3
echo "== throughput ($CONNS connections, $SECONDS_RUN s)"
"$LOADGEN" --url "$URL" --connections "$CONNS" --seconds "$SECONDS_RUN"
