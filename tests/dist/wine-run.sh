#!/usr/bin/env bash
# Run one Windows program under wine with the test prefix of tests/dist/wine-flow.sh (made there).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
export WINEPREFIX=$root/target/dist-test/wine
export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree=;mshtml="
[ -d "$WINEPREFIX" ] || { mkdir -p "$WINEPREFIX"; wineboot --init >/dev/null 2>&1 || true; }
exec wine "$@"
