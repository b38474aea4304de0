#!/usr/bin/env bash
# tsan.sh: the multi-threaded tests under ThreadSanitizer: the single writer
# with its journal thread (ingest_tests, journal_tests), and the real daemon,
# built with TSan too, under the feed, webhook and daemon integration tests,
# the health port beside the I/O threads, and a cluster primary with a standby
# and an edge following it (libnats threads).
# Any report fails the run (halt_on_error).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/setup.sh
scripts/build.sh build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDECLARED_SANITIZE=thread
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
ctest --test-dir build-tsan --output-on-failure -j "$(nproc)" -E '^browser' \
  -R '^(ingest|journal|group commit|feed|tail|webhook|shutdown|drop|access|exhaustion|disk fault|property|push|crash|health|cluster: a standby and an edge)'
