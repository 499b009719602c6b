#!/usr/bin/env bash
# One C# contender (BENCH_CONTENDER: binding | manual-sample | overhead); see bench/run.sh.
set -euo pipefail
exec mono "$(cd "$(dirname "$0")/../.." && pwd)/target/bench/dotnet/Verify.exe"
