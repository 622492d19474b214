#!/usr/bin/env bash
# Installs the engines and tools tsstack is measured and tested against, from Debian's own archive:
#   - Docker Engine 26 (`docker.io` + `docker-cli` from Debian 13 "trixie"): the default engine;
#   - Docker Compose v2 (`docker-compose` 2.26 from trixie) as a Docker CLI plugin: the yardstick;
#   - buildx (`docker-buildx` 0.13 from trixie) as a Docker CLI plugin: tsstack builds through it (BuildKit);
#   - the registry (`docker-registry` 2.8 from trixie) as /usr/local/bin/docker-registry: the registry tests
#     start their own (scripts/test-registry.sh);
#   - Docker Engine 20.10 (bookworm's own `docker.io`), unpacked beside it for the second test engine
#     (scripts/engine-legacy.sh runs it).
# trixie's packages run on bookworm (their dependencies, containerd, runc, tini and iptables, come from
# bookworm). trixie is read through a separate, private sources list and is never added to the machine's
# own sources: that would upgrade the whole system. The archive's address is the one the machine already
# uses (/etc/apt/sources.list.d/ or /etc/apt/sources.list). Safe to run again: each step checks first.
set -euo pipefail

log() { printf '[engine-packages] %s\n' "$*"; }

cache=${TSSTACK_PACKAGE_CACHE:-/var/cache/tsstack/packages}
legacy_root=${TSSTACK_LEGACY_ENGINE_ROOT:-/opt/tsstack/engine-20.10}
plugins=/usr/local/lib/docker/cli-plugins
mkdir -p "$cache"

# The machine's Debian archive address, from its deb822 sources or a one-line sources.list.
archive_uri() {
  local uri
  uri=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1 || true)
  [ -n "$uri" ] || uri=$(awk '$1 == "deb" && $0 ~ /debian/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' \
    /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$uri" ] || { echo "engine-packages: no Debian archive found in /etc/apt/sources.list(.d)" >&2; return 1; }
  printf '%s\n' "$uri"
}

trixie_dir=$cache/trixie-apt
trixie_apt() {
  apt-get -q -o Dir::Etc::sourcelist="$trixie_dir/sources.list" -o Dir::Etc::sourceparts=- \
    -o Dir::State::Lists="$trixie_dir/lists" -o Dir::Cache::archives="$trixie_dir/archives" \
    -o APT::Get::List-Cleanup=0 "$@"
}

# Downloads trixie's .debs named in "$@" into $cache (once; an update only when one is missing).
fetch_trixie() {
  local missing=()
  for p in "$@"; do compgen -G "$cache/${p}_*.deb" >/dev/null || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  mkdir -p "$trixie_dir/lists/partial" "$trixie_dir/archives/partial"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(archive_uri) trixie main" \
    >"$trixie_dir/sources.list"
  log "fetching ${missing[*]} from trixie"
  trixie_apt update >/dev/null
  (cd "$cache" && trixie_apt download "${missing[@]}" 2>&1 | grep -v 'unsandboxed' || true)
  for p in "${missing[@]}"; do
    compgen -G "$cache/${p}_*.deb" >/dev/null || { echo "engine-packages: could not download $p from trixie" >&2; return 1; }
  done
}

engine_version() { dockerd --version 2>/dev/null | sed -n 's/^Docker version \([0-9.]*\).*/\1/p'; }

install_engine() {
  case "$(engine_version)" in 26.*) return 0 ;; esac
  fetch_trixie docker.io docker-cli
  log "installing Docker Engine 26 (trixie's docker.io and docker-cli)"
  # Its maintainer scripts would start the daemon through init scripts; engine-setup.sh starts it itself.
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  DEBIAN_FRONTEND=noninteractive dpkg -i "$cache"/docker.io_*.deb "$cache"/docker-cli_*.deb >/dev/null ||
    { rm -f /usr/sbin/policy-rc.d; return 1; }
  rm -f /usr/sbin/policy-rc.d
}

# Compose v2 is one static binary: taken out of its package into the CLI plugin folder, so it answers as
# `docker compose` for any docker CLI on the machine, without touching bookworm's `docker-compose` package.
install_compose() {
  if [ -x "$plugins/docker-compose" ] && "$plugins/docker-compose" version 2>/dev/null | grep -q 'version v\?2\.'; then
    return 0
  fi
  fetch_trixie docker-compose
  local tmp
  tmp=$(mktemp -d)
  dpkg-deb -x "$cache"/docker-compose_*.deb "$tmp"
  mkdir -p "$plugins"
  install -m 0755 "$tmp/usr/libexec/docker/cli-plugins/docker-compose" "$plugins/docker-compose"
  rm -rf "$tmp"
  log "installed $("$plugins/docker-compose" version) as a Docker CLI plugin"
}

# buildx is one static binary too: the CLI plugin tsstack (and `docker buildx`) builds with.
install_buildx() {
  if [ -x "$plugins/docker-buildx" ] && "$plugins/docker-buildx" version >/dev/null 2>&1; then return 0; fi
  fetch_trixie docker-buildx
  local tmp
  tmp=$(mktemp -d)
  dpkg-deb -x "$cache"/docker-buildx_*.deb "$tmp"
  mkdir -p "$plugins"
  install -m 0755 "$tmp/usr/libexec/docker/cli-plugins/docker-buildx" "$plugins/docker-buildx"
  rm -rf "$tmp"
  log "installed $("$plugins/docker-buildx" version) as a Docker CLI plugin"
}

# The registry binary only: no service, no system user; scripts/test-registry.sh starts one per test run.
install_registry() {
  [ -x /usr/local/bin/docker-registry ] && return 0
  fetch_trixie docker-registry
  local tmp
  tmp=$(mktemp -d)
  dpkg-deb -x "$cache"/docker-registry_*.deb "$tmp"
  install -m 0755 "$tmp/usr/bin/docker-registry" /usr/local/bin/docker-registry
  rm -rf "$tmp"
  log "installed $(/usr/local/bin/docker-registry --version 2>&1 | head -n 1) as /usr/local/bin/docker-registry"
}

# bookworm's docker.io 20.10, unpacked (not installed) for the second engine.
unpack_legacy_engine() {
  [ -x "$legacy_root/usr/sbin/dockerd" ] && "$legacy_root/usr/sbin/dockerd" --version >/dev/null 2>&1 && return 0
  local deb version
  version=$(apt-cache madison docker.io | awk -F'|' '$2 ~ /^ *20\.10\./ { gsub(/ /, "", $2); print $2; exit }')
  [ -n "$version" ] || { echo "engine-packages: bookworm's docker.io 20.10 is not in the apt lists" >&2; return 1; }
  deb=$(compgen -G "$cache/docker.io_20.10*.deb" | head -n 1 || true)
  if [ -z "$deb" ]; then
    (cd "$cache" && apt-get -q download "docker.io=$version" 2>&1 | grep -v 'unsandboxed' || true)
    deb=$(compgen -G "$cache/docker.io_20.10*.deb" | head -n 1 || true)
    [ -n "$deb" ] || { echo "engine-packages: could not download docker.io=$version" >&2; return 1; }
  fi
  mkdir -p "$legacy_root"
  dpkg-deb -x "$deb" "$legacy_root"
  # Unpacked, not installed: its shared libraries (libdevmapper for 20.10) come from bookworm by hand.
  local libs
  libs=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed -n 's/^ *\(lib[a-z0-9.+-]*\).*/\1/p' | grep -v '^libc6$' || true)
  if [ -n "$libs" ]; then
    # shellcheck disable=SC2086 # one word per package
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $libs >/dev/null
  fi
  "$legacy_root/usr/sbin/dockerd" --version >/dev/null ||
    { echo "engine-packages: the unpacked Docker Engine 20.10 does not run (missing libraries?)" >&2; return 1; }
  log "unpacked Docker Engine $("$legacy_root/usr/sbin/dockerd" --version | sed 's/^Docker version //') into $legacy_root"
}

install_engine
install_compose
install_buildx
install_registry
[ "${TSSTACK_SKIP_LEGACY_ENGINE:-}" = 1 ] || unpack_legacy_engine
