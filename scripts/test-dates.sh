#!/usr/bin/env bash
# The date-sensitive Rust suites (core: lifecycle, money, notis; sandbox: billing, notis, payments; CLI:
# lifecycle, money) run at a list of calendar dates: libfaketime moves the process's real time to the
# day (10:00 in Seoul) and COOKIEPAY_SANDBOX_CLOCK_START starts the sandbox clock on the same day, so
# the core's own clock and the sandbox's agree. A suite that passes here passes on any of these days.
#
#   scripts/test-dates.sh                 the fixed list below (make test)
#   scripts/test-dates.sh --year 2027     every day of that year (make test-dates-long)
#   JOBS=N                                 suites run N at a time (default 2)
#   scripts/test-dates.sh 2027-03-09 …    the days given
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/need.sh faketime:faketime

# Month ends (30, 31, Feb 28 in a common year, Feb 29 in a leap year, Dec 31 into a new year), and the
# 6th-14th of several months: a day-15 schedule then falls once or twice into a 40-day advance.
FIXED_DATES=(2026-01-31 2026-02-28 2028-02-29 2026-04-30 2026-12-31 2026-12-07 2027-01-14 2027-03-06 2027-06-09 2027-09-12)

dates=()
if [ "${1:-}" = "--year" ]; then
  year=${2:?--year needs a year}
  d="$year-01-01"
  while [ "${d:0:4}" = "$year" ]; do
    dates+=("$d")
    d=$(date -u -d "$d + 1 day" +%F)
  done
elif [ $# -gt 0 ]; then
  dates=("$@")
else
  dates=("${FIXED_DATES[@]}")
fi

# Build once at real time (cargo under a faked clock would see its own outputs as stale), then run
# the test binaries themselves under faketime.
suites=(cookiepay:lifecycle cookiepay:money cookiepay:notis cookiepay-sandbox:billing cookiepay-sandbox:notis
        cookiepay-sandbox:payments cookiepay-cli:lifecycle cookiepay-cli:money)
bins=()
dirs=()
for suite in "${suites[@]}"; do
  pkg=${suite%%:*}
  test=${suite#*:}
  bin=$(cargo test --locked -q -p "$pkg" --test "$test" --no-run --message-format=json 2>/dev/null |
    python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["kind"] == ["test"]:
        print(m["executable"])')
  [ -x "$bin" ] || { echo "test-dates: no test binary for $suite" >&2; exit 1; }
  bins+=("$bin")
  # cargo runs a test binary in its package's folder
  case $pkg in cookiepay) dirs+=(.) ;; cookiepay-sandbox) dirs+=(sandbox) ;; cookiepay-cli) dirs+=(cli) ;; esac
done

# One job per (day, suite), JOBS at a time (default 2: most of a suite's time is spent waiting on
# sockets and timeouts, not on a core).
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run_one() { # day index
  local day=$1 i=$2
  # 10:00 KST is 01:00 UTC: no date boundary is crossed while a suite runs. Monotonic clocks stay
  # real (timeouts, tokio's timers).
  # libfaketime is preloaded directly: the `faketime` wrapper's named semaphore collides when several
  # start at once ("sem_open: File exists").
  if (cd "${DIRS[$i]}" && FAKETIME_DONT_FAKE_MONOTONIC=1 COOKIEPAY_SANDBOX_CLOCK_START="$day 10:00:00" TZ=UTC \
      LD_PRELOAD="$FAKETIME_LIB" FAKETIME="@$day 01:00:00" "${BINS[$i]}" -q) >"$WORK/$day.$i.log" 2>&1; then
    rm -f "$WORK/$day.$i.log"
  else
    echo "== FAILED on $day: ${SUITES[$i]}" >&2
    grep -vE '^(running|test .* ok$|$)' "$WORK/$day.$i.log" | tail -n 40 >&2
  fi
}
export -f run_one
export WORK=$work
FAKETIME_LIB=$(dpkg -L libfaketime | grep -m1 '/libfaketime.so.1$')
[ -f "$FAKETIME_LIB" ] || { echo "test-dates: libfaketime.so.1 not found (package libfaketime)" >&2; exit 1; }
export FAKETIME_LIB
# Arrays do not cross into xargs' shells: pass them as newline-separated strings.
export BINS_S DIRS_S SUITES_S
BINS_S=$(printf '%s\n' "${bins[@]}") DIRS_S=$(printf '%s\n' "${dirs[@]}") SUITES_S=$(printf '%s\n' "${suites[@]}")
for day in "${dates[@]}"; do
  for i in "${!bins[@]}"; do echo "$day $i"; done
done | xargs -P "${JOBS:-2}" -n 2 bash -c 'mapfile -t BINS <<<"$BINS_S"; mapfile -t DIRS <<<"$DIRS_S";
  mapfile -t SUITES <<<"$SUITES_S"; run_one "$1" "$2"' _

failed=$(find "$work" -name '*.log' | wc -l)
total=$((${#dates[@]} * ${#bins[@]}))
echo "test-dates: ${#dates[@]} dates × ${#bins[@]} suites"
echo "$((total - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
