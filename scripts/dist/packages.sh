#!/usr/bin/env bash
# The packages that carry dist/lib/*: the Composer package, the jar and the NuGet folder tree.
# Called by scripts/dist/build.sh once the libraries are in dist/lib/<platform>/.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
# shellcheck source=dir.sh
source scripts/dist/dir.sh
mapfile -t platforms < "$dist/PLATFORMS"
version=$(sed -n 's/^version=//p' "$dist/VERSION")
file_of() { case $1 in windows-*) echo cookiepay.dll ;; *) echo libcookiepay.so ;; esac; }

# --- Composer: the binding's runtime files, lib/<platform>/ per library, the FFI declarations.
php=$dist/php/cookiepay
mkdir -p "$php/lib"
cp -r bindings/php/src bindings/php/bin "$php/"
cp bindings/php/composer.json bindings/php/autoload.php bindings/php/preload.php bindings/php/README.md \
   LICENSE CHANGELOG.md "$php/"
cp bindings/php/lib/README.md include/cookiepay_ffi.h include/cookiepay.h "$php/lib/"
for p in "${platforms[@]}"; do
  mkdir -p "$php/lib/$p"
  cp "$dist/lib/$p/$(file_of "$p")" "$php/lib/$p/"
done

# --- Jar: native/<os>-<arch>[-musl]/<System.mapLibraryName("cookiepay")>, what Native.platform() names.
scripts/need.sh mvn:maven java:default-jdk-headless
natives=$root/target/dist-java-natives
rm -rf "$natives"
for p in "${platforms[@]}"; do
  case $p in
    linux-x86_64-gnu) d=linux-x86_64 ;;
    linux-x86_64-musl) d=linux-x86_64-musl ;;
    linux-aarch64-gnu) d=linux-aarch64 ;;
    windows-x86_64) d=windows-x86_64 ;;
    windows-x86) d=windows-x86 ;;
  esac
  mkdir -p "$natives/$d"
  cp "$dist/lib/$p/$(file_of "$p")" "$natives/$d/"
done
(cd bindings/java && mvn -q -B -Dstyle.color=never package -Dmaven.test.skip=true \
  -Dcookiepay.native.lib="$dist/lib/linux-x86_64-gnu/libcookiepay.so" -Dcookiepay.native.dir="$natives") >&2
mkdir -p "$dist/java"
cp "bindings/java/target/cookiepay-$version.jar" "$dist/java/"

# --- NuGet: the exact tree `nuget pack CookiePay.nuspec` packs (no .NET SDK here to pack it).
nuget=$dist/nuget/CookiePay
mkdir -p "$nuget/build" "$nuget/buildTransitive" "$nuget/lib/net461"
for p in "${platforms[@]}"; do
  case $p in
    linux-x86_64-gnu) rid=linux-x64 ;;
    linux-x86_64-musl) rid=linux-musl-x64 ;;
    linux-aarch64-gnu) rid=linux-arm64 ;;
    windows-x86_64) rid=win-x64 ;;
    windows-x86) rid=win-x86 ;;
  esac
  mkdir -p "$nuget/runtimes/$rid/native"
  cp "$dist/lib/$p/$(file_of "$p")" "$nuget/runtimes/$rid/native/"
done
cp bindings/dotnet/build/CookiePay.targets "$nuget/build/"
cp bindings/dotnet/build/CookiePay.targets "$nuget/buildTransitive/"
cp bindings/dotnet/README.md LICENSE "$nuget/"
# The managed assembly and its CookiePay.xml, versioned as the package: Mono's mcs builds against the
# .NET Framework 4.x profile, hence lib/net461, which .NET Core / .NET 5+ also load (bindings/dotnet/README.md
# "Target frameworks": mcs has no netstandard2.0 reference assemblies to build lib/netstandard2.0 here).
scripts/need.sh mcs:mono-mcs
bindings/dotnet/build/compile.sh "$nuget/lib/net461" -optimize+
cp bindings/dotnet/CookiePay.dll.config "$nuget/lib/net461/"
sed "s/@VERSION@/$version/" bindings/dotnet/CookiePay.nuspec > "$nuget/CookiePay.nuspec"
# Only the runtimes this dist/ built.
for rid in linux-x64 linux-musl-x64 linux-arm64 win-x64 win-x86; do
  [ -d "$nuget/runtimes/$rid" ] || sed -i "\|runtimes/$rid/|d" "$nuget/CookiePay.nuspec"
done
