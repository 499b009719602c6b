#!/usr/bin/env bash
# Prints the path of a `dotnet` host with the .NET Core 3.1 runtime: $COOKIEPAY_DOTNET if set, else the
# one of PyPI's dotnetcore2 wheel (3.1.23), installed on first use into target/dotnetcore2 (no .NET SDK
# can be installed here; the runtime is enough to run assemblies mcs built).
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
if [ -n "${COOKIEPAY_DOTNET:-}" ]; then echo "$COOKIEPAY_DOTNET"; exit 0; fi
dir=$root/target/dotnetcore2
dotnet=$dir/dotnetcore2/bin/dotnet
if [ ! -x "$dotnet" ]; then
  pip=$(command -v pip3 || command -v pip || true)
  if [ -z "$pip" ]; then "$root/scripts/need.sh" pip3:python3-pip; pip=pip3; fi
  echo "installing the .NET Core 3.1 runtime (PyPI dotnetcore2==3.1.23) into $dir" >&2
  # Never under libfaketime (make test-binding-dates): a faked date can make PyPI's certificate invalid.
  env -u LD_PRELOAD -u FAKETIME "$pip" install --quiet --disable-pip-version-check --no-deps --target "$dir" dotnetcore2==3.1.23 >&2
fi
[ -x "$dotnet" ] || { echo "no dotnet host at $dotnet after installing dotnetcore2" >&2; exit 1; }
echo "$dotnet"
