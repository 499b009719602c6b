#!/usr/bin/env bash
# The example shop (examples/php) against a fresh sandbox: php -S serves it with the php-fpm preload
# recipe, and demo-buyer.php plays the browser: checkout → window → return post → replay → decline.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

if [ "${1:-}" != "--with-sandbox" ]; then
  scripts/need.sh php:php8.2-cli
  # shellcheck source=php-packages.sh
  source bindings/php/php-packages.sh
  php_need_extensions FFI:php8.2-common pdo_sqlite:php8.2-sqlite3 "Zend OPcache:php8.2-opcache"
  export COOKIEPAY_LIB=${COOKIEPAY_LIB:-$root/target/release/libcookiepay.so}
  export SANDBOX_BIN=${COOKIEPAY_SANDBOX_BIN:-$root/target/release/cookiepay-sandbox}
  [ -f "$COOKIEPAY_LIB" ] || cargo build --release --locked -p cookiepay
  [ -x "$SANDBOX_BIN" ] || cargo build --release --locked -p cookiepay-sandbox
  exec scripts/with-sandbox.sh "$0" --with-sandbox
fi

work=$(mktemp -d)
port=$(php -r '$s = stream_socket_server("tcp://127.0.0.1:0"); $n = stream_socket_get_name($s, false); echo substr($n, strrpos($n, ":") + 1);')
COOKIEPAY_EXAMPLE_DATA=$work examples/php/serve.sh "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; echo "php -S exited early" >&2; exit 1; }
  sleep 0.1
done

echo "== the example shop (examples/php) under php -S at http://127.0.0.1:$port"
echo "   CookiePay: the sandbox at $COOKIEPAY_SANDBOX_URL; libcookiepay $(php -r 'require "bindings/php/autoload.php"; echo CookiePay\Client::version();')"
php examples/php/demo-buyer.php "http://127.0.0.1:$port"
