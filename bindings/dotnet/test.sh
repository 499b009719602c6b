#!/usr/bin/env bash
# The C# binding's NUnit suite on Mono, then on CoreCLR: builds CookiePay.dll and the tests with mcs
# (C# 7, the subset the .NET SDK's netstandard2.0 build also accepts), runs them with nunit-console on
# Mono, then the same assemblies with our reflection runner (runner/TestRunner.cs) on the .NET Core 3.1
# runtime of PyPI's dotnetcore2 wheel, installed into target/dotnetcore2 on first use (no .NET SDK is
# needed). Each fixture starts its own cookiepay-sandbox. Run from anywhere; `make test` sets
# COOKIEPAY_LIB and COOKIEPAY_SANDBOX_BIN. Arguments go to nunit-console; -run=… also to the runner.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"

scripts/need.sh mcs:mono-mcs mono:mono-runtime nunit-console:nunit-console
# nunit.framework.dll to compile against (libnunit-cil-dev and its libnunit-framework dependency). It has
# no command of its own: ask need.sh for a name that cannot exist, so that it installs the package.
find_nunit() { ls /usr/lib/cli/nunit.framework-2.6*/nunit.framework.dll 2>/dev/null | head -n1 || true; }
nunit_dll=$(find_nunit)
if [ -z "$nunit_dll" ]; then
  scripts/need.sh "nunit.framework.dll-of-libnunit-cil-dev:libnunit-cil-dev"
  nunit_dll=$(find_nunit)
fi
[ -n "$nunit_dll" ] || { echo "nunit.framework.dll not found (package libnunit-cil-dev)" >&2; exit 1; }

lib=${COOKIEPAY_LIB:-$root/target/release/libcookiepay.so}
export COOKIEPAY_SANDBOX_BIN=${COOKIEPAY_SANDBOX_BIN:-$root/target/release/cookiepay-sandbox}
[ -f "$lib" ] || { echo "$lib missing: run 'cargo build --release -p cookiepay'" >&2; exit 1; }
[ -x "$COOKIEPAY_SANDBOX_BIN" ] || { echo "$COOKIEPAY_SANDBOX_BIN missing: run 'cargo build --release -p cookiepay-sandbox'" >&2; exit 1; }

out=$root/target/dotnet/test
rm -rf "$out"
mkdir -p "$out"
# With CookiePay.xml and the package version, as the NuGet tree has it.
bindings/dotnet/build/compile.sh "$out" -debug
# The Mono way of finding the native library (README "Library resolution"): a dllmap next to the DLL,
# here pointing at exactly the library under test.
sed "s|target=\"libcookiepay.so\"|target=\"$lib\"|" bindings/dotnet/CookiePay.dll.config > "$out/CookiePay.dll.config"
# The tests include the example shop's SubscriptionController (ExampleShopTests drives it).
mcs -langversion:7 -target:library -warnaserror+ -debug -out:"$out/CookiePay.Tests.dll" \
  -r:"$out/CookiePay.dll" -r:"$nunit_dll" -r:System.dll bindings/dotnet/tests/*.cs \
  examples/dotnet/SubscriptionController.cs
# The examples must keep compiling against the binding (demo.sh runs them).
mcs -langversion:7 -warnaserror+ -out:"$out/Shop.exe" -r:"$out/CookiePay.dll" -r:System.dll examples/dotnet/*.cs
# The CoreCLR runner, and the child process of LibraryLoadTests (a load that fails, then is retried).
mcs -langversion:7 -target:exe -warnaserror+ -out:"$out/CookiePay.TestRunner.dll" bindings/dotnet/runner/TestRunner.cs
mcs -langversion:7 -target:exe -warnaserror+ -out:"$out/CookiePay.LoadProbe.dll" -r:"$out/CookiePay.dll" bindings/dotnet/runner/LoadProbe.cs

# -noshadow: run the DLLs where they are, next to their dllmap.
status=0
# Arguments go to nunit-console (e.g. -run=CookiePay.Tests.LifecycleTests: make test-binding-dates).
nunit-console "$out/CookiePay.Tests.dll" -nologo -noshadow -labels -xml="$out/TestResult.xml" "$@" || status=$?
[ "$status" -eq 0 ] || { echo "C# tests failed (nunit-console exit $status)" >&2; exit 1; }

# Nothing may be silently skipped: every test ran.
summary=$(grep -o '<test-results[^>]*>' "$out/TestResult.xml")
for counter in not-run ignored skipped inconclusive invalid; do
  if ! grep -q " $counter=\"0\"" <<<"$summary"; then
    echo "C# tests: $counter is not 0 in $summary" >&2
    exit 1
  fi
done
echo "C# tests passed on Mono: $(grep -o ' total="[0-9]*"' <<<"$summary")"

# --- CoreCLR: the same assemblies, as a .NET Core app loads a net461 package's (no deps.json: the host
# puts every assembly of the app's folder on its list). The library under test sits where a published
# portable app has it, runtimes/<rid>/native/, which only the binding's own resolver finds.
dotnet=$(bindings/dotnet/build/dotnet.sh)
core=$out/coreclr
mkdir -p "$core"
cp "$out"/CookiePay.dll "$out"/CookiePay.xml "$out"/CookiePay.Tests.dll "$out"/CookiePay.TestRunner.dll \
  "$out"/CookiePay.LoadProbe.dll "$nunit_dll" "$core/"
bindings/dotnet/build/runtimeconfig.sh "$core/CookiePay.TestRunner.runtimeconfig.json"
bindings/dotnet/build/runtimeconfig.sh "$core/CookiePay.LoadProbe.runtimeconfig.json"
rid=$(bindings/dotnet/build/rid.sh)
mkdir -p "$core/runtimes/$rid/native"
cp "$lib" "$core/runtimes/$rid/native/libcookiepay.so"
runner_args=()
for a in "$@"; do case $a in -run=*) runner_args+=("$a") ;; esac; done
# Invariant globalization: the wheel's runtime would otherwise need the system's libicu.
DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 COOKIEPAY_RUNNER_LABELS=1 \
  "$dotnet" exec "$core/CookiePay.TestRunner.dll" "$core/CookiePay.Tests.dll" "${runner_args[@]}" \
  || { echo "C# tests failed on CoreCLR" >&2; exit 1; }
echo "C# tests passed on Mono and CoreCLR"
