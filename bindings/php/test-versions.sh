#!/usr/bin/env bash
# The pure-PHP backend on every PHP the package promises (composer.json: >=7.4), not only Debian's 8.2:
# PHP's WebAssembly builds for Node (npm's @php-wasm/*, pinned in bindings/php/wasm/package-lock.json,
# installed into target/php-wasm) run Debian's PHPUnit 9.6 with COOKIEPAY_PHP_BACKEND=php against a
# cookiepay-sandbox this script starts for each run. The FFI backend has no WebAssembly build: it stays
# on the native 8.2 (test.sh).
#
# The whole suite (contract vectors included) runs on every version, one after the other (~30 s each).
# A test a version cannot run skips with "php-wasm: why" (or "FFI-only: why"); each is printed and
# counted per version, and any other skip, failure or unfinished run fails the script.
#
# Usage: bindings/php/test-versions.sh [extra PHPUnit arguments, e.g. --filter VectorsTest]
#        PHP_VERSIONS="7.4 8.5" bindings/php/test-versions.sh   (a subset)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

versions=${PHP_VERSIONS:-7.4 8.0 8.1 8.3 8.4 8.5}

scripts/need.sh node:nodejs npm:npm php:php8.2-cli phpunit:phpunit
export COOKIEPAY_SANDBOX_BIN=${COOKIEPAY_SANDBOX_BIN:-$root/target/release/cookiepay-sandbox}
[ -x "$COOKIEPAY_SANDBOX_BIN" ] || cargo build --release --locked -p cookiepay-sandbox
export COOKIEPAY_SANDBOX_CLOCK_START=${COOKIEPAY_SANDBOX_CLOCK_START:-2026-12-09 10:00:00}

# The npm packages, from the committed lock file; installed again when the lock changes.
wasm=$root/target/php-wasm
if ! cmp -s bindings/php/wasm/package-lock.json "$wasm/installed-lock.json"; then
  echo "== installing PHP's WebAssembly builds (npm ci into $wasm)" >&2
  mkdir -p "$wasm"
  rm -f "$wasm/installed-lock.json"
  cp bindings/php/wasm/package.json bindings/php/wasm/package-lock.json "$wasm/"
  (cd "$wasm" && npm ci --no-audit --no-fund --loglevel=error)
  cp bindings/php/wasm/package-lock.json "$wasm/installed-lock.json"
fi
cli=$wasm/node_modules/@php-wasm/cli/php-wasm.js

work=$(mktemp -d /tmp/cookiepay-php-versions-XXXXXX)
# Each run's PHPUnit output, TeamCity log and sandbox log are kept here (for CI's artifacts too).
logs=$wasm/logs
rm -rf "$logs"
mkdir -p "$logs"
sandbox_pid=
group=
cleanup() {
  [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null || true
  # What a run left behind (a sandbox a test spawned through php-wasm's shell): its process group.
  [ -n "$group" ] && kill -- "-$group" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# run_version VERSION [PHPUnit arguments]: one PHPUnit run under php-wasm against a fresh sandbox;
# appends its line to $work/results.
run_version() {
  local version=$1 dir="$work/$1"
  shift
  mkdir -p "$dir"
  "$COOKIEPAY_SANDBOX_BIN" --port 0 --tls --ca-out "$dir/ca.pem" --ready-file "$dir/ready.json" >"$dir/sandbox.log" 2>&1 &
  sandbox_pid=$!
  local waited=0
  until [ -s "$dir/ready.json" ]; do
    if ! kill -0 "$sandbox_pid" 2>/dev/null || [ "$waited" -gt 500 ]; then
      cat "$dir/sandbox.log" >&2
      echo "cookiepay-sandbox did not start" >&2
      exit 1
    fi
    sleep 0.02
    waited=$((waited + 1))
  done
  echo "== PHP $version (WebAssembly), pure-PHP backend" >&2
  local started=$SECONDS
  # Its own process group, so that whatever the run starts can be stopped with it; a time limit (a hung
  # run counts as not finished). display_errors=stderr: PHPUnit 9.6's own deprecation notices on 8.4+
  # would otherwise be output during a test (risky); wasm-summary.php fails on any notice of ours.
  set +e
  PHP=$version COOKIEPAY_PHP_BACKEND=php COOKIEPAY_SANDBOX_DIR="$dir" COOKIEPAY_WASM_STATUS="$dir/status" \
    setsid timeout "${PHP_WASM_RUN_TIMEOUT:-300}" node "$cli" -d include_path=.:/usr/share/php -d memory_limit=-1 \
    -d display_errors=stderr bindings/php/tests/Support/wasm-phpunit.php \
    -c bindings/php/phpunit-pure.xml.dist --verbose --log-teamcity "$dir/teamcity" "$@" \
    > >(tee "$dir/out") 2>&1 &
  group=$!
  wait "$group"
  set -e
  kill -- "-$group" 2>/dev/null || true
  group=
  kill "$sandbox_pid" 2>/dev/null || true
  wait "$sandbox_pid" 2>/dev/null || true
  sandbox_pid=
  php bindings/php/tests/Support/wasm-summary.php "$version" "$dir/status" "$dir/teamcity" "$dir/out" \
    "the suite in $((SECONDS - started)) s" "$work/results" || failed=1
  cp -r "$dir" "$logs/"
}

failed=0
begin=$SECONDS
for version in $versions; do
  run_version "$version" "$@"
done

echo >&2
echo "== the pure-PHP backend on PHP ${versions// /, } (WebAssembly), in $((SECONDS - begin)) s:" >&2
cat "$work/results" >&2
echo "(logs of each run: $logs)" >&2
exit "$failed"
