#!/usr/bin/env bash
# fuzz.sh [SECONDS]: build the libFuzzer targets with clang (ASan + UBSan),
# fuzz the declaration parser and validator for SECONDS, then the reader of
# client WebSocket frames for a third of that. Seeds: real declarations of the
# 2022 night when ../shared/data is there (imported with build/daemon/declared),
# else the committed seeds for the small test card. Fails on any crash, leak
# or sanitizer report.
set -euo pipefail
seconds=${1:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

for target in declaration_fuzz ws_frame_fuzz; do
  BUILD_TARGET=$target scripts/build.sh build-fuzz -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ \
    -DDECLARED_FUZZ=ON -DDECLARED_SANITIZE=address,undefined
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus"
data="$root/../shared/data"
if [ -d "$data/leh-2022" ] && [ -x build/daemon/declared ]; then
  build/daemon/declared import leh --candidates "$data/leh-2022/candidates.csv" \
    --councils "$data/cbp9545-2022/councils-england.csv" --out "$work/night" >/dev/null
  export DECLARED_FUZZ_CARD="$work/night/card.json"
  # One declaration per seed file: every 10th of the night, all shapes of ward.
  awk 'NR % 10 == 1 { f = sprintf("%s/corpus/d%05d.json", dir, NR); print > f; close(f) }' \
    dir="$work" "$work/night/declarations.jsonl"
  echo "fuzz: $(ls "$work/corpus" | wc -l) seeds from the 2022 night"
else
  echo "fuzz: ../shared/data absent: seeding from tests/fuzz/corpus with the small test card"
  cp tests/fuzz/corpus/* "$work/corpus/"
fi
build-fuzz/tests/fuzz/declaration_fuzz -max_total_time="$seconds" -rss_limit_mb=4096 -max_len=65536 \
  -print_final_stats=1 "$work/corpus" 2>&1 | tail -n 25
echo "fuzz: ${seconds}s without a crash, leak or sanitizer report"
# No seeds: from nothing, libFuzzer finds the frame shapes within seconds.
mkdir -p "$work/ws"
build-fuzz/tests/fuzz/ws_frame_fuzz -max_total_time="$((seconds / 3))" -rss_limit_mb=4096 -max_len=4096 \
  -print_final_stats=1 "$work/ws" 2>&1 | tail -n 12
echo "fuzz: ws_frame $((seconds / 3))s without a crash, leak, sanitizer report or broken contract"
