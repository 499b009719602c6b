#!/usr/bin/env bash
# `make dist`: cross-build libcookiepay for the platforms our users run and assemble dist/ (README,
# "Install"). Each target builds in cargo's own target/<triple>/release; dist/ is made anew each run.
#
# Usage: scripts/dist/build.sh [PLATFORM...]      (default: all of them)
#   linux-x86_64-gnu    glibc, floor 2.17 (cargo-zigbuild)     SONAME libcookiepay.so.<ABI>
#   linux-x86_64-musl   musl, dynamic libc, for Alpine (cargo-zigbuild)
#   linux-aarch64-gnu   glibc 2.17, aarch64 (cargo-zigbuild)
#   windows-x86_64      cookiepay.dll (mingw-w64)
#   windows-x86         cookiepay.dll, 32-bit (mingw-w64)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
# shellcheck source=dir.sh
source scripts/dist/dir.sh
dist_replaceable
export PATH="$HOME/.cargo/bin:$PATH"

ALL=(linux-x86_64-gnu linux-x86_64-musl linux-aarch64-gnu windows-x86_64 windows-x86)
platforms=("$@")
[ ${#platforms[@]} -gt 0 ] || platforms=("${ALL[@]}")
for p in "${platforms[@]}"; do
  [[ " ${ALL[*]} " == *" $p "* ]] || { echo "unknown platform $p (one of: ${ALL[*]})" >&2; exit 2; }
done

scripts/dist/tools.sh build
export CARGO_ZIGBUILD_ZIG_PATH=$root/target/tools/ziglang/ziglang/zig

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
abi=$(sed -n 's/^#define COOKIEPAY_ABI_VERSION \([0-9]*\)$/\1/p' include/cookiepay.h)
[ -n "$version" ] && [ -n "$abi" ] || { echo "cannot read the version from Cargo.toml or the ABI from include/cookiepay.h" >&2; exit 1; }
soname=libcookiepay.so.$abi

triple_of() {
  case $1 in
    linux-x86_64-gnu) echo x86_64-unknown-linux-gnu ;;
    linux-x86_64-musl) echo x86_64-unknown-linux-musl ;;
    linux-aarch64-gnu) echo aarch64-unknown-linux-gnu ;;
    windows-x86_64) echo x86_64-pc-windows-gnu ;;
    windows-x86) echo i686-pc-windows-gnu ;;
  esac
}

build() {
  local platform=$1 triple
  triple=$(triple_of "$platform")
  echo "== $platform ($triple)" >&2
  # Only the library; the link flags apply to the target's artifacts alone (build scripts are host).
  case $platform in
    linux-*-gnu)
      RUSTFLAGS="-C link-arg=-Wl,-soname,$soname" \
        cargo zigbuild --release --locked -p cookiepay --lib --target "$triple.2.17" ;;
    linux-x86_64-musl)
      # -crt-static: a cdylib that links musl's libc dynamically (what Alpine's php and java load).
      # zig links its own unwinder in statically: musl-gcc would need a libgcc_s built for musl
      # (Alpine's libgcc package), which Debian does not have.
      RUSTFLAGS="-C target-feature=-crt-static -C link-arg=-Wl,-soname,$soname" \
        cargo zigbuild --release --locked -p cookiepay --lib --target "$triple" ;;
    windows-x86_64)
      CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc \
        cargo build --release --locked -p cookiepay --lib --target "$triple" ;;
    windows-x86)
      CARGO_TARGET_I686_PC_WINDOWS_GNU_LINKER=i686-w64-mingw32-gcc \
        cargo build --release --locked -p cookiepay --lib --target "$triple" ;;
  esac
  build_cli "$platform" "$triple"
  local from=target/$triple/release to=$dist/lib/$platform
  mkdir -p "$to"
  case $platform in
    linux-*)
      cp "$from/libcookiepay.so" "$to/libcookiepay.so"
      cp "$from/libcookiepay.a" "$to/libcookiepay.a" ;;
    windows-*)
      cp "$from/cookiepay.dll" "$to/cookiepay.dll"
      cp "$from/libcookiepay.dll.a" "$to/libcookiepay.dll.a"
      cp "$from/libcookiepay.a" "$to/libcookiepay.a" ;;
  esac
}

# The `cookiepay` command-line tool (cli/README.md) beside the libraries: an operator needs one binary.
# Linux builds link their C library statically where the target allows it (musl) and otherwise keep
# the same glibc 2.17 floor as the library.
build_cli() {
  local platform=$1 triple=$2 exe=cookiepay
  case $platform in
    linux-*-gnu) cargo zigbuild --release --locked -p cookiepay-cli --bin cookiepay --target "$triple.2.17" ;;
    linux-x86_64-musl) cargo zigbuild --release --locked -p cookiepay-cli --bin cookiepay --target "$triple" ;;
    windows-x86_64)
      exe=cookiepay.exe
      CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc \
        cargo build --release --locked -p cookiepay-cli --bin cookiepay --target "$triple" ;;
    windows-x86)
      exe=cookiepay.exe
      CARGO_TARGET_I686_PC_WINDOWS_GNU_LINKER=i686-w64-mingw32-gcc \
        cargo build --release --locked -p cookiepay-cli --bin cookiepay --target "$triple" ;;
  esac
  mkdir -p "$dist/bin/$platform"
  cp "target/$triple/release/$exe" "$dist/bin/$platform/$exe"
}

rm -rf "$dist"
mkdir -p "$dist/lib" "$dist/include"
cp include/cookiepay.h include/cookiepay_ffi.h "$dist/include/"
for p in "${platforms[@]}"; do
  build "$p"
done
printf '%s\n' "${platforms[@]}" > "$dist/PLATFORMS"
printf 'version=%s\nabi=%s\nsoname=%s\n' "$version" "$abi" "$soname" > "$dist/VERSION"

scripts/dist/packages.sh
(cd "$dist" && find . -type f ! -name SHA256SUMS -print0 | sort -z | xargs -0 sha256sum > SHA256SUMS)
echo "$dist/ ready: ${platforms[*]}" >&2
