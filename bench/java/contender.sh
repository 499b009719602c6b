#!/usr/bin/env bash
# One Java contender (BENCH_CONTENDER: binding | httpurlconnection | httpclient | overhead); see bench/run.sh.
set -euo pipefail
out=$(cd "$(dirname "$0")/../.." && pwd)/target/bench/java
exec java -Xmx256m -cp "$out:$out/cookiepay.jar" Verify
