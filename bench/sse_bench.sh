#!/usr/bin/env bash
# Event-stream (SSE) fan-out beside the WebSocket feed: the same daemon, the
# same night, the same run shape as bench/feed_bench.sh (10,000 subscribers;
# a steady phase, a burst, saturation), alternating WebSocket and SSE
# subscribers round by round. Prints a table of medians; the numbers and their
# reading are in BENCHMARKS.md.
#
#   bench/sse_bench.sh             # 3 rounds of each, ~4 minutes
#   RUNS=5 SUBS=10000 bench/sse_bench.sh
#
# Environment: RUNS (3), SUBS (10000), RATE (10 events/s), STEADY (100 events),
# BURST (200), SATURATION (200 events), BATCH (200), GEN_THREADS (1),
# PORT (18090), BUILD_DIR (build: feed_bench and declared are built there).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-3}
SUBS=${SUBS:-10000}
RATE=${RATE:-10}
STEADY=${STEADY:-100}
BURST=${BURST:-200}
SATURATION=${SATURATION:-200}
BATCH=${BATCH:-200}
GEN_THREADS=${GEN_THREADS:-1}
PORT=${PORT:-18090}
BUILD=${BUILD_DIR:-$ROOT/build}
WRITE_TIMEOUT_MS=${WRITE_TIMEOUT_MS:-60000}

echo "== building feed_bench and declared in $BUILD"
cmake --build "$BUILD" -j2 --target feed_bench declared | tail -1
FB=$BUILD/bench/feed_bench
DECLARED=$BUILD/daemon/declared
ulimit -n 20000

WORK=$(mktemp -d /tmp/sse_bench.XXXXXX)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT

"$FB" night --out "$WORK/night" --events $((STEADY + BURST + SATURATION))
# Events each declaration causes (a result and the scoreboard after it).
"$DECLARED" replay --card "$WORK/night/card.json" --declarations "$WORK/night/declarations.jsonl" --events \
    >"$WORK/events.jsonl" 2>/dev/null
PER=$(( $(wc -l <"$WORK/events.jsonl") / $(wc -l <"$WORK/night/declarations.jsonl") ))

wait_http() {
    for _ in $(seq 100); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done
    echo "no answer from $1" >&2
    return 1
}

run_declared() {  # LABEL [extra feed_bench args]
    local label=$1; shift
    rm -f "$WORK/journal.dcl"
    "$DECLARED" serve --card "$WORK/night/card.json" --journal "$WORK/journal.dcl" \
        --listen 127.0.0.1:$PORT --threads 1 --ingest-token bench:bench --log-level warn \
        --feed.max_subscribers 15000 --limits.max_connections 20000 --feed.write_timeout_ms "$WRITE_TIMEOUT_MS" \
        >"$WORK/declared.log" 2>&1 &
    local pid=$!
    PIDS+=("$pid")
    wait_http http://127.0.0.1:$PORT/readyz
    timeout 240 "$FB" run --server declared --port $PORT --pid "$pid" --subs "$SUBS" --threads "$GEN_THREADS" \
        --rate "$RATE" --steady-events "$STEADY" --burst "$BURST" --saturation "$SATURATION" --batch "$BATCH" \
        --per "$PER" --token bench --declarations "$WORK/night/declarations.jsonl" "$@" |
        sed "s/^RESULT server=declared /RESULT server=$label /" | tee -a "$WORK/out.txt" || true
    kill -TERM "$pid"
    wait "$pid" || true
}

echo "== machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$RUNS"); do
    echo "== round $round of $RUNS (load $(cut -d' ' -f1-3 /proc/loadavg))"
    run_declared websocket
    run_declared sse --sse
done

median() {  # SERVER KEY
    grep "^RESULT server=$1 " "$WORK/out.txt" | tr ' ' '\n' | sed -n "s/^$2=//p" | sort -g |
        awk '{v[NR]=$1} END {if (NR == 0) print "nan"; else if (NR % 2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'
}
row() {  # LABEL KEY UNIT
    local w s
    w=$(median websocket "$2")
    s=$(median sse "$2")
    awk -v l="$1" -v w="$w" -v s="$s" -v u="$3" \
        'BEGIN {r = (w + 0 != 0) ? sprintf("%.2f", s / w) : "-"; printf "%-44s %12s %12s %8s  %s\n", l, w, s, r, u}'
}
echo
echo "Event stream beside the WebSocket feed, medians of $RUNS rounds, $SUBS subscribers"
printf "%-44s %12s %12s %8s  %s\n" "" websocket sse "sse/ws" unit
row "server CPU per delivery, steady ($RATE ev/s)" steady_us_per_delivery us
row "server CPU per delivery, saturation" sat_us_per_delivery us
row "deliveries per second, saturation" sat_deliveries_per_s /s
row "latency p50, steady" steady_p50_ms ms
row "latency p99, steady" steady_p99_ms ms
row "burst of $BURST: last subscriber complete" burst_drain_s s
row "burst of $BURST: latency p99" burst_p99_ms ms
row "user-space memory per idle subscriber" mem_per_sub bytes
row "lossless rounds (1 = every subscriber, every event)" lossless ""
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg); raw output in $WORK/out.txt"
