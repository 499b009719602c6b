#!/usr/bin/env bash
# The cross-building and testing tools `make dist` and `make test-dist` need, installed by the project
# itself so that a fresh Debian machine (CI) gets them: Debian packages through scripts/need.sh, Rust
# targets through rustup, zig from PyPI's `ziglang` package (pip --target into target/tools/, so no
# system Python is touched) and cargo-zigbuild from crates.io. Not root: names what is missing and fails.
#
# Usage: scripts/dist/tools.sh build|test [--long]
#   build   what `make dist` needs
#   test    what `make test-dist` needs on top (musl-gcc, mingw, wine, readelf, pkg-config)
# Prints nothing on success when everything is already there. build.sh itself sets the variables
# (the zig path, the linkers) the build uses.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
mode=${1:-build}
long=${2:-}

# Version pins: the ones tried here.
ZIGLANG_VERSION=0.17.1
ZIGBUILD_VERSION=0.24.1

need_pkgs=(gcc:gcc readelf:binutils python3:python3 pip3:python3-pip
           musl-gcc:musl-tools x86_64-w64-mingw32-gcc:gcc-mingw-w64-x86-64
           i686-w64-mingw32-gcc:gcc-mingw-w64-i686 x86_64-w64-mingw32-objdump:binutils-mingw-w64-x86-64)
if [ "$mode" = test ]; then
  need_pkgs+=(pkg-config:pkg-config wine:wine dpkg:wine64 unzip:unzip file:file php:php8.2-cli javac:default-jdk-headless)
  [ "$long" = --long ] && need_pkgs+=(qemu-aarch64:qemu-user aarch64-linux-gnu-gcc:gcc-aarch64-linux-gnu dpkg:libc6-dev-arm64-cross)
fi
scripts/need.sh "${need_pkgs[@]}"

# Rust targets of the artifacts.
targets=(x86_64-unknown-linux-gnu x86_64-unknown-linux-musl x86_64-pc-windows-gnu i686-pc-windows-gnu
         aarch64-unknown-linux-gnu)
installed=$(rustup target list --installed)
missing=()
for t in "${targets[@]}"; do
  grep -qx "$t" <<<"$installed" || missing+=("$t")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Adding Rust targets: ${missing[*]}" >&2
  rustup target add "${missing[@]}" >&2
fi

# zig, from the ziglang wheel, into target/tools/ziglang (a plain folder: no virtualenv, no system site).
zig=$root/target/tools/ziglang/ziglang/zig
if [ ! -x "$zig" ]; then
  echo "Installing zig (PyPI ziglang==$ZIGLANG_VERSION) into target/tools/ziglang" >&2
  python3 -m pip install --quiet --disable-pip-version-check --no-warn-script-location --root-user-action=ignore \
    --target "$root/target/tools/ziglang" "ziglang==$ZIGLANG_VERSION" >&2 ||
    { echo "pip could not install ziglang==$ZIGLANG_VERSION (needed for the glibc-2.17 and aarch64 builds)" >&2; exit 1; }
fi

if ! command -v cargo-zigbuild >/dev/null 2>&1; then
  echo "Installing cargo-zigbuild $ZIGBUILD_VERSION from crates.io (a few minutes, once)" >&2
  cargo install --locked --quiet cargo-zigbuild --version "$ZIGBUILD_VERSION" >&2
fi
