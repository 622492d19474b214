#!/usr/bin/env bash
# Runs the runtime and integration tests against the second engine (Docker Engine 20.10, started by
# scripts/engine-legacy.sh), from inside its network namespace so the ports its containers publish on
# 127.0.0.1 answer. Extra arguments go to vitest (a file filter, for example).
# Without that engine (TSSTACK_SKIP_LEGACY_ENGINE=1, or not set up) it says so and exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(bash scripts/engine-legacy.sh env)"
if [ ! -e "/run/netns/$NETNS" ] || ! docker -H "$DOCKER_HOST" version >/dev/null 2>&1; then
  echo "[test-legacy-engine] SKIPPED: Docker Engine 20.10 does not answer at $DOCKER_HOST (start it with scripts/engine-legacy.sh up)"
  exit 0
fi
echo "[test-legacy-engine] runtime and integration tests against Docker Engine $(docker -H "$DOCKER_HOST" version --format '{{.Server.Version}}')"
# Podman's API test is about Podman, not about this engine.
exec nsenter --net="/run/netns/$NETNS" env DOCKER_HOST="$DOCKER_HOST" TSSTACK_TEST_ENGINE=20.10 \
  npx vitest run test/integration test/unit/runtime --exclude '**/runtime-podman.test.ts' "$@"
