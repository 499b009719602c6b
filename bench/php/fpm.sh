#!/usr/bin/env bash
# The php-fpm contenders of the concurrent scenario (bench/run.sh): a php-fpm pool of BENCH_THREADS
# static workers, each request running bench/php/fpm.php, driven over FastCGI by
# target/release/examples/bench_fcgi (one connection per worker, each with one request in flight).
# Starts the pool, runs BENCH_CONTENDER, stops the pool; prints the load generator's JSON line.
# The pool uses the binding's production recipe (bindings/php/README.md, "php-fpm"): ffi.enable=preload
# with the preload header and opcache.preload, so no request parses the header or loads the library.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(mktemp -d)
fpm=$(command -v php-fpm8.2 || command -v php-fpm)
user=$(id -un)
cat > "$dir/fpm.conf" <<CONF
[global]
pid = $dir/fpm.pid
error_log = $dir/fpm.log
daemonize = no
[bench]
listen = $dir/fpm.sock
$( [ "$user" = root ] && printf 'user = nobody\ngroup = nogroup\n' )
pm = static
pm.max_children = ${BENCH_THREADS:-8}
pm.max_requests = 0
clear_env = no
catch_workers_output = yes
php_admin_value[memory_limit] = 256M
php_admin_value[display_errors] = stderr
CONF
# The workers run as nobody under root: they need to read the CA and write the TOKEN file.
cp "$BENCH_CA" "$dir/ca.pem"
chmod 755 "$dir"; chmod 644 "$dir/ca.pem"
export BENCH_CA=$dir/ca.pem BENCH_TOKEN_FILE=$dir/token
touch "$BENCH_TOKEN_FILE"; chmod 666 "$BENCH_TOKEN_FILE"
php "$root/bindings/php/bin/cookiepay-preload-header" "$COOKIEPAY_LIB" > "$dir/cookiepay.h"
chmod 644 "$dir/cookiepay.h"
preload_user=$( [ "$user" = root ] && echo nobody || echo "$user" )
"$fpm" -y "$dir/fpm.conf" -F $( [ "$user" = root ] && echo -R ) \
  -d ffi.enable=preload -d ffi.preload="$dir/cookiepay.h" -d opcache.enable=1 \
  -d opcache.preload="$root/bindings/php/preload.php" -d opcache.preload_user="$preload_user" &
pid=$!
cleanup() { kill -QUIT "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
for _ in $(seq 1 100); do [ -S "$dir/fpm.sock" ] && break; sleep 0.05; done
BENCH_FCGI_SOCKET=$dir/fpm.sock BENCH_FCGI_SCRIPT=$root/bench/php/fpm.php BENCH_CONNECTIONS=${BENCH_THREADS:-8} \
  "$root/target/release/examples/bench_fcgi" || { cat "$dir/fpm.log" >&2; exit 1; }
