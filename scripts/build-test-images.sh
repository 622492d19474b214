#!/usr/bin/env bash
# Builds the local images that tests and offline examples use, from Debian's static busybox. No registry needed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT

busybox=$(command -v busybox || true)
[ -x /bin/busybox ] && busybox=/bin/busybox
if [ -z "$busybox" ]; then
  echo "build-test-images: no busybox found; install Debian's busybox-static" >&2
  exit 1
fi
cp "$busybox" "$ctx/busybox"
cp "$root/images/testbox/Dockerfile" "$ctx/Dockerfile"
docker build -q -t tsstack-test/busybox:latest "$ctx" >/dev/null
echo "[build-test-images] tsstack-test/busybox:latest $(docker image inspect -f '{{.Id}}' tsstack-test/busybox:latest | cut -c1-19)"
