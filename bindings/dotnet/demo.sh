#!/usr/bin/env bash
# `make demo` for C#: builds CookiePay.dll and examples/dotnet with mcs, then runs the whole flow
# through the example HomeController against a fresh sandbox (scripts/with-sandbox.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"

scripts/need.sh mcs:mono-mcs mono:mono-runtime

lib=${COOKIEPAY_LIB:-$root/target/release/libcookiepay.so}
export SANDBOX_BIN=${COOKIEPAY_SANDBOX_BIN:-$root/target/release/cookiepay-sandbox}
[ -f "$lib" ] || { echo "$lib missing: run 'cargo build --release -p cookiepay'" >&2; exit 1; }

out=$root/target/dotnet/demo
rm -rf "$out"
mkdir -p "$out"
mcs -langversion:7 -target:library -warnaserror+ -out:"$out/CookiePay.dll" bindings/dotnet/src/*.cs
sed "s|target=\"libcookiepay.so\"|target=\"$lib\"|" bindings/dotnet/CookiePay.dll.config > "$out/CookiePay.dll.config"
mcs -langversion:7 -warnaserror+ -out:"$out/Shop.exe" -r:"$out/CookiePay.dll" -r:System.dll examples/dotnet/*.cs

scripts/with-sandbox.sh mono "$out/Shop.exe"
