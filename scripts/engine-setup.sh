#!/usr/bin/env bash
# Brings up what tsstack's tests and offline examples need on a Debian machine:
# Docker Engine (Debian's docker.io), a running daemon, and the local test images.
# Safe to run again: every step checks before it acts. Needs root for installs and for starting dockerd.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

log() { printf '[engine-setup] %s\n' "$*"; }

need_pkgs=()
command -v dockerd >/dev/null 2>&1 || need_pkgs+=(docker.io)
[ -x /bin/busybox ] && /bin/busybox --help 2>&1 | grep -q 'statically' || need_pkgs+=(busybox-static)
command -v tmux >/dev/null 2>&1 || need_pkgs+=(tmux)
# Podman only serves its Docker-compatible API for test/integration/runtime-podman.test.ts (skipped without it).
command -v podman >/dev/null 2>&1 || [ "${TSSTACK_SKIP_PODMAN:-}" = 1 ] || need_pkgs+=(podman)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  log "installing ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${need_pkgs[@]}" iptables ca-certificates
fi

# The benchmarks' anchor is Docker Compose v2 (`docker compose`); without it they print "–" for it.
# Debian 12 packages only Compose 1.29, which the benchmarks no longer use, so nothing is installed here.
docker compose version >/dev/null 2>&1 || log "Docker Compose v2 (docker compose) not found: benchmarks will show no Compose column"

sock=/var/run/docker.sock
engine_up() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

start_dockerd() {
  log "starting dockerd in the background (log: /var/log/tsstack-dockerd.log)"
  mkdir -p /var/log
  nohup dockerd --host "unix://$sock" >/var/log/tsstack-dockerd.log 2>&1 &
  dockerd_pid=$!
  for _ in $(seq 1 60); do
    engine_up && return 0
    # dockerd exited (it panicked or refused its config): no point in waiting the full 30 s.
    kill -0 "$dockerd_pid" 2>/dev/null || return 1
    sleep 0.5
  done
  engine_up
}

# Debian's docker.io 20.10.24 panics at start ("index out of range" in libnetwork reservePools) when a
# network delete was cut short by an unclean daemon stop: the network store keeps a half-deleted network
# (moby/moby#45057, fixed upstream in 23.0/24.0, not in this package). The daemon then never starts again.
# Upstream's documented recovery is to move the network store aside; the daemon rebuilds its default
# networks. Only done on exactly that panic, and the old store is kept beside it for inspection.
network_store=/var/lib/docker/network/files/local-kv.db
recover_network_store() {
  grep -q 'reservePools' /var/log/tsstack-dockerd.log 2>/dev/null || return 1
  [ -f "$network_store" ] || return 1
  local backup
  backup="$network_store.broken-$(date +%Y%m%d%H%M%S)"
  log "dockerd panicked on a half-deleted network in its store (moby/moby#45057); moving $network_store to $backup and starting again"
  pkill -x dockerd 2>/dev/null || true
  sleep 1
  mv "$network_store" "$backup"
  return 0
}

if ! engine_up; then
  if ! start_dockerd; then
    if recover_network_store && start_dockerd; then
      :
    else
      log "dockerd did not answer within 30 s; last lines of its log:"
      tail -n 30 /var/log/tsstack-dockerd.log >&2 || true
      exit 1
    fi
  fi
fi
log "engine $(docker version --format '{{.Server.Version}}') answers on $sock"

# The offline test image: a static busybox on scratch. No registry is needed.
"$root/scripts/build-test-images.sh"
