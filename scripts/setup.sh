#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build and test declared.
# Idempotent: a machine that has everything installs nothing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config ccache git
  libboost1.81-dev libboost-json1.81-dev libboost-program-options1.81-dev libboost-url1.81-dev
  libsimdjson-dev libspdlog-dev libfmt-dev catch2 libcsv-dev libssl-dev
  clang libclang-rt-14-dev
  systemd
  prometheus  # promtool checks /metrics in the tests
  nats-server libnats-dev  # cluster mode: the JetStream journal (cluster/) and its tests
)

missing=()
for p in "${packages[@]}"; do
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = 'install ok installed' ] || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
