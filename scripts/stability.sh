#!/usr/bin/env bash
# stability.sh [RUNS]: the whole ctest suite, release and sanitizer builds,
# RUNS times in a row (default 5) while clean rebuilds of the tree load both
# cores. A suite that passes only on a quiet machine fails here. Exits non-zero
# at the first red run and says which.
set -euo pipefail
runs=${1:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scripts/setup.sh
scripts/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDECLARED_WERROR=ON
scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-g -O1" -DDECLARED_SANITIZE=address,undefined -DDECLARED_WERROR=ON

# The load: clean rebuilds of a scratch tree, without the compiler cache (a
# cached build would load nothing), niced so the suite still gets a share.
load_dir=$(mktemp -d /tmp/declared-load-XXXXXX)
cmake -S "$root" -B "$load_dir" -G Ninja -DCMAKE_CXX_COMPILER_LAUNCHER= >/dev/null
(
  while true; do
    ninja -C "$load_dir" -t clean >/dev/null 2>&1 || true
    CCACHE_DISABLE=1 nice -n 10 ninja -C "$load_dir" -j "$(nproc)" >/dev/null 2>&1 || true
  done
) &
loader=$!
# The loop first, so that it starts nothing more; then whatever it started
# (found by the scratch tree's path: once the loop is gone its children
# belong to init, and pkill -P would miss them).
trap 'kill "$loader" 2>/dev/null; pkill -f -- "$load_dir" 2>/dev/null; wait 2>/dev/null; rm -rf "$load_dir"' EXIT

for run in $(seq 1 "$runs"); do
  for dir in build build-asan; do
    echo "== run $run of $runs: $dir (machine loaded by a parallel build)"
    start=$(date +%s)
    if ! ctest --test-dir "$dir" --output-on-failure -j "$(nproc)"; then
      echo "stability: run $run, $dir: RED" >&2
      exit 1
    fi
    echo "stability: run $run, $dir: green in $(( $(date +%s) - start )) s"
  done
done
echo "stability: $runs of $runs runs green in both builds"
