#!/usr/bin/env bash
# Run a Windows test program under wine against a fresh sandbox: tests/dist/run.sh. The wine prefix
# lives in target/dist-test/wine (made on first use, ~20 s); the program's folder holds the DLLs.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
export WINEPREFIX=$root/target/dist-test/wine
export WINEDEBUG=-all
# The test-only bcryptprimitives.dll next to the program wins over wine's built-in one; no Mono or
# Gecko installer dialogs while the prefix is made.
export WINEDLLOVERRIDES="bcryptprimitives=n,b;mscoree=;mshtml="
if [ ! -d "$WINEPREFIX" ]; then
  mkdir -p "$WINEPREFIX"
  wineboot --init >/dev/null 2>&1 || true
fi
exe=$1
# The sandbox's CA as a Windows path (wine's Z: is the Unix root).
"$root/scripts/with-sandbox.sh" bash -c 'COOKIEPAY_SANDBOX_CA="Z:$COOKIEPAY_SANDBOX_CA" exec wine "$0"' "$exe"
