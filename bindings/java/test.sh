#!/usr/bin/env bash
# The Java binding's suite: JUnit 5 under -Xcheck:jni, against sandboxes the tests start themselves,
# twice: on JDK 17 (Maven's own JDK, which also compiles and packs the jar), then on JDK 25 (surefire
# forks $COOKIEPAY_JDK25_HOME's java, with --enable-native-access=ALL-UNNAMED as users are told to).
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
# A second JDK (Temurin 25) is installed beside JDK 17 on these machines; not in Debian's archive, so
# it cannot be installed here: without it the run fails rather than quietly testing one JDK.
jdk25=${COOKIEPAY_JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
if [ ! -x "$jdk25/bin/java" ] || ! grep -q '^JAVA_VERSION="25' "$jdk25/release" 2>/dev/null; then
  echo "bindings/java: no JDK 25 at $jdk25 (COOKIEPAY_JDK25_HOME): the suite runs on JDK 17 and 25." >&2
  echo "  Install Temurin 25 (https://adoptium.net/installation/linux/: apt-get install temurin-25-jdk from" >&2
  echo "  Adoptium's repository) or point COOKIEPAY_JDK25_HOME at a JDK 25." >&2
  exit 1
fi

cd "$root/bindings/java"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# -ntp, not -q: the surefire summary (tests run, failures) and the memory figures stay visible.
common=(-B -ntp -Dstyle.color=never -Dcookiepay.native.lib="$lib" -Dcookiepay.sandbox.bin="$sandbox"
  -Dcookiepay.test.exports.lib="$test_lib" -Dcookiepay.test.jdk25.home="$jdk25")
# One run: Maven's output to the console and $log; fails on a test failure or a warning in $log.
run() {
  local name=$1 start=$SECONDS status
  shift
  echo "== bindings/java on $name" >&2
  set +e
  mvn "$@" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  set -e
  echo "== bindings/java on $name: $((SECONDS - start)) s, exit $status" >&2
  # -Xcheck:jni only warns; a warning about our glue is a failure. So is JDK 24+'s warning about
  # native access, which the flag given on 25 must silence.
  if grep -E "WARNING in native method|FATAL ERROR in native method|JNI local refs|Corrupted channel|WARNING: A restricted method" "$log" >&2; then
    echo "bindings/java on $name: the JVM reported the lines above" >&2
    exit 1
  fi
  [ "$status" -eq 0 ] || exit "$status"
}
# Arguments go to Maven (e.g. -Dtest=SubscriptionTest: make test-binding-dates). verify, not test:
# JarManifestTest reads the built jar's manifest.
run "JDK 17" "${common[@]}" clean verify "$@"
# The classes and jar of the first run, tested again in JVMs of JDK 25.
run "JDK 25 ($jdk25)" "${common[@]}" verify -Djvm="$jdk25/bin/java" \
  -Dcookiepay.test.native.access=--enable-native-access=ALL-UNNAMED "$@"
