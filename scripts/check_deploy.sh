#!/usr/bin/env bash
# check_deploy.sh BUILD_DIR: the deploy files are valid. systemd-analyze
# verifies the unit (with ExecStart pointed at the built binary, since the
# unit names the installed path), and the example config is accepted by the
# daemon's own option parser.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: check_deploy.sh BUILD_DIR}
binary="$(cd "$build" && pwd)/daemon/declared"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if command -v systemd-analyze >/dev/null; then
  sed "s#/usr/local/bin/declared#$binary#" "$root/deploy/declared.service" > "$work/declared.service"
  systemd-analyze verify "$work/declared.service"
  echo "deploy: systemd unit verified"
else
  echo "deploy: systemd-analyze not installed; unit not verified" >&2
  exit 1
fi
# Every key in the example config must be one the daemon knows: --help lists
# them. The help is read once into a file: piping it into `grep -q` would let
# grep exit at the first match and, under pipefail, turn the daemon's SIGPIPE
# into a failure that depends on timing.
"$binary" serve --help > "$work/help"
section=""
while IFS= read -r line; do
  case "$line" in
    \[*\]) section=${line#[}; section=${section%]}; continue ;;
    ''|\#*) continue ;;
  esac
  key=${line%%=*}; key=${key// /}
  full=$key; [ -n "$section" ] && full="$section.$key"
  grep -q -- "--$full " "$work/help" || { echo "deploy: unknown key '$full' in declared.conf" >&2; exit 1; }
done < "$root/deploy/declared.conf"
echo "deploy: example config keys all known"
