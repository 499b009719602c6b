#!/usr/bin/env bash
# Builds the Java binding's jar (tests skipped: make test runs them) and the Java contenders.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
scripts/need.sh mvn:maven javac:openjdk-17-jdk-headless
mvn -q -B -f bindings/java/pom.xml package -DskipTests
out=$root/target/bench/java
mkdir -p "$out"
jar=$(ls bindings/java/target/cookiepay-*.jar | grep -v -e sources -e javadoc | head -n1)
cp "$jar" "$out/cookiepay.jar"
javac -d "$out" -cp "$out/cookiepay.jar" bench/java/Verify.java
