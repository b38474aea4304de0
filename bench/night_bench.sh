#!/usr/bin/env bash
# Issue 5's benchmark: the generated default night replayed at --speed max into
# `declared serve` while 1,000 subscribers follow /v1/feed; every subscriber
# must end with the offline replay's final seq and scoreboard (night_bench.cpp
# says exactly what is checked). Runs it RUNS times, prints every round, then
# the median and the spread (min to max) of each number. The numbers and their
# reading are in BENCHMARKS.md ("Replaying the night to 1,000 subscribers").
#
#   bench/night_bench.sh              # the work tree: 3 rounds, about 5 minutes plus the build
#   SRC=head bench/night_bench.sh     # the committed daemon (HEAD) with this tree's bench files
#   RUNS=5 SUBS=1000 bench/night_bench.sh
#
# Environment: RUNS (3), SUBS (1000), THREADS (night_bench's epoll threads, 1),
# WAIT (seconds allowed after the replay for the last subscriber, 120),
# BASELINE (1: first one round with no subscribers, the replay's own time; 0: none),
# BUILD_DIR (build-nightbench), SRC (head: others' uncommitted edits left out;
# built from $BUILD_DIR/head-src in $BUILD_DIR/head).
# Exit status 0 when every round passed.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-3}
SUBS=${SUBS:-1000}
THREADS=${THREADS:-1}
WAIT=${WAIT:-120}
BASELINE=${BASELINE:-1}
BUILD=${BUILD_DIR:-$ROOT/build-nightbench}
START=$(date +%s)

SRCDIR=$ROOT
if [ "${SRC:-}" = head ]; then
    # HEAD's tree, plus this work tree's versions of the bench files night_bench
    # is made of. A file is copied only when it differs, so rebuilds stay small.
    SRCDIR=$BUILD/head-src
    BUILD=$BUILD/head
    fresh=$(mktemp -d /tmp/night_bench_src.XXXXXX)
    git -C "$ROOT" archive HEAD | tar -x -C "$fresh"
    for f in CMakeLists.txt ws_load.hpp ws_load.cpp night_bench.cpp feed_bench.cpp; do cp "$ROOT/bench/$f" "$fresh/bench/$f"; done
    while read -r f; do
        if ! cmp -s "$fresh/$f" "$SRCDIR/$f"; then mkdir -p "$(dirname "$SRCDIR/$f")" && cp "$fresh/$f" "$SRCDIR/$f"; fi
    done < <(cd "$fresh" && find . -type f)
    rm -rf "$fresh"
fi
echo "== building declared and night_bench in $BUILD (from $SRCDIR)"
[ -f "$BUILD/build.ninja" ] || cmake -S "$SRCDIR" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j2 --target declared night_bench | tail -1
NB=$BUILD/bench/night_bench
DECLARED=$BUILD/daemon/declared

echo "== machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)," \
     "$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), kernel $(uname -r)"
echo "== source: $(git -C "$ROOT" rev-parse --short HEAD)${SRC:+ ($SRC)}; uncommitted in daemon/ feed/ model/:" \
     "$(git -C "$ROOT" status --porcelain -- daemon feed model | wc -l) files$([ "${SRC:-}" = head ] && echo ', not built')"

OUT=$(mktemp /tmp/night_bench.XXXXXX.txt)
failed=0
if [ "$BASELINE" = 1 ]; then
    echo "== baseline: the same replay with no subscribers (load $(cut -d' ' -f1-3 /proc/loadavg))"
    "$NB" --declared "$DECLARED" --subs 0 | grep -E '^(replay|RESULT|PASS|FAIL)' | sed 's/^RESULT/BASELINE/' | tee -a "$OUT" || failed=1
fi
for round in $(seq "$RUNS"); do
    echo "== round $round of $RUNS, $SUBS subscribers ($(($(date +%s) - START)) s in; load $(cut -d' ' -f1-3 /proc/loadavg))"
    "$NB" --declared "$DECLARED" --subs "$SUBS" --threads "$THREADS" --wait "$WAIT" | tee -a "$OUT" || failed=1
done

# ---- medians and spreads over the rounds -------------------------------------------
stat_of() {  # KEY: "median (min to max)" over the RESULT lines
    grep '^RESULT ' "$OUT" | tr ' ' '\n' | sed -n "s/^$1=//p" | sort -g |
        awk '{v[NR] = $1} END {
            if (NR == 0) { print "-"; exit }
            m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%.10g (%.10g to %.10g)\n", m, v[1], v[NR] }'
}
echo
echo "Replaying the night to $SUBS subscribers: medians of $(grep -c '^RESULT ' "$OUT" || true) rounds (min to max)"
for key in replay_s catchup_s drain_s events deliveries frames resumes daemon_cpu_s daemon_sys_s daemon_cores peak_rss_mb gen_cpu_s pass; do
    printf "  %-14s %s\n" "$key" "$(stat_of "$key")"
done
grep '^BASELINE ' "$OUT" | tr ' ' '\n' | sed -n 's/^replay_s=/  replay_s with no subscribers: /p' || true
echo "== done in $(($(date +%s) - START)) s; load after: $(cut -d' ' -f1-3 /proc/loadavg); raw output in $OUT"
[ "$failed" = 0 ] && echo "ALL ROUNDS PASSED" || echo "SOME ROUND FAILED"
exit "$failed"
