#!/usr/bin/env bash
# Live feed fan-out: `declared serve` against nginx + nchan, side by side in
# one run, same event bytes, same subscriber counts, loopback only. Prints a
# table of medians; the numbers and their reading are in BENCHMARKS.md.
#
#   bench/feed_bench.sh            # 3 rounds of both servers, ~6 minutes
#   RUNS=5 SUBS=10000 bench/feed_bench.sh
#
# Environment: RUNS (3), SUBS (10000), RATE (10 events/s), STEADY (100 events),
# BURST (200), SATURATION (200 events), BATCH (declarations per POST in burst and
# saturation, 200), GEN_THREADS (1), PORT (18080: declared; PORT+1: nchan),
# BUILD_DIR (build-bench), SRC (the repo; SRC=head builds `git archive HEAD`
# with this tree's bench/ instead of the work tree). Needs root for apt-get when nginx is missing.
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
PORT=${PORT:-18080}
NPORT=$((PORT + 1))
BUILD=${BUILD_DIR:-$ROOT/build-bench}
# The daemon drops a subscriber whose write has not finished in 10 s by default;
# a 130 MB-per-second burst on a busy 2-core box can take longer than that.
WRITE_TIMEOUT_MS=${WRITE_TIMEOUT_MS:-60000}
BUDGET=${BUDGET:-300}  # seconds: no new round starts after this
START=$(date +%s)

# ---- what it needs ------------------------------------------------------------
if [ ! -x /usr/sbin/nginx ] || [ ! -f /usr/lib/nginx/modules/ngx_nchan_module.so ]; then
    echo "== installing nginx-light and libnginx-mod-nchan"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q nginx-light libnginx-mod-nchan >/dev/null 2>&1 ||
        { apt-get update -q >/dev/null && apt-get install -y -q nginx-light libnginx-mod-nchan >/dev/null; }
fi
# Debian starts the packaged nginx on port 80 when it can; this bench runs its own.

SRCDIR=$ROOT
if [ "${SRC:-}" = head ]; then
    # The committed daemon, with this work tree's bench/ (others' edits in progress left out).
    # Files are copied only when they differ, so a rebuild recompiles only what changed.
    SRCDIR=$BUILD-src
    fresh=$(mktemp -d /tmp/feed_bench_src.XXXXXX)
    git -C "$ROOT" archive HEAD | tar -x -C "$fresh"
    cp "$ROOT"/bench/CMakeLists.txt "$ROOT"/bench/*.cpp "$fresh/bench/"
    (cd "$fresh" && find . -type f) | while read -r f; do
        cmp -s "$fresh/$f" "$SRCDIR/$f" || { mkdir -p "$(dirname "$SRCDIR/$f")"; cp "$fresh/$f" "$SRCDIR/$f"; }
    done
    rm -rf "$fresh"
fi
echo "== building feed_bench and declared in $BUILD (from $SRCDIR)"
cmake -S "$SRCDIR" -B "$BUILD" -G Ninja >/dev/null
cmake --build "$BUILD" -j2 --target feed_bench declared | tail -1
FB=$BUILD/bench/feed_bench
DECLARED=$BUILD/daemon/declared

ulimit -n 20000  # 10,000 subscribers on each side of loopback (the machine's limit is 20,000)

WORK=$(mktemp -d /tmp/feed_bench.XXXXXX)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT

TOTAL=$((STEADY + BURST + SATURATION))
"$FB" night --out "$WORK/night" --events "$TOTAL"
# nchan publishes the daemon's own event bytes for the same declarations (only
# received_at differs: the live daemon stamps the arrival time).
"$DECLARED" replay --card "$WORK/night/card.json" --declarations "$WORK/night/declarations.jsonl" --events \
    >"$WORK/events.jsonl" 2>/dev/null
# Events each declaration causes (a result and the scoreboard after it); the
# phase sizes are in events, so they must be multiples of it.
PER=$(( $(wc -l <"$WORK/events.jsonl") / $(wc -l <"$WORK/night/declarations.jsonl") ))

wait_http() {  # URL: until it answers, at most 10 s
    for _ in $(seq 100); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done
    echo "no answer from $1" >&2
    return 1
}

run_declared() {  # ROUND [extra feed_bench args]
    local round=$1; shift
    rm -f "$WORK/journal.dcl"
    "$DECLARED" serve --card "$WORK/night/card.json" --journal "$WORK/journal.dcl" \
        --listen 127.0.0.1:$PORT --threads 1 --ingest-token bench:bench --log-level warn \
        --feed.max_subscribers 15000 --limits.max_connections 20000 --feed.write_timeout_ms "$WRITE_TIMEOUT_MS" \
        --feed.max_subscribers_per_address 0 --limits.max_connections_per_address 0 \
        >"$WORK/declared.log" 2>&1 &
    local pid=$!
    PIDS+=("$pid")
    wait_http http://127.0.0.1:$PORT/readyz
    timeout 240 "$FB" run --server declared --port $PORT --pid "$pid" --subs "$SUBS" --threads "$GEN_THREADS" \
        --rate "$RATE" --steady-events "$STEADY" --burst "$BURST" --saturation "$SATURATION" --batch "$BATCH" \
        --per "$PER" --token bench --declarations "$WORK/night/declarations.jsonl" "$@" | tee -a "$WORK/out.txt" || true
    kill -TERM "$pid"
    wait "$pid" || true
}

run_nchan() {  # ROUND [extra feed_bench args]
    local round=$1; shift
    local dir=$WORK/nginx
    rm -rf "$dir"
    mkdir -p "$dir"
    sed -e "s|@DIR@|$dir|g" -e "s|@PORT@|$NPORT|g" "$ROOT/bench/nchan/nginx.conf.in" >"$dir/nginx.conf"
    /usr/sbin/nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" &
    local master=$!
    PIDS+=("$master")
    local worker=""
    for _ in $(seq 100); do
        worker=$(pgrep -P "$master" | head -1 || true)
        [ -n "$worker" ] && curl -s -o /dev/null http://127.0.0.1:$NPORT/pub && break
        sleep 0.1
    done
    [ -n "$worker" ] || { cat "$dir/error.log"; exit 1; }
    timeout 240 "$FB" run --server nchan --port $NPORT --pid "$master" --pid "$worker" --subs "$SUBS" --threads "$GEN_THREADS" \
        --rate "$RATE" --steady-events "$STEADY" --burst "$BURST" --saturation "$SATURATION" \
        --per "$PER" --payloads "$WORK/events.jsonl" "$@" | tee -a "$WORK/out.txt" || true
    kill -QUIT "$master"
    wait "$master" || true
}

echo "== machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
ROUNDS_DONE=0
for round in $(seq "$RUNS"); do
    if [ $(($(date +%s) - START)) -gt "$BUDGET" ]; then
        echo "== time budget spent: $ROUNDS_DONE rounds, not $RUNS"
        break
    fi
    echo "== round $round of $RUNS ($(($(date +%s) - START)) s in; load $(cut -d' ' -f1-3 /proc/loadavg))"
    run_declared "$round"
    run_nchan "$round"
    ROUNDS_DONE=$round
done

# Is the generator the bottleneck? The same saturation phase with twice the generator threads.
echo "== generator check: the saturation phase again with $((GEN_THREADS * 2)) generator threads"
GEN_THREADS=$((GEN_THREADS * 2)) run_declared check --steady-events 0 --burst 0 | grep RESULT | sed 's/^RESULT/CHECK/' >>"$WORK/check.txt" || true
GEN_THREADS=$((GEN_THREADS * 2)) run_nchan check --steady-events 0 --burst 0 | grep RESULT | sed 's/^RESULT/CHECK/' >>"$WORK/check.txt" || true
# The tee above already printed them; drop the check rounds from the medians.
grep -v "threads=$((GEN_THREADS * 2)) " "$WORK/out.txt" >"$WORK/rounds.txt" || true

echo "== permessage-deflate, per connection (Beast's zlib, the daemon's event bytes)"
"$FB" deflate --streams 2000 --payloads "$WORK/events.jsonl"

# ---- the table -------------------------------------------------------------------
median() {  # SERVER KEY FILE
    grep "^RESULT server=$1 " "$3" | tr ' ' '\n' | sed -n "s/^$2=//p" | sort -g |
        awk '{v[NR]=$1} END {if (NR == 0) print "nan"; else if (NR % 2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'
}
row() {  # LABEL KEY UNIT SCALE
    local d n
    d=$(median declared "$2" "$WORK/rounds.txt")
    n=$(median nchan "$2" "$WORK/rounds.txt")
    awk -v l="$1" -v d="$d" -v n="$n" -v u="$3" \
        'BEGIN {r = (n + 0 != 0) ? sprintf("%.2f", d / n) : "-"; printf "%-44s %12s %12s %8s  %s\n", l, d, n, r, u}'
}
echo
echo "Live feed fan-out, medians of $ROUNDS_DONE rounds, $SUBS subscribers, $(awk '{s+=length($0)+0} END {printf "%.0f", s/NR}' "$WORK/events.jsonl")-byte events"
printf "%-44s %12s %12s %8s  %s\n" "" declared nchan ratio unit
row "server CPU per delivery, steady ($RATE ev/s)" steady_us_per_delivery us
row "server CPU per delivery, saturation" sat_us_per_delivery us
row "deliveries per second, saturation" sat_deliveries_per_s /s
row "server cores busy, saturation" sat_cores cores
row "steady: publish rate achieved" steady_rate "events/s"
row "latency p50, steady" steady_p50_ms ms
row "latency p99, steady" steady_p99_ms ms
row "burst of $BURST: last subscriber complete" burst_drain_s s
row "burst of $BURST: latency p99" burst_p99_ms ms
row "user-space memory per idle subscriber" mem_per_sub bytes
row "lossless rounds (1 = every subscriber, every event)" lossless ""
row "generator CPU per delivery, saturation" gen_us_per_delivery us
row "generator epoll threads busy, saturation" gen_busy_pct %
echo
echo "generator check ($((GEN_THREADS * 2)) generator threads):"
cat "$WORK/check.txt" 2>/dev/null || true
echo "== done in $(($(date +%s) - START)) s; load after: $(cut -d' ' -f1-3 /proc/loadavg); raw output in $WORK/out.txt"
