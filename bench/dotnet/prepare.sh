#!/usr/bin/env bash
# Builds the C# contenders (bench/dotnet/Verify.cs) against the binding with Mono's mcs.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
# System.Net.Http for the HttpClient contender.
scripts/need.sh mcs:mono-mcs mono:mono-runtime dpkg:libmono-system-net-http4.0-cil
out=$root/target/bench/dotnet
mkdir -p "$out"
mcs -langversion:7 -target:library -optimize+ -out:"$out/CookiePay.dll" bindings/dotnet/src/*.cs
sed "s|target=\"libcookiepay.so\"|target=\"${COOKIEPAY_LIB:-$root/target/release/libcookiepay.so}\"|" \
  bindings/dotnet/CookiePay.dll.config > "$out/CookiePay.dll.config"
mcs -langversion:7 -optimize+ -out:"$out/Verify.exe" -r:"$out/CookiePay.dll" -r:System.dll -r:System.Net.Http.dll bench/dotnet/Verify.cs
