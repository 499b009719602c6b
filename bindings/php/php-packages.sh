# Sourced by test.sh and demo.sh. scripts/need.sh checks commands; PHP extensions are checked here:
# installed with apt-get when root, otherwise named with the command to run.
php_need_extensions() { # "extension:debian-package" ...
  local pair ext missing=() names=()
  for pair in "$@"; do
    ext=${pair%%:*}
    php -r "exit(extension_loaded('$ext') ? 0 : 1);" || { missing+=("${pair#*:}"); names+=("$ext"); }
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing PHP extensions ${names[*]}: ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
    for pair in "$@"; do
      ext=${pair%%:*}
      php -r "exit(extension_loaded('$ext') ? 0 : 1);" || { echo "PHP extension $ext still missing after installing ${pair#*:}" >&2; exit 1; }
    done
    return 0
  fi
  echo "Missing PHP extensions: ${names[*]}" >&2
  echo "Install them with:  sudo apt-get install ${missing[*]}" >&2
  exit 1
}
