#!/usr/bin/env bash
# Serve the example shop with PHP's built-in server, FFI enabled by the same preload recipe as php-fpm
# (ffi.enable stays "preload"). Usage: examples/php/serve.sh [HOST:PORT]   (default 127.0.0.1:8000)
# Env: COOKIEPAY_LIB (the library), COOKIEPAY_SANDBOX_URL (a local cookiepay-sandbox),
#      COOKIEPAY_EXAMPLE_DATA (folder for shop.sqlite and the preload header; default examples/php/data).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
binding=$(cd "$here/../../bindings/php" && pwd)
data=${COOKIEPAY_EXAMPLE_DATA:-$here/data}
mkdir -p "$data"
php "$binding/bin/cookiepay-preload-header" ${COOKIEPAY_LIB:+"$COOKIEPAY_LIB"} > "$data/cookiepay.h"
as_root=()
# As root, PHP preloads only as a named user: this development server preloads as the one running it.
[ "$(id -u)" -eq 0 ] && as_root=(-d "opcache.preload_user=$(id -un)")
exec php -d ffi.enable=preload -d ffi.preload="$data/cookiepay.h" \
  -d opcache.enable=1 -d opcache.enable_cli=1 -d opcache.preload="$binding/preload.php" "${as_root[@]}" \
  -S "${1:-127.0.0.1:8000}" -t "$here/public"
