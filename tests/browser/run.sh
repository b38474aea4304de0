#!/usr/bin/env bash
# The browser test: installs Debian's Chromium and playwright-core (pinned in
# package-lock.json) if missing, then runs page_test.cjs against the real
# daemon. Prints "SKIPPED: ..." and exits 0 only when Chromium cannot be
# installed (apt-get failed); every other problem fails the test.
#
# usage: tests/browser/run.sh DECLARED_BINARY OUT_DIR [SCRIPT]   (default page_test.cjs)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:?usage: run.sh DECLARED_BINARY OUT_DIR}
out=${2:?usage: run.sh DECLARED_BINARY OUT_DIR}
script=${3:-page_test.cjs}
mkdir -p "$out"

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  # Serialise with other apt runs (setup.sh, a parallel test).
  $sudo apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "$@" >"$out/apt.log" 2>&1 ||
    { $sudo apt-get update -qq >>"$out/apt.log" 2>&1 &&
      $sudo apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "$@" >>"$out/apt.log" 2>&1; }
}

chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  echo "browser test: installing chromium (apt-get)"
  if ! apt_install chromium; then
    echo "SKIPPED: chromium could not be installed (apt-get failed; see $out/apt.log)"
    exit 0
  fi
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "browser test: installing nodejs and npm (apt-get)"
  apt_install nodejs npm || { echo "browser test: nodejs/npm could not be installed (see $out/apt.log)"; exit 1; }
fi

# Node modules live in the build tree, not the source tree.
npm_dir="$(dirname "$out")/browser-npm"
mkdir -p "$npm_dir"
if ! cmp -s "$here/package-lock.json" "$npm_dir/package-lock.json" || [ ! -d "$npm_dir/node_modules/playwright-core" ]; then
  cp "$here/package.json" "$here/package-lock.json" "$npm_dir/"
  (cd "$npm_dir" && npm ci --no-audit --no-fund --loglevel=error)
fi

export CHROMIUM="$chromium"
NODE_PATH="$npm_dir/node_modules" exec node "$here/$script" "$bin" "$out"
