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
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
client=() cluster=() http=()
for i in 1 2 3; do client+=("$(port)"); cluster+=("$(port)"); http+=("$(port)"); done
urls=""
for i in 0 1 2; do
  routes=""
  for j in 0 1 2; do [ "$i" = "$j" ] || routes+="${routes:+, }nats-route://127.0.0.1:${cluster[$j]}"; done
  cat > "$dir/n$i.conf" <<CONF
server_name: n$i
listen: 127.0.0.1:${client[$i]}
http: 127.0.0.1:${http[$i]}
jetstream { store_dir: "$dir/n$i" }
cluster {
  name: bench
  listen: 127.0.0.1:${cluster[$i]}
  routes: [ ${routes} ]
}
CONF
  nats-server -c "$dir/n$i.conf" > "$dir/n$i.log" 2>&1 &
  pids+=($!)
  urls+="${urls:+,}nats://127.0.0.1:${client[$i]}"
done
for i in 0 1 2; do
  ok=""
  for _ in $(seq 300); do
    curl -sf "http://127.0.0.1:${http[$i]}/healthz" > /dev/null && ok=1 && break
    sleep 0.1
  done
  [ -n "$ok" ] || { echo "nats-server n$i not healthy after 30 s:"; cat "$dir/n$i.log"; exit 1; }
done

run() {  # run NAME serve-args...
  local name=$1
  shift
  "$build/daemon/declared" serve --card "$card" --listen 127.0.0.1:0 --ingest-token t "$@" > "$dir/$name.log" 2>&1 &
  local pid=$!
  local p=""
  for _ in $(seq 600); do
    p=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$dir/$name.log" | grep -o '[0-9]*$' || true)
    [ -n "$p" ] && break
    sleep 0.1
  done
  [ -n "$p" ] || { cat "$dir/$name.log"; exit 1; }
  echo "== $name"
  "$build/bench/ingest_bench" --port "$p" --token t --declarations "$decls" "${bench_args[@]}"
  kill "$pid"
  wait "$pid" || true
}
run file --journal "$dir/journal"
run cluster --cluster.url "$urls" --cluster.stream BENCH
