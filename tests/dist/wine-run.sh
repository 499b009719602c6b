#!/usr/bin/env bash
# Run one Windows program under wine with the test prefix of tests/dist/wine-flow.sh (made there); the
# program's folder must hold the test-only bcryptprimitives.dll shim (tests/dist/run.sh puts it there).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
export WINEPREFIX=$root/target/dist-test/wine
export WINEDEBUG=-all
export WINEDLLOVERRIDES="bcryptprimitives=n,b;mscoree=;mshtml="
[ -d "$WINEPREFIX" ] || { mkdir -p "$WINEPREFIX"; wineboot --init >/dev/null 2>&1 || true; }
exec wine "$@"
