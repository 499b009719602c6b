#!/usr/bin/env bash
# One PHP contender (BENCH_CONTENDER: binding | pure | manual-sample | curl-reused | overhead); see bench/run.sh.
set -euo pipefail
exec php -d memory_limit=512M "$(dirname "$0")/verify.php"
