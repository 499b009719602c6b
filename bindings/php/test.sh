#!/usr/bin/env bash
# The PHP binding's suite: Debian's PHPUnit, with a cookiepay-sandbox started by tests/bootstrap.php on
# ephemeral ports; includes Debian's php-fpm (through cgi-fcgi) and the example shop under php -S.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
scripts/need.sh php:php8.2-cli phpunit:phpunit php-fpm8.2:php8.2-fpm cgi-fcgi:libfcgi-bin php-parse:php-parser composer:composer
# shellcheck source=php-packages.sh
source bindings/php/php-packages.sh
php_need_extensions FFI:php8.2-common curl:php8.2-curl apcu:php8.2-apcu posix:php8.2-common pcntl:php8.2-cli pdo_sqlite:php8.2-sqlite3 "Zend OPcache:php8.2-opcache"

export COOKIEPAY_LIB=${COOKIEPAY_LIB:-$root/target/release/libcookiepay.so}
export COOKIEPAY_SANDBOX_BIN=${COOKIEPAY_SANDBOX_BIN:-$root/target/release/cookiepay-sandbox}
[ -f "$COOKIEPAY_LIB" ] || cargo build --release --locked -p cookiepay
[ -x "$COOKIEPAY_SANDBOX_BIN" ] || cargo build --release --locked -p cookiepay-sandbox

# Once per backend: libcookiepay through FFI, then the pure-PHP backend (shared hosting without FFI).
# The pure run skips the FFI-only tests, each saying "FFI-only: why"; any other skip fails it.
echo "== PHP binding, FFI backend" >&2
COOKIEPAY_PHP_BACKEND=ffi phpunit -c bindings/php/phpunit.xml.dist "$@"
echo "== PHP binding, pure-PHP backend" >&2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
COOKIEPAY_PHP_BACKEND=php phpunit -c bindings/php/phpunit-pure.xml.dist --verbose --log-teamcity "$log" "$@"
if grep "^##teamcity\[testIgnored" "$log" | grep -v "message='FFI-only: " >&2; then
  echo "the pure-PHP run skipped tests that are not FFI-only (above)" >&2
  exit 1
fi
