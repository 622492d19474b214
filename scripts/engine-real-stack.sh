#!/usr/bin/env bash
# The real-stack engine: a private Docker Engine (the machine's default dockerd binary, Engine 26) in its
# own network namespace with its own data root, for the tests and the benchmark of examples/todo.
# Why not the default engine: those tests stop and start the engine, and an engine that leaves a swarm
# (which the swarm tests do on the default engine) drops the DNS records of every container on its
# bridge networks (moby/moby#45144), so a database that is running can no longer be found by name.
# Here nothing else happens on the engine. Its data root (with the images) is kept between runs.
#
#   engine-real-stack.sh up       # start it (no-op when it answers) and build the example images into it
#   engine-real-stack.sh stop     # stop the daemon (its containers stop with it), keep the namespace
#   engine-real-stack.sh start    # start the daemon again (containers with a restart policy come back)
#   engine-real-stack.sh down     # stop it and remove the namespace (the data root is kept)
#   engine-real-stack.sh env      # print NETNS=..., DOCKER_HOST=...
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
netns=${TSSTACK_REAL_NETNS:-tsreal}
run=/run/tsstack-$netns
data=/var/lib/tsstack-$netns
sock=$run/docker.sock
logfile=/var/log/tsstack-dockerd-$netns.log

. "$here/engine-lib.sh"

log() { printf '[engine-real-stack] %s\n' "$*"; }
answers() { [ -S "$sock" ] && docker -H "unix://$sock" version --format '{{.Server.Version}}' 2>/dev/null; }

stop_daemon() {
  [ -f "$run/docker.pid" ] || return 0
  # dockerd stops its containers first (each with its own stop signal and timeout), then exits.
  stop_engine "$run/docker.pid" "$run/exec" 300
  rm -f "$run/docker.pid" "$sock"
  unmount_under "$run/exec"
  unmount_under "$data"
}

start_daemon() {
  [ -e "/run/netns/$netns" ] || { echo "engine-real-stack: no network namespace $netns; run: $0 up" >&2; exit 1; }
  answers >/dev/null && return 0
  mkdir -p "$run" "$data"
  # nsenter, not `ip netns exec`: that remounts /sys, and the daemon needs the cgroup mounts under it.
  nsenter --net="/run/netns/$netns" dockerd --data-root "$data" --exec-root "$run/exec" \
    --pidfile "$run/docker.pid" -H "unix://$sock" >>"$logfile" 2>&1 &
  local pid=$!
  for _ in $(seq 1 300); do
    answers >/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "$logfile" >&2; exit 1; }
    sleep 0.2
  done
  answers >/dev/null || { tail -n 30 "$logfile" >&2; exit 1; }
}

up() {
  if ! answers >/dev/null; then
    command -v dockerd >/dev/null || { echo "engine-real-stack: no dockerd; run scripts/engine-setup.sh" >&2; exit 1; }
    stop_daemon
    if [ ! -e "/run/netns/$netns" ]; then
      ip netns add "$netns"
      ip netns exec "$netns" ip link set lo up
    fi
    start_daemon
    log "engine $(answers) answers on $sock (network namespace $netns; log: $logfile)"
  fi
  DOCKER_HOST="unix://$sock" "$here/build-example-images.sh"
}

case "${1:-}" in
  up) up ;;
  stop) stop_daemon ;;
  start) start_daemon ;;
  down)
    stop_daemon
    ip netns del "$netns" 2>/dev/null || true
    unmount_under "$run"
    rm -rf "$run"
    ;;
  env) printf 'NETNS=%s\nDOCKER_HOST=unix://%s\n' "$netns" "$sock" ;;
  *) echo "usage: engine-real-stack.sh up|stop|start|down|env" >&2; exit 2 ;;
esac
