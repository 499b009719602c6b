#!/usr/bin/env bash
# Builds the C# contenders (bench/dotnet/Verify.cs) against the binding with Mono's mcs, and lays the
# same assemblies out for CoreCLR as a published portable app has them (runtimes/<rid>/native).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
# System.Net.Http for the HttpClient contender.
scripts/need.sh mcs:mono-mcs mono:mono-runtime dpkg:libmono-system-net-http4.0-cil curl:curl
lib=${COOKIEPAY_LIB:-$root/target/release/libcookiepay.so}
out=$root/target/bench/dotnet
mkdir -p "$out"
mcs -langversion:7 -target:library -optimize+ -out:"$out/CookiePay.dll" bindings/dotnet/src/*.cs
sed "s|target=\"libcookiepay.so\"|target=\"$lib\"|" bindings/dotnet/CookiePay.dll.config > "$out/CookiePay.dll.config"
mcs -langversion:7 -optimize+ -out:"$out/Verify.exe" -r:"$out/CookiePay.dll" -r:System.dll -r:System.Net.Http.dll bench/dotnet/Verify.cs

core=$out/coreclr
native=$core/runtimes/$(bindings/dotnet/build/rid.sh)/native
mkdir -p "$native"
cp "$out/CookiePay.dll" "$core/"
cp "$out/Verify.exe" "$core/Verify.dll"
cp "$lib" "$native/libcookiepay.so"
bindings/dotnet/build/runtimeconfig.sh "$core/Verify.runtimeconfig.json"
bindings/dotnet/build/dotnet.sh > "$core/dotnet-host"

# The hand-written contenders' HTTPS on CoreCLR 3.1 needs OpenSSL 1.x (its shim cannot bind OpenSSL 3,
# the only one Debian 12 has; .NET 6+ can). Debian 11's libssl1.1, pinned by hash, unpacked under
# target/ for those processes only (contender.sh); the binding carries its own TLS (rustls).
ssl=$core/openssl1.1
if [ ! -e "$ssl/libssl.so.1.1" ]; then
  [ "$(dpkg --print-architecture)" = amd64 ] || { echo "bench/dotnet: libssl1.1 for CoreCLR is pinned for amd64 only" >&2; exit 1; }
  deb=$core/libssl1.1.deb
  curl -sSf --retry 3 -o "$deb" http://deb.debian.org/debian/pool/main/o/openssl/libssl1.1_1.1.1w-0+deb11u1_amd64.deb
  echo "aadf8b4b197335645b230c2839b4517aa444fd2e8f434e5438c48a18857988f7  $deb" | sha256sum -c --quiet
  rm -rf "$core/libssl1.1" && dpkg-deb -x "$deb" "$core/libssl1.1"
  mkdir -p "$ssl" && cp "$core"/libssl1.1/usr/lib/x86_64-linux-gnu/lib{ssl,crypto}.so.1.1 "$ssl/"
  rm -rf "$deb" "$core/libssl1.1"
fi
