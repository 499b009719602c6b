#!/usr/bin/env bash
# The PHP binding's suite: Debian's PHPUnit, with a cookiepay-sandbox started by tests/bootstrap.php on
# ephemeral ports; includes Debian's php-fpm (through cgi-fcgi) and the example shop under php -S.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
scripts/need.sh php:php8.2-cli phpunit:phpunit php-fpm8.2:php8.2-fpm cgi-fcgi:libfcgi-bin
# shellcheck source=php-packages.sh
source bindings/php/php-packages.sh
php_need_extensions FFI:php8.2-common posix:php8.2-common pcntl:php8.2-cli pdo_sqlite:php8.2-sqlite3 "Zend OPcache:php8.2-opcache"

export COOKIEPAY_LIB=${COOKIEPAY_LIB:-$root/target/release/libcookiepay.so}
export COOKIEPAY_SANDBOX_BIN=${COOKIEPAY_SANDBOX_BIN:-$root/target/release/cookiepay-sandbox}
[ -f "$COOKIEPAY_LIB" ] || cargo build --release --locked -p cookiepay
[ -x "$COOKIEPAY_SANDBOX_BIN" ] || cargo build --release --locked -p cookiepay-sandbox

exec phpunit -c bindings/php/phpunit.xml.dist "$@"
