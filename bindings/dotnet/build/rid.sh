#!/usr/bin/env bash
# The NuGet runtime identifier of this Linux machine (linux-x64, linux-musl-x64, linux-arm64): the
# runtimes/<rid>/native/ folder the binding's loader looks in (src/NativeLoader.cs, Rids()).
set -euo pipefail
case $(uname -m) in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; *) echo "unsupported machine $(uname -m)" >&2; exit 1 ;; esac
# musl when this very process (grep) runs on musl's loader: a glibc machine may have musl installed beside.
if grep -q '/ld-musl-' /proc/self/maps; then echo "linux-musl-$arch"; else echo "linux-$arch"; fi
