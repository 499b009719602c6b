#!/usr/bin/env bash
# make test-browser: the manual's browser path in headless Chromium (its HTML and JSP samples, the PHP
# example shop's checkout, the window at 375 and 1280 px) and its PHP and cURL samples, against
# cookiepay-sandbox over HTTP and HTTPS. Installs what is missing: Debian's chromium, Node/npm, PHP
# with the curl extension (and what examples/php needs), then tests/browser's npm packages
# (playwright-core drives the system chromium; no browser is downloaded). Screenshots: target/browser/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# fonts-nanum: Korean glyphs for the screenshots (Debian has no CJK font by default).
scripts/need.sh chromium:chromium node:nodejs npm:npm php:php8.2-cli curl:curl dpkg:fonts-nanum
# shellcheck source=../bindings/php/php-packages.sh
source bindings/php/php-packages.sh
php_need_extensions curl:php8.2-curl FFI:php8.2-common pdo_sqlite:php8.2-sqlite3 "Zend OPcache:php8.2-opcache"

export COOKIEPAY_LIB=${COOKIEPAY_LIB:-$root/target/release/libcookiepay.so}
export COOKIEPAY_SANDBOX_BIN=${COOKIEPAY_SANDBOX_BIN:-$root/target/release/cookiepay-sandbox}
[ -f "$COOKIEPAY_LIB" ] || cargo build --release --locked -p cookiepay
[ -x "$COOKIEPAY_SANDBOX_BIN" ] || cargo build --release --locked -p cookiepay-sandbox

cd tests/browser
if [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/jquery ] || [ package-lock.json -nt node_modules ]; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
fi
mkdir -p "$root/target/browser"
exec node --test --test-concurrency=1 test/ "$@"
