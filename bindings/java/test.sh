#!/usr/bin/env bash
# The Java binding's suite: JUnit 5 under -Xcheck:jni, against sandboxes the tests start themselves.
# Run from the repository root by `make test`, which sets COOKIEPAY_LIB (packed into the test jar's
# classes) and COOKIEPAY_SANDBOX_BIN, and COOKIEPAY_TEST_EXPORTS_LIB: the library built with the
# core's cargo feature test-exports, which only PanicTest loads (in a JVM of its own). Maven
# downloads its plugins and JUnit on the first run.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
"$root/scripts/need.sh" mvn:maven javac:openjdk-17-jdk-headless

lib=${COOKIEPAY_LIB:-$root/target/release/libcookiepay.so}
sandbox=${COOKIEPAY_SANDBOX_BIN:-$root/target/release/cookiepay-sandbox}
[ -f "$lib" ] || { echo "missing $lib: run 'cargo build --release -p cookiepay'" >&2; exit 1; }
[ -x "$sandbox" ] || { echo "missing $sandbox: run 'cargo build --release -p cookiepay-sandbox'" >&2; exit 1; }
test_lib=${COOKIEPAY_TEST_EXPORTS_LIB:-}
if [ -z "$test_lib" ] || [ ! -f "$test_lib" ]; then
  echo "bindings/java: COOKIEPAY_TEST_EXPORTS_LIB must name the library built with the core's test exports" >&2
  echo "  (got '${test_lib}'); the panic test runs against it, everything else against $lib." >&2
  echo "  'make test-java' builds it (cargo build -p cookiepay --lib --features test-exports, copied to" >&2
  echo "  target/test-exports/libcookiepay.so) and sets the variable." >&2
  exit 1
fi
test_lib=$(cd "$(dirname "$test_lib")" && pwd)/$(basename "$test_lib")

cd "$root/bindings/java"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# -ntp, not -q: the surefire summary (tests run, failures) and the memory figures stay visible.
set +e
# Arguments go to Maven (e.g. -Dtest=SubscriptionTest: make test-binding-dates).
mvn -B -ntp -Dstyle.color=never clean test -Dcookiepay.native.lib="$lib" -Dcookiepay.sandbox.bin="$sandbox" \
  -Dcookiepay.test.exports.lib="$test_lib" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# -Xcheck:jni only warns; a warning about our glue is a failure.
if grep -E "WARNING in native method|FATAL ERROR in native method|JNI local refs|Corrupted channel" "$log" >&2; then
  echo "bindings/java: -Xcheck:jni reported the lines above" >&2
  exit 1
fi
exit "$status"
