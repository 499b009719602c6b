#!/usr/bin/env bash
# The PHP contenders need php-cli (with FFI) and php-curl for the manual's sample code.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/need.sh php:php-cli dpkg:php8.2-curl php-fpm8.2:php8.2-fpm
