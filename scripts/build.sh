#!/usr/bin/env bash
# build.sh DIR [cmake args...]: configure (once) and build declared into DIR.
set -euo pipefail
dir=${1:?usage: build.sh DIR [cmake args...]}
shift
root=$(cd "$(dirname "$0")/.." && pwd)
cmake -S "$root" -B "$dir" -G Ninja "$@" >/dev/null
cmake --build "$dir" -j "$(nproc)"
