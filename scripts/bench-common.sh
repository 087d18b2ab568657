# Shared by the bench-*.sh scripts (sourced, run from the repository root).

# The release splat binary: $SPLAT, or .build/release/splat, built if missing.
release_splat() {
  local splat="${SPLAT:-.build/release/splat}"
  if [ ! -x "$splat" ]; then
    echo "== building splat (release)" >&2
    swift build -c release --product splat >&2
  fi
  echo "$splat"
}

# Creates directory $1 if needed and prints its absolute path.
absolute_dir() { mkdir -p "$1" && (cd "$1" && pwd); }

gcd() { local a=$1 b=$2; while [ "$b" -ne 0 ]; do local t=$((a % b)); a=$b; b=$t; done; echo "$a"; }
