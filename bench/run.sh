#!/usr/bin/env bash
# The client benchmarks of BENCHMARKS.md (issue 7), in one run on one machine:
#   1. verify throughput and latency against cookiepay-sandbox over loopback HTTPS, scenarios
#      "paycert" (cached TOKEN), "token+paycert" (a fresh TOKEN per verify, as the manual's samples
#      do), "verify" (cached TOKEN, paycert and the comparison with the stored order; the PHP binding
#      builds its Client anew per call, as a PHP request does) and "concurrent" (16 threads on one
#      client in Java and C#, 8 php-fpm workers driven over FastCGI in PHP); every contender of every
#      language, alternating, ROUNDS rounds of SECONDS each (SCENARIOS="..." picks scenarios);
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

# Target flags select only what they name: the library (cdylib), the sandbox binary and the examples.
cargo build --release --locked -q -p cookiepay -p cookiepay-sandbox --lib --bins --example bench_verify --example bench_fcgi
mkdir -p target/bench
gcc -O2 -o target/bench/cold_start bench/c/cold_start.c -ldl -lpthread
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
read -r BENCH_TID BENCH_ORDERNO BENCH_AMOUNT < <(BENCH_CONTENDER=setup target/release/examples/bench_verify)
export BENCH_TID BENCH_ORDERNO BENCH_AMOUNT

# Which contenders run in which scenario, as "lang contender" pairs; each language's
# bench/<lang>/contender.sh runs one contender. The manual's samples (the baselines of the first two
# scenarios) are left out of the others: they are 10-20x slower and the targets do not name them.
runtimes_of() { # lang → the runtimes it is measured on, each a "lang" of the results
  # C#: Mono (.NET Framework's stand-in) and CoreCLR (ASP.NET Core's runtime), each its own HTTP stack.
  if [ "$1" = dotnet ]; then echo dotnet-mono dotnet-coreclr; else echo "$1"; fi
}

contenders_of() { # scenario → pairs, one per line
  local scenario=$1
  for lang in $LANGS; do
    case $scenario:$lang in
      concurrent:rust) ;;
      # raw-rustls: HTTP/1.1 by hand over blocking rustls, paycert only: not a contender of the
      # targets, the measure of what the HTTP stack costs (BENCHMARKS.md).
      paycert:rust) echo "rust raw-reqwest"; echo "rust core-c-abi"; echo "rust raw-rustls" ;;
      *:rust) echo "rust raw-reqwest"; echo "rust core-c-abi" ;;
      concurrent:php) echo "php binding"; echo "php curl-per-request" ;;
      verify:php) echo "php binding"; echo "php pure"; echo "php curl-reused" ;;
      *:php) echo "php binding"; echo "php pure"; echo "php manual-sample"; echo "php curl-reused" ;;
      verify:java | concurrent:java) echo "java binding"; echo "java httpclient" ;;
      *:java) echo "java binding"; echo "java httpurlconnection"; echo "java httpclient" ;;
      verify:dotnet | concurrent:dotnet) for runtime in $(runtimes_of dotnet); do
          echo "$runtime binding"; echo "$runtime httpwebrequest-tuned"; echo "$runtime httpclient"; done ;;
      *:dotnet) for runtime in $(runtimes_of dotnet); do
          echo "$runtime binding"; echo "$runtime manual-sample"; echo "$runtime httpwebrequest-tuned"; echo "$runtime httpclient"; done ;;
    esac
  done
}

run_contender() { # lang contender → one JSON line
  local lang=$1 contender=$2
  case $lang in
    rust) BENCH_CONTENDER=$contender target/release/examples/bench_verify ;;
    dotnet-*) BENCH_CONTENDER=$contender BENCH_DOTNET_RUNTIME=${lang#dotnet-} bench/dotnet/contender.sh ;;
    *) BENCH_CONTENDER=$contender bench/$lang/contender.sh ;;
  esac
}

results=target/bench/results.jsonl
: > "$results"
echo "{\"machine\":\"$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')\",\"date\":\"$(date -u +%Y-%m-%dT%H:%MZ)\",\"command\":\"bench/run.sh $SECONDS_PER_RUN $ROUNDS\",\"load_before\":\"$(cut -d' ' -f1-3 /proc/loadavg)\"}" >> "$results"

# "concurrent": 16 threads on one client (Java, C#); 8 php-fpm workers driven over FastCGI (PHP).
for scenario in ${SCENARIOS:-paycert token+paycert verify concurrent}; do
  export BENCH_SCENARIO=$scenario
  mapfile -t contenders < <(contenders_of "$scenario")
  n=${#contenders[@]}
  for round in $(seq 1 "$ROUNDS"); do
    # Rotate the order each round so no contender always runs first (warm caches, thermal state).
    for i in $(seq 0 $((n - 1))); do
      pair=${contenders[$(( (i + round) % n ))]}
      lang=${pair%% *}
      case $lang in php) threads=8 ;; *) threads=16 ;; esac
      echo "== $scenario round $round: $pair" >&2
      BENCH_THREADS=$threads run_contender $pair | tail -n 1 >> "$results"
    done
  done
done

unset BENCH_SCENARIO
for lang in $LANGS; do
  for runtime in $(runtimes_of "$lang"); do
    echo "== overhead: $runtime" >&2
    run_contender "$runtime" overhead >> "$results"
  done
done

echo "== RSS over 100,000 calls" >&2
BENCH_CONTENDER=rss target/release/examples/bench_verify >> "$results"

echo "== footprint" >&2
strip -o target/bench/libcookiepay.stripped.so target/release/libcookiepay.so
echo "{\"footprint\":\"stripped_cdylib_bytes\",\"value\":$(stat -c %s target/bench/libcookiepay.stripped.so)}" >> "$results"
for _ in 1 2 3 4 5; do
  target/bench/cold_start "$COOKIEPAY_LIB" "$BENCH_URL" "$BENCH_CA" "$BENCH_API_ID" "$BENCH_API_KEY" \
    | sed 's/^{/{"footprint":"cold_start",/' >> "$results"
done

echo "{\"load_after\":\"$(cut -d' ' -f1-3 /proc/loadavg)\"}" >> "$results"
/usr/bin/python3 bench/report.py "$results" BENCHMARKS.md bench/throughput.png
