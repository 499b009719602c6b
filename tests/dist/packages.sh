#!/usr/bin/env bash
# The packages in dist/ (scripts/dist/packages.sh), each used the way a user would: the Composer package
# from a copy outside the repository with no environment variable; the jar alone on the class path;
# the NuGet tree against its nuspec.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
# shellcheck source=../../scripts/dist/dir.sh
source scripts/dist/dir.sh
# shellcheck source=lib.sh
source tests/dist/lib.sh
mapfile -t platforms < "$dist/PLATFORMS"
version=$(sed -n 's/^version=//p' "$dist/VERSION")
file_of() { case $1 in windows-*) echo cookiepay.dll ;; *) echo libcookiepay.so ;; esac; }
outside=$(mktemp -d /tmp/cookiepay-dist-XXXXXX)
trap 'rm -rf "$outside"' EXIT

# --- Composer
php_pkg=$dist/php/cookiepay
for p in "${platforms[@]}"; do
  check "composer: lib/$p/$(file_of "$p")" test -f "$php_pkg/lib/$p/$(file_of "$p")"
done
check "composer: lib/cookiepay_ffi.h, composer.json valid" php -r \
  'exit(is_file($argv[1]."/lib/cookiepay_ffi.h") && is_array(json_decode(file_get_contents($argv[1]."/composer.json"), true)) ? 0 : 1);' "$php_pkg"
cp -r "$php_pkg" "$outside/cookiepay"
cat > "$outside/shop.php" <<'PHP'
<?php
require __DIR__ . '/cookiepay/autoload.php';
$client = new CookiePay\Client(['base_url' => getenv('COOKIEPAY_SANDBOX_URL'), 'api_id' => getenv('COOKIEPAY_API_ID'),
    'api_key' => getenv('COOKIEPAY_API_KEY')]);
$token = $client->token();
$source = CookiePay\Native::source();
$want = __DIR__ . '/cookiepay/lib/linux-x86_64-gnu/libcookiepay.so';
if (realpath($want) !== $source) {
    fwrite(STDERR, "loaded $source, not $want\n");
    exit(1);
}
echo 'composer package from ', $source, ': TOKEN ', isset($token['TOKEN']) ? 'ok' : 'missing', "\n";
exit(isset($token['TOKEN']) ? 0 : 1);
PHP
# The sandbox's variables are passed by with-sandbox.sh; nothing else (no COOKIEPAY_LIB).
check "composer: a copy in $outside loads lib/linux-x86_64-gnu and calls the sandbox" \
  env -u COOKIEPAY_LIB -u COOKIEPAY_TEST_EXPORTS_LIB scripts/with-sandbox.sh bash -c "cd '$outside' && php shop.php"

# --- Jar
jar=$dist/java/cookiepay-$version.jar
listing=$(unzip -Z1 "$jar")
for p in "${platforms[@]}"; do
  case $p in
    linux-x86_64-gnu) d=linux-x86_64 ;; linux-x86_64-musl) d=linux-x86_64-musl ;; linux-aarch64-gnu) d=linux-aarch64 ;;
    windows-x86_64) d=windows-x86_64 ;; windows-x86) d=windows-x86 ;;
  esac
  check "jar: native/$d/$(file_of "$p")" grep -qx "native/$d/$(file_of "$p")" <<<"$listing"
done
mkdir -p "$outside/java"
cp "$jar" "$outside/java/"
cat > "$outside/java/Probe.java" <<'JAVA'
public class Probe {
    public static void main(String[] args) {
        System.out.println("jar alone: libcookiepay " + com.cookiepay.CookiePayClient.version());
    }
}
JAVA
check "jar: loads its library from the jar alone (linux-x86_64)" env -u COOKIEPAY_LIB bash -c \
  "cd '$outside/java' && javac -cp cookiepay-$version.jar Probe.java && java -cp cookiepay-$version.jar:. Probe | grep -q 'libcookiepay $version'"

# --- NuGet tree
nuget=$dist/nuget/CookiePay
nuspec_layout() {
  # Every <file src> exists, every file of the tree is in <files>, the targets in build/ and buildTransitive/.
  local listed actual
  listed=$(sed -n 's/.*<file src="\([^"]*\)".*/\1/p' "$nuget/CookiePay.nuspec" | sort)
  actual=$(cd "$nuget" && find . -type f ! -name CookiePay.nuspec | sed 's|^\./||' | sort)
  diff <(echo "$listed") <(echo "$actual")
}
check "nuget: nuspec <files> = the folder tree" nuspec_layout
check "nuget: nuspec is XML with version $version" php -r \
  '$x = simplexml_load_file($argv[1]); exit($x !== false && (string) $x->metadata->version === $argv[2] ? 0 : 1);' \
  "$nuget/CookiePay.nuspec" "$version"
for p in "${platforms[@]}"; do
  case $p in
    linux-x86_64-gnu) rid=linux-x64 ;; linux-x86_64-musl) rid=linux-musl-x64 ;; linux-aarch64-gnu) rid=linux-arm64 ;;
    windows-x86_64) rid=win-x64 ;; windows-x86) rid=win-x86 ;;
  esac
  check "nuget: runtimes/$rid/native/$(file_of "$p")" cmp "$dist/lib/$p/$(file_of "$p")" "$nuget/runtimes/$rid/native/$(file_of "$p")"
done
check "nuget: .targets copies both Windows bitnesses" grep -q 'Link="x86\\cookiepay.dll"' "$nuget/build/CookiePay.targets"
check "nuget: lib/net461/CookiePay.dll is a .NET assembly" bash -c "file '$nuget/lib/net461/CookiePay.dll' | grep -q 'Mono/.Net assembly'"
check "nuget: lib/net461/CookiePay.xml documents the client" grep -q '<member name="T:CookiePay.CookiePayClient">' "$nuget/lib/net461/CookiePay.xml"

# The package's assembly as apps load it, offline (no network call): on CoreCLR as a .NET Core / .NET 5+
# app published without a RID has it (the assembly in the app folder, the library in
# runtimes/<rid>/native/, found by the binding's resolver; no deps.json), and on Mono as the .targets lays
# out a .NET Framework project's bin/ (libcookiepay.so beside CookiePay.dll and its dllmap).
cat > "$outside/NugetProbe.cs" <<'CS'
using System;
using System.Reflection;
public static class NugetProbe
{
    public static int Main()
    {
        Assembly a = typeof(CookiePay.CookiePayClient).Assembly;
        var info = (AssemblyInformationalVersionAttribute)Attribute.GetCustomAttribute(a, typeof(AssemblyInformationalVersionAttribute));
        Console.WriteLine("assembly " + a.GetName().Version + " informational " + (info == null ? "none" : info.InformationalVersion)
            + " libcookiepay " + CookiePay.CookiePayClient.LibraryVersion
            + " parsed " + CookiePay.CookiePayClient.ParseReturn("RESULTCODE=0000&ENC_DATA=x").ResultCode);
        return 0;
    }
}
CS
rid=$(bindings/dotnet/build/rid.sh)
check "nuget: runtimes/$rid/native/libcookiepay.so for this machine" test -f "$nuget/runtimes/$rid/native/libcookiepay.so"
if [ -f "$nuget/runtimes/$rid/native/libcookiepay.so" ]; then
  expect="assembly ${version%%[-+]*}.0 informational $version libcookiepay $version parsed 0000"
  core_app=$outside/nuget-coreclr
  mkdir -p "$core_app/runtimes/$rid/native"
  cp "$nuget/lib/net461/CookiePay.dll" "$core_app/"
  cp "$nuget/runtimes/$rid/native/libcookiepay.so" "$core_app/runtimes/$rid/native/"
  mcs -langversion:7 -target:exe -out:"$core_app/NugetProbe.dll" -r:"$core_app/CookiePay.dll" "$outside/NugetProbe.cs"
  bindings/dotnet/build/runtimeconfig.sh "$core_app/NugetProbe.runtimeconfig.json"
  dotnet=$(bindings/dotnet/build/dotnet.sh)
  check "nuget: lib/net461 on CoreCLR finds runtimes/$rid/native/ ($expect)" bash -c \
    "cd / && DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 '$dotnet' exec '$core_app/NugetProbe.dll' | grep -qxF '$expect'"
  mono_app=$outside/nuget-mono
  mkdir -p "$mono_app"
  cp "$nuget/lib/net461/CookiePay.dll" "$nuget/lib/net461/CookiePay.dll.config" "$core_app/NugetProbe.dll" "$mono_app/"
  cp "$nuget/runtimes/$rid/native/libcookiepay.so" "$mono_app/"
  check "nuget: lib/net461 on Mono with the .targets' bin/ layout ($expect)" bash -c \
    "cd / && mono '$mono_app/NugetProbe.dll' | grep -qxF '$expect'"
  check "nuget: .targets copies the Linux library to bin/libcookiepay.so" grep -q 'Link="libcookiepay.so"' "$nuget/build/CookiePay.targets"
fi
