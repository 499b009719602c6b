#!/usr/bin/env bash
# The Java example (examples/java): builds the binding's jar (libcookiepay.so inside), compiles the
# shop example against it for Java 8, and runs the whole payment flow against a fresh sandbox.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
"$root/scripts/need.sh" mvn:maven javac:openjdk-17-jdk-headless

lib=${COOKIEPAY_LIB:-$root/target/release/libcookiepay.so}
[ -f "$lib" ] || { echo "missing $lib: run 'cargo build --release -p cookiepay'" >&2; exit 1; }

cd "$root/bindings/java"
mvn -B -q -ntp -Dstyle.color=never package -DskipTests -Dcookiepay.native.lib="$lib"
jar=$root/bindings/java/target/cookiepay-0.1.0.jar
classes=$root/bindings/java/target/examples
rm -rf "$classes" && mkdir -p "$classes"
javac --release 8 -encoding UTF-8 -Xlint:all,-options -Werror -cp "$jar" -d "$classes" "$root"/examples/java/src/shop/*.java

# The jar alone, as an application gets it: the packed library, not $COOKIEPAY_LIB.
cd "$root"
env -u COOKIEPAY_LIB SANDBOX_BIN="${COOKIEPAY_SANDBOX_BIN:-$root/target/release/cookiepay-sandbox}" \
  scripts/with-sandbox.sh java -Xcheck:jni -cp "$jar:$classes" shop.PaymentFlowDemo
