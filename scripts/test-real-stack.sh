#!/usr/bin/env bash
# Runs the real-stack tests (test/e2e/real-stack: examples/todo's PostgreSQL, Redis, nginx and app) on the
# real-stack engine (scripts/engine-real-stack.sh: started here when needed, with the example images), from
# inside its network namespace so the stack's ports on 127.0.0.1 answer. One file at a time: one of them
# stops and starts that engine. Extra arguments go to vitest (a file filter, for example).
# A second run waits for the first (the engine is shared by the runs on this machine).
set -euo pipefail
cd "$(dirname "$0")/.."
exec 9>/run/lock/tsstack-real-stack.lock
flock 9
bash scripts/engine-real-stack.sh up
eval "$(bash scripts/engine-real-stack.sh env)"
echo "[test-real-stack] real-stack tests on Docker Engine $(docker -H "$DOCKER_HOST" version --format '{{.Server.Version}}') (network namespace $NETNS)"
nsenter --net="/run/netns/$NETNS" env DOCKER_HOST="$DOCKER_HOST" TSSTACK_REAL_STACK_ENGINE=1 \
  npx vitest run --no-file-parallelism "${@:-test/e2e/real-stack}"
