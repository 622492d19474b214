#!/usr/bin/env bash
# Brings up what tsstack's tests and offline examples need on a Debian machine: Docker Engine 26 (the
# default engine) with Docker Compose v2 as a CLI plugin, a running daemon, the second test engine
# (Docker Engine 20.10 in its own network namespace), and the local test images on both.
# Safe to run again: every step checks before it acts. Needs root for installs and for starting dockerd.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

log() { printf '[engine-setup] %s\n' "$*"; }

need_pkgs=()
# Engine 26 and Compose v2 come from trixie (scripts/engine-packages.sh); these are their bookworm dependencies.
for p in containerd runc tini iptables; do dpkg -s "$p" >/dev/null 2>&1 || need_pkgs+=("$p"); done
[ -x /bin/busybox ] && /bin/busybox --help 2>&1 | grep -q 'statically' || need_pkgs+=(busybox-static)
command -v tmux >/dev/null 2>&1 || need_pkgs+=(tmux)
# htpasswd -B writes the bcrypt password file of the registry tests (scripts/test-registry.sh).
command -v htpasswd >/dev/null 2>&1 || need_pkgs+=(apache2-utils)
# openssl makes the self-signed certificate of test/integration/extra-ca-cli.test.ts.
command -v openssl >/dev/null 2>&1 || need_pkgs+=(openssl)
# Podman only serves its Docker-compatible API for test/integration/runtime-podman.test.ts (skipped without it).
command -v podman >/dev/null 2>&1 || [ "${TSSTACK_SKIP_PODMAN:-}" = 1 ] || need_pkgs+=(podman)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  log "installing ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${need_pkgs[@]}" ca-certificates
fi
# bookworm's docker.io is only unpacked (for the 20.10 engine): its apt list must be there.
compgen -G '/var/lib/apt/lists/*_Packages' >/dev/null || apt-get update -q
bash "$here/engine-packages.sh"

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

# The second engine (Docker Engine 20.10) that the runtime and integration tests also run against.
[ "${TSSTACK_SKIP_LEGACY_ENGINE:-}" = 1 ] || bash "$here/engine-legacy.sh" up

# examples/todo's images (Debian's PostgreSQL, Redis, nginx, Python), wrk, and the real-stack test engine.
[ "${TSSTACK_SKIP_EXAMPLE_IMAGES:-}" = 1 ] || bash "$here/example-setup.sh"
