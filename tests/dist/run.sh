#!/usr/bin/env bash
# `make test-dist`: every artifact in dist/ (scripts/dist/build.sh) is tried, not just built:
#   - exported symbols = the header's functions (+ the JNI glue of Native.java), for every library;
#   - ELF: glibc floor <= 2.17, SONAME, only libc's own libraries needed; PE: only system DLLs imported;
#   - tests/c/flow.c against the glibc-2.17 build (gcc) and the musl build (musl-gcc), with the sandbox;
#   - windows-x86_64 (and windows-x86 when built): flow.c cross-compiled with mingw-w64, run under wine
#     against the sandbox on loopback (tests/dist/mingw/ adapts the POSIX headers; a test-only
#     ProcessPrng shim stands in for what wine 8 lacks — it is never part of dist/);
#   - linux-aarch64-gnu, with DIST_LONG=1: flow.c under qemu-aarch64;
#   - the jar, the Composer package and the NuGet tree (tests/dist/packages.sh);
#   - make install + the README's link lines (tests/dist/install.sh).
# Prints "N passed, N failed" at the end.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
# shellcheck source=../../scripts/dist/dir.sh
source scripts/dist/dir.sh
export PATH="$HOME/.cargo/bin:$PATH"
[ -f "$dist/PLATFORMS" ] || { echo "$dist/ is missing: run make dist (or make test-dist)" >&2; exit 1; }
scripts/dist/tools.sh test ${DIST_LONG:+--long}
[ -x target/release/cookiepay-sandbox ] || { echo "target/release/cookiepay-sandbox missing: make release" >&2; exit 1; }

# shellcheck source=lib.sh
source tests/dist/lib.sh
rm -f "$DIST_RESULTS"
mapfile -t platforms < "$dist/PLATFORMS"
soname=$(sed -n 's/^soname=//p' "$dist/VERSION")
work=$root/target/dist-test
rm -rf "$work/bin"
mkdir -p "$work/bin"

# What the libraries must export: the header's functions, and the JNI methods Native.java declares.
mapfile -t header_fns < <(grep -E '^[a-z].*[ *]cookiepay_[a-z0-9_]+\(' include/cookiepay.h | grep -oE 'cookiepay_[a-z0-9_]+\(' | tr -d '(' | sort -u)
mapfile -t jni_fns < <(sed -n 's/^ *static native [^(]* \([A-Za-z0-9_]*\)(.*/Java_com_cookiepay_Native_\1/p' \
  bindings/java/src/main/java/com/cookiepay/Native.java | sort -u)
[ ${#header_fns[@]} -gt 10 ] && [ ${#jni_fns[@]} -gt 3 ] || { echo "could not read the header's or Native.java's functions" >&2; exit 1; }
expected=$(printf '%s\n' "${header_fns[@]}" "${jni_fns[@]}" | sort -u)

same_elf_exports() { diff <(elf_exports "$1") <(echo "$expected"); }
same_pe_exports() { diff <(pe_exports "$1") <(echo "$expected"); }
elf_exports() { readelf --dyn-syms -W "$1" | awk '$4=="FUNC" && $5=="GLOBAL" && $7!="UND" {sub(/@.*/, "", $8); print $8}' | sort -u; }
pe_exports() { x86_64-w64-mingw32-objdump -p "$1" | sed -n '/\[Ordinal\/Name Pointer\] Table/,/^$/p' \
  | sed -n 's/^[[:space:]]*\[[[:space:]]*[0-9]*\][[:space:]]*\([^[:space:]]*\).*/\1/p' | sed 's/^_//; s/@[0-9]*$//' | sort -u; }

for p in "${platforms[@]}"; do
  dir=$dist/lib/$p
  case $p in
    linux-*)
      lib=$dir/libcookiepay.so
      check "$p: exports = header functions + JNI" same_elf_exports "$lib"
      check "$p: SONAME $soname" grep -q "(SONAME).*\[$soname\]" <(readelf -d "$lib")
      needed=$(readelf -d "$lib" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort | tr '\n' ' ')
      if [[ $p == *-musl ]]; then
        check "$p: needs only musl's libc ($needed)" [ "$needed" = "libc.so " ]
      else
        floor=$(readelf --dyn-syms -W "$lib" | grep -oE '@GLIBC_[0-9.]+' | sed 's/@GLIBC_//' | sort -uV | tail -n1)
        check "$p: highest GLIBC_ version $floor <= 2.17" [ "$(printf '%s\n2.17\n' "$floor" | sort -V | tail -n1)" = 2.17 ]
        extra=$(tr ' ' '\n' <<<"$needed" | grep -vE '^(libc\.so\.6|ld-linux-(x86-64|aarch64)\.so\.[12]|libpthread\.so\.0|libdl\.so\.2|libm\.so\.6|librt\.so\.1|libutil\.so\.1)?$' || true)
        check "$p: needs only glibc's libraries ($needed)" [ -z "$extra" ]
      fi
      ;;
    windows-*)
      lib=$dir/cookiepay.dll
      check "$p: exports = header functions + JNI" same_pe_exports "$lib"
      dlls=$(x86_64-w64-mingw32-objdump -p "$lib" | sed -n 's/.*DLL Name: //p' | tr 'A-Z' 'a-z' | sort -u | tr '\n' ' ')
      foreign=$(tr ' ' '\n' <<<"$dlls" | grep -vE '^(kernel32|ntdll|ws2_32|bcrypt|bcryptprimitives|advapi32|userenv|msvcrt|crypt32|secur32|ole32|oleaut32|shell32|user32|ncrypt|api-ms-win-[a-z0-9-]+)\.dll$|^$' || true)
      check "$p: imports only Windows' own DLLs ($dlls)" [ -z "$foreign" ]
      want=x86-64; [ "$p" = windows-x86 ] && want=i386
      check "$p: PE machine $want" grep -qi "file format pei-$want" <(x86_64-w64-mingw32-objdump -f "$lib" 2>/dev/null || i686-w64-mingw32-objdump -f "$lib")
      ;;
  esac
done

# flow.c against each Linux build, as a user's program would link it (the SONAME resolved by rpath).
run_flow_linux() {
  local p=$1 cc=$2 runner=${3:-}
  local out=$work/bin/$p
  mkdir -p "$out/lib"
  cp "$dist/lib/$p/libcookiepay.so" "$out/lib/"
  ln -sf libcookiepay.so "$out/lib/$soname"
  if $cc -std=c11 -Wall -Wextra -O1 -I"$dist/include" -o "$out/flow" tests/c/flow.c -L"$out/lib" -lcookiepay \
       -Wl,-rpath,"$out/lib" -lpthread 2>"$out/cc.log"; then
    check "$p: flow.c against the sandbox" scripts/with-sandbox.sh $runner "$out/flow"
  else
    cat "$out/cc.log" >&2
    check "$p: flow.c compiles with $cc" false
  fi
}
for p in "${platforms[@]}"; do
  case $p in
    linux-x86_64-gnu) run_flow_linux "$p" gcc ;;
    linux-x86_64-musl) run_flow_linux "$p" musl-gcc ;;
    linux-aarch64-gnu)
      if [ -n "${DIST_LONG:-}" ]; then
        run_flow_linux "$p" aarch64-linux-gnu-gcc "qemu-aarch64 -L /usr/aarch64-linux-gnu"
      else
        echo "(linux-aarch64-gnu: exports and floor checked; flow.c under qemu only with DIST_LONG=1)" >&2
      fi ;;
  esac
done

# flow.c under wine, against the DLL.
for p in "${platforms[@]}"; do
  case $p in windows-x86_64) cc=x86_64-w64-mingw32-gcc ;; windows-x86) cc=i686-w64-mingw32-gcc ;; *) continue ;; esac
  out=$work/bin/$p
  mkdir -p "$out"
  cp "$dist/lib/$p/cookiepay.dll" "$out/"
  # The shim: only in this test folder, next to flow.exe.
  if $cc -shared -O1 -o "$out/bcryptprimitives.dll" tests/dist/processprng_shim.c tests/dist/processprng_shim.def -ladvapi32 2>"$out/cc.log" &&
     $cc -std=c11 -Wall -O1 -Itests/dist/mingw -I"$dist/include" -o "$out/flow.exe" tests/c/flow.c \
       "$dist/lib/$p/libcookiepay.dll.a" -lws2_32 -static -lpthread 2>>"$out/cc.log"; then
    check "$p: flow.c under wine against the sandbox" tests/dist/wine-flow.sh "$out/flow.exe"
  else
    cat "$out/cc.log" >&2
    check "$p: flow.c compiles with $cc" false
  fi
done

# The command-line tool of each platform answers --help, and the Linux ones ask the sandbox for a TOKEN.
cli_token_check() {
  local bin=$1
  # shellcheck disable=SC2016
  scripts/with-sandbox.sh bash -c 'COOKIEPAY_BASE_URL=$COOKIEPAY_SANDBOX_URL exec "$0" token --check' "$bin"
}
for p in "${platforms[@]}"; do
  case $p in
    linux-x86_64-*)
      check "$p: cookiepay --help" "$dist/bin/$p/cookiepay" --help
      check "$p: cookiepay token --check against the sandbox" cli_token_check "$dist/bin/$p/cookiepay" ;;
    windows-x86_64)
      # Next to the test-only ProcessPrng shim the flow.exe step built (wine 8 lacks ProcessPrng).
      cp "$dist/bin/$p/cookiepay.exe" "$work/bin/$p/"
      check "$p: cookiepay.exe --help under wine" tests/dist/wine-run.sh "$work/bin/$p/cookiepay.exe" --help ;;
  esac
done

# make dist replaces its output folder: one that holds the repository is refused before anything is
# built or removed. (The platform named is bogus, so should the refusal ever go, build.sh stops at
# "unknown platform" with exit 2 before it removes anything.)
refuses_dist_dir() {
  local out
  out=$(DIST_DIR=$1 scripts/dist/build.sh no-such-platform 2>&1) && return 1
  grep -q 'holds the repository' <<<"$out"
}
check "build.sh refuses DIST_DIR=. (the repository)" refuses_dist_dir .
check "build.sh refuses DIST_DIR=.. (holds the repository)" refuses_dist_dir ..

tests/dist/packages.sh
tests/dist/install.sh
summary
