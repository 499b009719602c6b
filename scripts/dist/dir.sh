# Sourced by scripts/dist/*.sh and tests/dist/*.sh, right after they `cd "$root"`: sets `dist` to
# where the artifacts go — dist/, or DIST_DIR (make test-dist builds into its own) — as an ABSOLUTE
# path, and exports it as DIST_DIR for the scripts they call. A relative DIST_DIR is relative to
# the repository root (where make runs). Absolute once, here: a relative path read again after a
# `cd` elsewhere (the Maven build runs in bindings/java) names another folder.
dist=${DIST_DIR:-dist}
case $dist in
  /*) ;;
  *) dist=$root/$dist ;;
esac
dist=$(realpath -m -- "$dist")
export DIST_DIR=$dist

# build.sh replaces the folder: never one that holds the repository (DIST_DIR=. or ..), / or HOME.
dist_replaceable() {
  case "$root/" in
    "$dist"/*) echo "DIST_DIR=$dist holds the repository: refusing to replace it" >&2; return 1 ;;
  esac
  if [ "$dist" = / ] || [ "$dist" = "$(realpath -m -- "${HOME:-/}")" ]; then
    echo "DIST_DIR=$dist: refusing to replace it" >&2
    return 1
  fi
}
