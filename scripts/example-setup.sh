#!/usr/bin/env bash
# What examples/todo (the real stack: PostgreSQL, Redis, nginx and a Python app) and its tests need, on top of
# engine-setup.sh: Debian's debootstrap (to make the images) and wrk (the load in the zero-downtime test and
# bench/real), the offline tsstack-example/* images on the default engine, and the real-stack engine with the
# same images (scripts/engine-real-stack.sh). Safe to run again; a second run takes seconds.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

need=()
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v wrk >/dev/null || need+=(wrk)
if [ ${#need[@]} -gt 0 ]; then
  printf '[example-setup] installing %s\n' "${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi

bash "$here/build-example-images.sh"
[ "${TSSTACK_SKIP_REAL_STACK_ENGINE:-}" = 1 ] || bash "$here/engine-real-stack.sh" up
