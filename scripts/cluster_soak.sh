#!/usr/bin/env bash
# cluster_soak.sh [ROUNDS] [BUILD]: the failover tests (each scenario five
# times per run, under load, on a real three-node nats-server cluster on
# loopback) ROUNDS times in a row (default 10) from BUILD (default build).
# Exits non-zero at the first red round and keeps its output. Bounded: each
# round is given 15 minutes.
set -euo pipefail
rounds=${1:-10}
build=${2:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/setup.sh
BUILD_TARGET=cluster_failover_tests scripts/build.sh "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDECLARED_WERROR=ON
cmake --build "$build" --target declared >/dev/null
log=$(mktemp /tmp/declared-soak-XXXXXX.log)
for ((i = 1; i <= rounds; ++i)); do
  start=$(date +%s)
  if ! timeout 900 "$build/tests/cluster/cluster_failover_tests" '[failover]' >"$log" 2>&1; then
    echo "cluster soak: round $i of $rounds FAILED; output in $log"
    exit 1
  fi
  echo "cluster soak: round $i of $rounds green in $(( $(date +%s) - start )) s"
done
rm -f "$log"
echo "cluster soak: $rounds rounds green"
