#!/usr/bin/env bash
# The second test engine: Docker Engine 20.10 (bookworm's docker.io, unpacked by engine-packages.sh) in its
# own network namespace, so its bridges, iptables rules and published ports never meet the main engine's.
# Tests run against it from inside the namespace (scripts/test-legacy-engine.sh), where its 127.0.0.1
# ports answer.
#
#   engine-legacy.sh up      # start it (no-op when it answers), build the test images into it
#   engine-legacy.sh down    # stop it and remove the namespace (its data root, with the images, is kept)
#   engine-legacy.sh env     # print NETNS=..., DOCKER_HOST=...
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=${TSSTACK_LEGACY_ENGINE_ROOT:-/opt/tsstack/engine-20.10}
netns=tse2010
run=/run/tsstack-e2010
data=/var/lib/tsstack-e2010
sock=$run/docker.sock
logfile=/var/log/tsstack-dockerd-20.10.log

. "$here/engine-lib.sh"

log() { printf '[engine-legacy] %s\n' "$*"; }
answers() { [ -S "$sock" ] && docker -H "unix://$sock" version --format '{{.Server.Version}}' 2>/dev/null; }

down() {
  stop_engine "$run/docker.pid" "$run/exec"
  ip netns del "$netns" 2>/dev/null || true
  unmount_under "$run"
  unmount_under "$data"
  rm -rf "$run"
}

start_daemon() {
  # nsenter, not `ip netns exec`: that remounts /sys, and the daemon needs the cgroup mounts under it.
  # PATH first names its own docker-proxy; containerd, runc and docker-init are the machine's.
  nsenter --net="/run/netns/$netns" env PATH="$root/usr/sbin:$root/usr/bin:$PATH" dockerd \
    --data-root "$data" --exec-root "$run/exec" --pidfile "$run/docker.pid" -H "unix://$sock" \
    >"$logfile" 2>&1 &
  local pid=$!
  for _ in $(seq 1 150); do
    answers >/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.2
  done
  answers >/dev/null
}

up() {
  if answers >/dev/null; then
    log "engine $(answers) already answers on $sock"
  else
    [ -x "$root/usr/sbin/dockerd" ] || { echo "engine-legacy: no dockerd in $root; run scripts/engine-packages.sh" >&2; exit 1; }
    down
    mkdir -p "$run" "$data"
    ip netns add "$netns"
    ip netns exec "$netns" ip link set lo up
    if ! start_daemon; then
      # 20.10's panic on a half-deleted network in its store (moby/moby#45057; see engine-setup.sh): move
      # the store aside, once, and start again.
      local store=$data/network/files/local-kv.db
      grep -q 'reservePools' "$logfile" && [ -f "$store" ] || { tail -n 30 "$logfile" >&2; exit 1; }
      log "dockerd panicked on its network store (moby/moby#45057); moving it aside and starting again"
      mv "$store" "$store.broken-$(date +%Y%m%d%H%M%S)"
      start_daemon || { tail -n 30 "$logfile" >&2; exit 1; }
    fi
    log "engine $(answers) answers on $sock (network namespace $netns; log: $logfile)"
  fi
  DOCKER_HOST="unix://$sock" "$here/build-test-images.sh"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  env) printf 'NETNS=%s\nDOCKER_HOST=unix://%s\n' "$netns" "$sock" ;;
  *) echo "usage: engine-legacy.sh up|down|env" >&2; exit 2 ;;
esac
