#!/usr/bin/env bash
# One C# contender (BENCH_CONTENDER: binding | manual-sample | httpwebrequest-tuned | httpclient |
# overhead) on BENCH_DOTNET_RUNTIME (mono, the default, or coreclr); see bench/run.sh.
set -euo pipefail
out=$(cd "$(dirname "$0")/../.." && pwd)/target/bench/dotnet
case ${BENCH_DOTNET_RUNTIME:-mono} in
  mono) exec mono "$out/Verify.exe" ;;
  # Invariant globalization: the runtime of PyPI's dotnetcore2 would otherwise need the system's libicu;
  # its TLS needs OpenSSL 1.1 (prepare.sh).
  coreclr) DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 LD_LIBRARY_PATH=$out/coreclr/openssl1.1 \
    exec "$(cat "$out/coreclr/dotnet-host")" exec "$out/coreclr/Verify.dll" ;;
  *) echo "BENCH_DOTNET_RUNTIME must be mono or coreclr" >&2; exit 2 ;;
esac
