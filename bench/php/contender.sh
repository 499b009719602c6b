#!/usr/bin/env bash
# One PHP contender (BENCH_CONTENDER: binding | pure | manual-sample | curl-reused | curl-per-request |
# overhead); see bench/run.sh. The concurrent scenario runs under php-fpm (bench/php/fpm.sh).
set -euo pipefail
if [ "${BENCH_SCENARIO:-}" = concurrent ]; then
  exec "$(dirname "$0")/fpm.sh"
fi
exec php -d memory_limit=512M "$(dirname "$0")/verify.php"
