#!/usr/bin/env bash
# bench/real (examples/todo, tsstack beside Docker Compose v2) on the real-stack engine, from inside its
# network namespace. Waits for a real-stack test run on this machine to finish first. Arguments go to
# bench/real/run.ts (the number of rounds).
set -euo pipefail
cd "$(dirname "$0")/.."
exec 9>/run/lock/tsstack-real-stack.lock
flock 9
bash scripts/engine-real-stack.sh up
eval "$(bash scripts/engine-real-stack.sh env)"
nsenter --net="/run/netns/$NETNS" env DOCKER_HOST="$DOCKER_HOST" node --import tsx bench/real/run.ts "$@"
