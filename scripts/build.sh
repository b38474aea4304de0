#!/usr/bin/env bash
# build.sh DIR [cmake args...]: configure (once) and build declared into DIR.
# BUILD_TARGET=name builds one target instead of everything.
set -euo pipefail
dir=${1:?usage: build.sh DIR [cmake args...]}
shift
root=$(cd "$(dirname "$0")/.." && pwd)
cmake -S "$root" -B "$dir" -G Ninja "$@" >/dev/null
cmake --build "$dir" -j "$(nproc)" ${BUILD_TARGET:+--target "$BUILD_TARGET"}
