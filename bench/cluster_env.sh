# cluster_env.sh: sourced by the cluster benchmarks. Needs $dir (a scratch
# directory) and $build. Gives:
#   start_nats_cluster       three JetStream nats-servers on loopback in one
#                            cluster; sets $urls; their pids join $pids
#   start_daemon NAME ARGS   `declared serve ARGS` logging to $dir/NAME.log;
#                            sets $daemon_port and $daemon_pid
# and kills what it started on exit.
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_nats_cluster() {
  local client=() cluster=() http=() i j routes ok
  for i in 1 2 3; do client+=("$(free_port)"); cluster+=("$(free_port)"); http+=("$(free_port)"); done
  urls=""
  for i in 0 1 2; do
    routes=""
    for j in 0 1 2; do [ "$i" = "$j" ] || routes+="${routes:+, }nats-route://127.0.0.1:${cluster[$j]}"; done
    cat > "$dir/n$i.conf" <<CONF
server_name: n$i
listen: 127.0.0.1:${client[$i]}
http: 127.0.0.1:${http[$i]}
jetstream { store_dir: "$dir/n$i" }
cluster {
  name: bench
  listen: 127.0.0.1:${cluster[$i]}
  routes: [ ${routes} ]
}
CONF
    nats-server -c "$dir/n$i.conf" > "$dir/n$i.log" 2>&1 &
    pids+=($!)
    urls+="${urls:+,}nats://127.0.0.1:${client[$i]}"
  done
  for i in 0 1 2; do
    ok=""
    for _ in $(seq 300); do
      curl -sf "http://127.0.0.1:${http[$i]}/healthz" > /dev/null && ok=1 && break
      sleep 0.1
    done
    [ -n "$ok" ] || { echo "nats-server n$i not healthy after 30 s:"; cat "$dir/n$i.log"; exit 1; }
  done
}

start_daemon() {
  local name=$1
  shift
  "$build/daemon/declared" serve --listen 127.0.0.1:0 "$@" > "$dir/$name.log" 2>&1 &
  daemon_pid=$!
  pids+=("$daemon_pid")
  daemon_port=""
  for _ in $(seq 600); do
    daemon_port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$dir/$name.log" | grep -o '[0-9]*$' || true)
    [ -n "$daemon_port" ] && break
    sleep 0.1
  done
  [ -n "$daemon_port" ] || { cat "$dir/$name.log"; exit 1; }
}
