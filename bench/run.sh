#!/usr/bin/env bash
# The client benchmarks of BENCHMARKS.md (issue 7), in one run on one machine:
#   1. verify throughput and latency against cookiepay-sandbox over loopback HTTPS, scenario
#      "token+paycert" (a fresh TOKEN per verify, as the manual's samples do) and "paycert" (cached
#      TOKEN); every contender of every language, alternating, ROUNDS rounds of SECONDS each;
#   2. client-side overhead per call without network (parse_return, a validation failure);
#   3. footprint: stripped cdylib size, time from dlopen to the end of the first HTTPS call.
# Each contender is a separate process that warms up for a second, then measures and prints one JSON line; bench/report.py turns the lines
# into the tables of BENCHMARKS.md and bench/throughput.png.
# Usage: bench/run.sh [SECONDS] [ROUNDS] [LANGS]   (defaults: 5 3 "rust php java dotnet")
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
SECONDS_PER_RUN=${1:-5}
ROUNDS=${2:-3}
LANGS=${3:-rust php java dotnet}
export PATH="$HOME/.cargo/bin:$PATH"

scripts/need.sh gcc:gcc /usr/bin/python3:python3 strip:binutils dpkg:python3-matplotlib

cargo build --release --locked -q -p cookiepay -p cookiepay-sandbox --example bench_verify
mkdir -p target/bench
gcc -O2 -o target/bench/cold_start bench/c/cold_start.c -ldl
export COOKIEPAY_LIB=$root/target/release/libcookiepay.so
for lang in $LANGS; do
  [ "$lang" = rust ] || bench/$lang/prepare.sh
done

work=$(mktemp -d)
"$root/target/release/cookiepay-sandbox" --port 0 --tls --ca-out "$work/ca.pem" --ready-file "$work/ready.json" >/dev/null 2>&1 &
sandbox=$!
cleanup() { kill -TERM "$sandbox" 2>/dev/null || true; wait "$sandbox" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq 1 100); do [ -s "$work/ready.json" ] && break; sleep 0.1; done

export BENCH_URL=$(sed -n 's/.*"https":"\([^"]*\)".*/\1/p' "$work/ready.json")
export BENCH_CA=$work/ca.pem
export BENCH_API_ID=sandbox_demo01
export BENCH_API_KEY=sbxkey_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG
export BENCH_SECONDS=$SECONDS_PER_RUN
export BENCH_TID=$(BENCH_CONTENDER=setup target/release/examples/bench_verify)

# "lang contender" pairs; each language's bench/<lang>/contender.sh runs one contender.
contenders=()
for lang in $LANGS; do
  case $lang in
    rust) contenders+=("rust raw-reqwest" "rust core-c-abi") ;;
    php) contenders+=("php binding" "php manual-sample" "php curl-reused") ;;
    java) contenders+=("java binding" "java httpurlconnection" "java httpclient") ;;
    dotnet) contenders+=("dotnet binding" "dotnet manual-sample") ;;
  esac
done

run_contender() { # lang contender → one JSON line
  local lang=$1 contender=$2
  if [ "$lang" = rust ]; then
    BENCH_CONTENDER=$contender target/release/examples/bench_verify
  else
    BENCH_CONTENDER=$contender bench/$lang/contender.sh
  fi
}

results=target/bench/results.jsonl
: > "$results"
echo "{\"machine\":\"$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')\",\"date\":\"$(date -u +%Y-%m-%dT%H:%MZ)\",\"command\":\"bench/run.sh $SECONDS_PER_RUN $ROUNDS\"}" >> "$results"

n=${#contenders[@]}
for scenario in paycert token+paycert; do
  export BENCH_SCENARIO=$scenario
  for round in $(seq 1 "$ROUNDS"); do
    # Rotate the order each round so no contender always runs first (warm caches, thermal state).
    for i in $(seq 0 $((n - 1))); do
      pair=${contenders[$(( (i + round) % n ))]}
      echo "== $scenario round $round: $pair" >&2
      run_contender $pair | tail -n 1 >> "$results"
    done
  done
done

unset BENCH_SCENARIO
for lang in $LANGS; do
  echo "== overhead: $lang" >&2
  if [ "$lang" = rust ]; then
    BENCH_CONTENDER=overhead target/release/examples/bench_verify >> "$results"
  else
    BENCH_CONTENDER=overhead bench/$lang/contender.sh >> "$results"
  fi
done

echo "== footprint" >&2
strip -o target/bench/libcookiepay.stripped.so target/release/libcookiepay.so
echo "{\"footprint\":\"stripped_cdylib_bytes\",\"value\":$(stat -c %s target/bench/libcookiepay.stripped.so)}" >> "$results"
for _ in 1 2 3 4 5; do
  target/bench/cold_start "$COOKIEPAY_LIB" "$BENCH_URL" "$BENCH_CA" "$BENCH_API_ID" "$BENCH_API_KEY" \
    | sed 's/^{/{"footprint":"cold_start",/' >> "$results"
done

/usr/bin/python3 bench/report.py "$results" BENCHMARKS.md bench/throughput.png
