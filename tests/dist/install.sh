#!/usr/bin/env bash
# make install PREFIX=<temp>, then the README's link lines (the block after the marker
# "tested by tests/dist/install.sh" in README.md, "Install") compiled with pkg-config and run.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
# shellcheck source=../../scripts/dist/dir.sh
source scripts/dist/dir.sh
# shellcheck source=lib.sh
source tests/dist/lib.sh
work=$root/target/dist-test/install
rm -rf "$work"
mkdir -p "$work/app"
soname=$(sed -n 's/^soname=//p' "$dist/VERSION")

check "make install PREFIX=…" make --no-print-directory install PREFIX="$work/prefix" DIST_DIR="$dist"
check "installed: header, SONAME link, .a, cookiepay.pc" test -f "$work/prefix/include/cookiepay.h" \
  -a -L "$work/prefix/lib/$soname" -a -L "$work/prefix/lib/libcookiepay.so" \
  -a -f "$work/prefix/lib/libcookiepay.a" -a -f "$work/prefix/lib/pkgconfig/cookiepay.pc"

# The fenced block right after the marker.
mapfile -t lines < <(awk '/tested by tests\/dist\/install.sh/ {m=1; next} m && /^```/ {f++; if (f==2) exit; next} m && f==1 && /^cc / {print}' README.md)
check "README has the shared and the static link line" [ ${#lines[@]} -eq 2 ]
cp tests/dist/link.c "$work/app/app.c"
export PKG_CONFIG_PATH=$work/prefix/lib/pkgconfig
for line in "${lines[@]}"; do
  check "README: $line" bash -c "cd '$work/app' && $line"
done
check "shared: app runs, needs $soname" bash -c "'$work/app/app' && readelf -d '$work/app/app' | grep -q 'NEEDED.*$soname'"
check "static: app-static runs without libcookiepay.so" bash -c "'$work/app/app-static' && ! readelf -d '$work/app/app-static' | grep -q 'NEEDED.*libcookiepay'"
