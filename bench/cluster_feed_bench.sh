#!/usr/bin/env bash
# cluster_feed_bench.sh [BUILD]: live-feed fan-out in cluster mode. Each round
# starts three nats-servers, a primary and two edges on loopback, all fresh;
# feed_bench's subscribers are split over the two edges (one generator process
# per edge, since one process may hold at most 20,000 descriptors here) and its
# declarations are POSTed to the primary. So latency is from the POST written
# to the primary to the frame read at an edge's subscriber, and CPU per
# delivery is the two edges' CPU over their deliveries. Each round runs twice,
# on fresh clusters: with SUBS subscribers, and with FEW (the path from the
# primary to an edge with almost no fan-out), so the two latencies are side
# by side in the same run. Not a test: the numbers go to BENCHMARKS.md.
#
#   bench/cluster_feed_bench.sh build            # 3 rounds, 20,000 subscribers, 10 events/s
#   RUNS=1 SUBS=2000 STEADY=40 bench/cluster_feed_bench.sh build
#
# Environment: RUNS (3), SUBS (20000), RATE (10 events/s), STEADY (300 events),
# BURST (100), SATURATION (200), BATCH (50 declarations per POST outside steady), FEW (20).
set -euo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
RUNS=${RUNS:-3} SUBS=${SUBS:-20000} RATE=${RATE:-10} STEADY=${STEADY:-300} BURST=${BURST:-100}
SATURATION=${SATURATION:-200} BATCH=${BATCH:-50} FEW=${FEW:-20}
ulimit -n "$(ulimit -Hn)"
cmake --build "$build" -j2 --target feed_bench declared | tail -1
out=$(mktemp /tmp/cluster-feed-bench-XXXXXX.txt)

cpu_s() {  # PID: its user + system CPU so far, in seconds
  awk -v t="$(getconf CLK_TCK)" '{sub(/^.*\) /, ""); printf "%.1f", ($12 + $13) / t}' "/proc/$1/stat"
}

round() {  # SUBS
  local subs=$1
  dir=$(mktemp -d /tmp/declared-cluster-feed-XXXXXX)
  . "$here/cluster_env.sh"
  "$build/bench/feed_bench" night --out "$dir/night" --events $((STEADY + BURST + SATURATION))
  # Events per declaration (a result and the scoreboard after it).
  "$build/daemon/declared" replay --card "$dir/night/card.json" --declarations "$dir/night/declarations.jsonl" \
    --events > "$dir/events.jsonl" 2> /dev/null
  local per=$(( $(wc -l < "$dir/events.jsonl") / $(wc -l < "$dir/night/declarations.jsonl") ))
  start_nats_cluster
  local common=(--card "$dir/night/card.json" --cluster.url "$urls" --cluster.stream FEED --threads 1
                --ingest-token bench:bench --feed.max_subscribers 15000
                --limits.max_connections 20000 --feed.max_subscribers_per_address 0
                --limits.max_connections_per_address 0)
  start_daemon primary "${common[@]}" --cluster.role primary --cluster.node primary
  local primary_port=$daemon_port primary_pid=$daemon_pid
  start_daemon edge1 "${common[@]}" --cluster.role edge --cluster.node edge1
  local edge1_port=$daemon_port edge1_pid=$daemon_pid
  start_daemon edge2 "${common[@]}" --cluster.role edge --cluster.node edge2
  local edge2_port=$daemon_port edge2_pid=$daemon_pid
  for port in "$primary_port" "$edge1_port" "$edge2_port"; do
    for _ in $(seq 300); do curl -sf -o /dev/null "http://127.0.0.1:$port/readyz" && break; sleep 0.1; done
    curl -sf -o /dev/null "http://127.0.0.1:$port/readyz" || { echo "node on :$port not ready after 30 s"; exit 1; }
  done
  echo "== $subs subscribers over edges :$edge1_port and :$edge2_port, declarations to the primary :$primary_port"
  timeout 600 "$build/bench/feed_bench" run --server declared --port "$edge1_port" --port "$edge2_port" \
    --post-port "$primary_port" --pid "$edge1_pid" --pid "$edge2_pid" --subs "$subs" --threads 2 --procs 2 \
    --rate "$RATE" --steady-events "$STEADY" --burst "$BURST" --saturation "$SATURATION" --batch "$BATCH" \
    --per "$per" --token bench --declarations "$dir/night/declarations.jsonl"
  # Where the two cores went, over the whole round (connecting included).
  local nats=0 p
  for p in "${pids[@]:0:3}"; do nats=$(awk -v a="$nats" -v b="$(cpu_s "$p")" 'BEGIN {print a + b}'); done
  echo "CPU seconds over the round: primary $(cpu_s "$primary_pid")," \
       "edges $(cpu_s "$edge1_pid") + $(cpu_s "$edge2_pid"), nats-servers $nats"
}

echo "== machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$RUNS"); do
  echo "== round $r of $RUNS (load $(cut -d' ' -f1-3 /proc/loadavg))"
  (round "$SUBS") | tee -a "$out" || echo "== round $r failed"
  (round "$FEW") | tee -a "$out" || echo "== round $r (few) failed"
done

median() {  # KEY [SUBS]: the median over the rounds' RESULT lines
  grep "^RESULT .* subs=${2:-$SUBS} " "$out" | tr ' ' '\n' | sed -n "s/^$1=//p" | sort -g |
    awk '{v[NR]=$1} END {if (NR == 0) print "nan"; else if (NR % 2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'
}
echo
echo "Cluster fan-out, medians of $(grep -c "^RESULT .* subs=$SUBS " "$out") rounds: $SUBS subscribers over two edges, primary to edge"
printf '%-52s %10s\n' "latency p50, steady ($RATE events/s)" "$(median steady_p50_ms) ms"
printf '%-52s %10s\n' "latency p99, steady" "$(median steady_p99_ms) ms"
printf '%-52s %10s\n' "latency p50 / p99, steady, $FEW subscribers" "$(median steady_p50_ms "$FEW") / $(median steady_p99_ms "$FEW") ms"
printf '%-52s %10s\n' "edges' CPU per delivery, steady" "$(median steady_us_per_delivery) us"
printf '%-52s %10s\n' "burst of $BURST: last subscriber complete" "$(median burst_drain_s) s"
printf '%-52s %10s\n' "burst of $BURST: latency p99" "$(median burst_p99_ms) ms"
printf '%-52s %10s\n' "edges' CPU per delivery, saturation" "$(median sat_us_per_delivery) us"
printf '%-52s %10s\n' "deliveries per second, saturation" "$(median sat_deliveries_per_s) /s"
printf '%-52s %10s\n' "edges' memory per idle subscriber" "$(median mem_per_sub) bytes"
echo "lossless rounds: $(grep -c 'lossless=1' "$out") of $(grep -c '^RESULT ' "$out"); raw output in $out"
