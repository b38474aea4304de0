#!/usr/bin/env bash
# The first command on a fresh clone: install what is missing (Debian 12),
# build, and run the demo: a generated election night replayed into the daemon
# in about three minutes, with the live results page at http://127.0.0.1:8080/
# and control calls printed here as they happen; a few councils are played
# under the desk policy approve and one is called by the desk: the desk view
# (its address with the desk token is printed) approves them. Ctrl-C stops it.
# Options go to `declared demo` (--listen ADDR:PORT, --speed X, --night DIR).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scripts/setup.sh
mkdir -p build
log=build/demo-build.log
echo "== build (a few minutes the first time; log: $log)"
if ! BUILD_TARGET=declared scripts/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$log" 2>&1; then
  grep -E 'error|FAILED' "$log" | head -40 || tail -40 "$log"
  echo "demo: the build failed; the whole log is $log" >&2
  exit 1
fi
exec build/daemon/declared demo "$@"
