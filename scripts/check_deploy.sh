#!/usr/bin/env bash
# check_deploy.sh BUILD_DIR: the deploy files are valid. systemd-analyze
# verifies the unit (with ExecStart pointed at the built binary, since the
# unit names the installed path), the example configs (single machine and
# cluster mode) use only keys the daemon knows, and nats-server accepts the
# three-node cluster's files.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: check_deploy.sh BUILD_DIR}
binary="$(cd "$build" && pwd)/daemon/declared"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if command -v systemd-analyze >/dev/null; then
  sed "s#/usr/local/bin/declared#$binary#" "$root/deploy/declared.service" > "$work/declared.service"
  sed "s#/usr/local/bin/declared#$binary#" "$root/deploy/cluster/declared@.service" > "$work/declared@.service"
  cp "$work/declared@.service" "$work/declared@standby.service"
  systemd-analyze verify "$work/declared.service" "$work/declared@standby.service"
  echo "deploy: systemd units verified"
else
  echo "deploy: systemd-analyze not installed; unit not verified" >&2
  exit 1
fi
# Every key in the example config must be one the daemon knows: --help lists
# them. The help is read once into a file: piping it into `grep -q` would let
# grep exit at the first match and, under pipefail, turn the daemon's SIGPIPE
# into a failure that depends on timing.
"$binary" serve --help > "$work/help"
for conf in deploy/declared.conf deploy/cluster/primary.conf deploy/cluster/standby.conf deploy/cluster/edge.conf; do
  section=""
  while IFS= read -r line; do
    case "$line" in
      \[*\]) section=${line#[}; section=${section%]}; continue ;;
      ''|\#*) continue ;;
    esac
    key=${line%%=*}; key=${key// /}
    full=$key; [ -n "$section" ] && full="$section.$key"
    grep -q -- "--$full " "$work/help" || { echo "deploy: unknown key '$full' in $conf" >&2; exit 1; }
  done < "$root/$conf"
  echo "deploy: $conf: every key known"
done
# The three-node NATS cluster's files parse as nats-server reads them.
for conf in "$root"/deploy/cluster/nats-*.conf; do
  nats-server -t -c "$conf" > "$work/nats-check" 2>&1 || { cat "$work/nats-check" >&2; echo "deploy: nats-server refuses $conf" >&2; exit 1; }
done
echo "deploy: the NATS cluster's configs are valid"
