#!/usr/bin/env bash
# Make sure the system packages a make target needs are present.
# Usage: scripts/need.sh COMMAND:DEBIAN_PACKAGE ...
#        (COMMAND "dpkg" checks that the package itself is installed: for libraries without a command)
# As root, missing packages are installed with apt-get; otherwise we say exactly what is missing and fail.
set -euo pipefail

missing_pkgs=()
missing_cmds=()
for pair in "$@"; do
  cmd=${pair%%:*}
  pkg=${pair#*:}
  if [ "$cmd" = dpkg ]; then
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing_cmds+=("(package $pkg)")
      missing_pkgs+=("$pkg")
    fi
  elif ! command -v "$cmd" >/dev/null 2>&1; then
    missing_cmds+=("$cmd")
    missing_pkgs+=("$pkg")
  fi
done

if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo (Rust) is missing. Install Rust with rustup: https://rustup.rs (then open a new shell)." >&2
  exit 1
fi

[ ${#missing_pkgs[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing missing packages: ${missing_pkgs[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  log=$(mktemp)
  # Another install (unattended-upgrades, a second make, a parallel CI step) may hold dpkg's or apt's
  # lock: wait for it, up to NEED_LOCK_WAIT seconds in all, instead of failing. apt waits on dpkg's
  # frontend lock itself (DPkg::Lock::Timeout); `apt-get update`'s lists lock is retried here.
  wait_secs=${NEED_LOCK_WAIT:-900}
  deadline=$((SECONDS + wait_secs))
  apt_get() {
    while :; do
      if apt-get -o DPkg::Lock::Timeout="$wait_secs" "$@" >"$log" 2>&1; then return 0; fi
      if grep -qE 'Could not get lock|Unable to acquire the dpkg frontend lock|Unable to lock directory' "$log" &&
         [ "$SECONDS" -lt "$deadline" ]; then
        echo "waiting for the package manager's lock (another install is running)..." >&2
        sleep 5
        continue
      fi
      return 1
    done
  }
  if apt_get update -qq && apt_get install -y -qq --no-install-recommends "${missing_pkgs[@]}"; then
    rm -f "$log"
    exit 0
  fi
  cat "$log" >&2
  rm -f "$log"
  echo "apt-get could not install: ${missing_pkgs[*]}" >&2
  exit 1
fi

echo "Missing commands: ${missing_cmds[*]}" >&2
echo "Install them with:  sudo apt-get install ${missing_pkgs[*]}" >&2
exit 1
