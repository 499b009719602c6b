#!/usr/bin/env bash
# `make install PREFIX=/usr/local`: the C library from dist/lib/linux-x86_64-gnu (glibc 2.17+).
#   PREFIX/include/cookiepay.h
#   PREFIX/lib/libcookiepay.so.<version>   (SONAME libcookiepay.so.<ABI>; the two usual links to it)
#   PREFIX/lib/libcookiepay.a
#   PREFIX/lib/pkgconfig/cookiepay.pc
# Builds that platform first when dist/ does not have it. DESTDIR is honoured (packagers).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
# shellcheck source=dir.sh
source scripts/dist/dir.sh
prefix=${1:?usage: scripts/dist/install.sh PREFIX}
case $prefix in /*) ;; *) prefix=$(pwd)/$prefix ;; esac
from=$dist/lib/linux-x86_64-gnu
[ -f "$from/libcookiepay.so" ] || scripts/dist/build.sh linux-x86_64-gnu
version=$(sed -n 's/^version=//p' "$dist/VERSION")
soname=$(sed -n 's/^soname=//p' "$dist/VERSION")
dest=${DESTDIR:-}$prefix
install -d "$dest/include" "$dest/lib/pkgconfig"
install -m 644 include/cookiepay.h "$dest/include/"
install -m 755 "$from/libcookiepay.so" "$dest/lib/libcookiepay.so.$version"
ln -sfn "libcookiepay.so.$version" "$dest/lib/$soname"
ln -sfn "$soname" "$dest/lib/libcookiepay.so"
install -m 644 "$from/libcookiepay.a" "$dest/lib/"
# Libs.private: what the static archive needs from the system (rustc --print native-static-libs).
cat > "$dest/lib/pkgconfig/cookiepay.pc" <<PC
prefix=$prefix
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: cookiepay
Description: CookiePay (쿠키페이) recurring-billing client core with a flat C ABI
Version: $version
Libs: -L\${libdir} -lcookiepay
Libs.private: -lpthread -ldl -lm -lrt -lutil
Cflags: -I\${includedir}
PC
echo "installed cookiepay $version into $dest" >&2
