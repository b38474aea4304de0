#!/usr/bin/env bash
# The test command: install what is missing, build, run every test; then the
# same suite again under AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scripts/setup.sh

werror=OFF
[ "${CI:-}" = "true" ] && werror=ON

echo "== build (release, warnings as errors: $werror)"
scripts/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDECLARED_WERROR=$werror
echo "== tests"
ctest --test-dir build --output-on-failure -j "$(nproc)"
echo "== deploy files"
scripts/check_deploy.sh build

echo "== build (AddressSanitizer + UndefinedBehaviorSanitizer)"
# Debug keeps assertions on; -O1 keeps the integration tests (real daemons) quick enough.
scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-g -O1" -DDECLARED_WERROR=$werror -DDECLARED_SANITIZE=address,undefined
echo "== tests under sanitizers"
ctest --test-dir build-asan --output-on-failure -j "$(nproc)"

echo "== fuzz the declaration parser and validator (libFuzzer, 60 s)"
scripts/fuzz.sh 60
