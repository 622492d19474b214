#!/usr/bin/env bash
# Builds the offline images of the real example stack (examples/todo), with no registry:
#   1. one Debian bookworm root file system, made by debootstrap from the machine's own Debian archive with
#      PostgreSQL 15, Redis, nginx, Python 3 and the app's client libraries, cached as a tarball under
#      /var/cache/tsstack/rootfs (never in the repository);
#   2. imported as tsstack-example/base:bookworm;
#   3. one small image per service on top of it (images/example/*/Dockerfile):
#      tsstack-example/postgres:15, tsstack-example/redis:7, tsstack-example/nginx:1.22, tsstack-example/python:3.11.
# The per-service images share the base layer, so the engine stores the packages once.
# Safe to run again: it does nothing when every image carries the current inputs' hash, and with the
# tarball cached a rebuild (or a build into another engine: set DOCKER_HOST) takes seconds.
# Needs root for debootstrap (first run only).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
images=$root/images/example
cache=${TSSTACK_ROOTFS_CACHE:-/var/cache/tsstack/rootfs}
suite=bookworm
base=tsstack-example/base:$suite
label=io.tsstack.example-build

log() { printf '[example-images] %s\n' "$*"; }

# Depends only, as debootstrap installs them (no Recommends): the server packages and the app's libraries.
packages=postgresql-15,redis-server,redis-tools,nginx-light,python3,python3-psycopg2,python3-redis
services=(postgres:15 redis:7 nginx:1.22 python:3.11)

# What the images are made of: the package set and every file under images/example. A change to either
# rebuilds; the rootfs tarball depends on the package set alone.
rootfs_key=$(printf '%s %s' "$suite" "$packages" | sha256sum | cut -c1-12)
build_key=$(cd "$images" && { echo "$rootfs_key"; find . -type f | LC_ALL=C sort | xargs sha256sum; } | sha256sum | cut -c1-12)
tarball=$cache/$suite-$rootfs_key.tar

image_key() { docker image inspect -f "{{ index .Config.Labels \"$label\" }}" "$1" 2>/dev/null || true; }

up_to_date() {
  for s in "${services[@]}"; do [ "$(image_key "tsstack-example/$s")" = "$build_key" ] || return 1; done
}

# The machine's Debian archive address, read at run time (shared with engine-packages.sh's reading of it).
archive_uri() {
  local uri
  uri=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1 || true)
  [ -n "$uri" ] || uri=$(awk '$1 == "deb" && $0 ~ /debian/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' \
    /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$uri" ] || { echo "build-example-images: no Debian archive found in /etc/apt/sources.list(.d)" >&2; return 1; }
  printf '%s\n' "$uri"
}

make_rootfs() {
  command -v debootstrap >/dev/null || {
    log "installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >/dev/null
  }
  mkdir -p "$cache"
  local dir
  dir=$(mktemp -d "$cache/build.XXXXXX")
  # A failed or interrupted run leaves neither a half-made tree nor a half-written tarball.
  trap 'rm -rf "$dir" "$tarball.part"' EXIT
  log "debootstrap $suite (minbase + $packages); about 2 minutes"
  if ! debootstrap --variant=minbase --include="$packages" "$suite" "$dir/root" "$(archive_uri)" >"$dir/log" 2>&1; then
    tail -n 20 "$dir/log" >&2
    exit 1
  fi
  # What a container never needs: downloaded packages, package lists, documentation, translations, and the
  # cluster the postgresql package creates at install (the image makes its own in PGDATA).
  rm -rf "$dir/root"/var/cache/apt/archives/*.deb "$dir/root"/var/lib/apt/lists/* \
    "$dir/root"/usr/share/doc/* "$dir/root"/usr/share/man/* "$dir/root"/usr/share/info/* \
    "$dir/root"/usr/share/locale/* "$dir/root"/etc/postgresql/15/main "$dir/root"/var/lib/postgresql/15/main
  tar --numeric-owner -C "$dir/root" -cf "$tarball.part" .
  mv "$tarball.part" "$tarball"
  rm -rf "$dir"
  trap - EXIT
  log "cached $(du -h "$tarball" | cut -f1) root file system at $tarball"
}

if up_to_date; then
  log "images up to date ($build_key): ${services[*]/#/tsstack-example/}"
  exit 0
fi

if [ "$(image_key "$base")" != "$rootfs_key" ]; then
  [ -f "$tarball" ] || make_rootfs
  log "importing $base"
  docker import --change "LABEL $label=$rootfs_key" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' "$tarball" "$base" >/dev/null
fi

for s in "${services[@]}"; do
  # The classic builder: it needs no buildx plugin and uses the local base image without a registry.
  # (Its deprecation notice on stderr is shown only when the build fails.)
  if ! out=$(DOCKER_BUILDKIT=0 docker build -q --label "$label=$build_key" -t "tsstack-example/$s" "$images/${s%%:*}" 2>&1); then
    printf '%s\n' "$out" >&2
    exit 1
  fi
  log "tsstack-example/$s $(docker image inspect -f '{{.Id}}' "tsstack-example/$s" | cut -c1-19)"
done
