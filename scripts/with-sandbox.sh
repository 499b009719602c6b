#!/usr/bin/env bash
# Run a command against a fresh cookiepay-sandbox on ephemeral ports (HTTP and HTTPS), then stop it.
# Usage: scripts/with-sandbox.sh COMMAND [ARGS...]
# The command sees:
#   COOKIEPAY_SANDBOX_URL        http://127.0.0.1:PORT
#   COOKIEPAY_SANDBOX_HTTPS_URL  https://localhost:PORT
#   COOKIEPAY_SANDBOX_CA         path of the sandbox's CA certificate (PEM)
#   COOKIEPAY_API_ID / COOKIEPAY_API_KEY   the sandbox's demo merchant
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${SANDBOX_BIN:-$root/target/release/cookiepay-sandbox}
[ -x "$bin" ] || { echo "cookiepay-sandbox not built: run 'cargo build --release -p cookiepay-sandbox'" >&2; exit 1; }

work=$(mktemp -d)
"$bin" --port 0 --tls --ca-out "$work/ca.pem" --ready-file "$work/ready.json" >"$work/sandbox.log" 2>&1 &
pid=$!
cleanup() { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

for _ in $(seq 1 100); do
  [ -s "$work/ready.json" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/sandbox.log" >&2; echo "cookiepay-sandbox exited early" >&2; exit 1; }
  sleep 0.1
done
[ -s "$work/ready.json" ] || { echo "cookiepay-sandbox did not become ready in 10 s" >&2; exit 1; }

json_field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" "$work/ready.json"; }
export COOKIEPAY_SANDBOX_URL=$(json_field http)
export COOKIEPAY_SANDBOX_HTTPS_URL=$(json_field https)
export COOKIEPAY_SANDBOX_CA="$work/ca.pem"
# The sandbox's public demo merchant (sandbox/README.md), always present.
export COOKIEPAY_API_ID=${COOKIEPAY_API_ID:-sandbox_demo01}
export COOKIEPAY_API_KEY=${COOKIEPAY_API_KEY:-sbxkey_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG}
"$@"
