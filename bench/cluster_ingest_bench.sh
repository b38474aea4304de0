#!/usr/bin/env bash
# cluster_ingest_bench.sh BUILD CARD DECLARATIONS [ingest_bench args...]:
# acknowledged declarations per second with the journal in a local file and
# on a three-node JetStream stream (docs/cluster.md), same daemon, same load.
# Starts three nats-servers on loopback in a temp dir; a fresh journal and
# stream for each run. Not a test: numbers go to docs/cluster.md.
set -euo pipefail
build=${1:?usage: cluster_ingest_bench.sh BUILD CARD DECLARATIONS [ingest_bench args...]}
card=${2:?card}
decls=${3:?declarations}
shift 3
bench_args=("$@")
[ ${#bench_args[@]} -gt 0 ] || bench_args=(--connections 64)
dir=$(mktemp -d /tmp/declared-cluster-bench-XXXXXX)
. "$(dirname "$0")/cluster_env.sh"
start_nats_cluster

run() {  # run NAME serve-args...
  local name=$1
  shift
  start_daemon "$name" --card "$card" --ingest-token t "$@"
  echo "== $name"
  "$build/bench/ingest_bench" --port "$daemon_port" --token t --declarations "$decls" "${bench_args[@]}"
  kill "$daemon_pid"
  wait "$daemon_pid" || true
}
run file --journal "$dir/journal"
run cluster --cluster.url "$urls" --cluster.stream BENCH
