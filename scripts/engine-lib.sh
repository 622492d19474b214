# Sourced by the scripts that run a private Docker Engine (engine-legacy.sh, engine-real-stack.sh,
# swarm-second-node.sh).

# Stops the daemon whose pid is in PIDFILE (SIGTERM: it stops its containers first; SIGKILL after TICKS
# fifths of a second), then kills whatever still runs from its exec root EXEC (its containerd and shims are
# its children; none may outlive it).
stop_engine() {
  local pidfile=$1 exec=$2 ticks=${3:-150} pid
  if [ -f "$pidfile" ]; then
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid"
      for _ in $(seq 1 "$ticks"); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    fi
  fi
  for p in $(pgrep -f -- "$exec" || true); do kill -KILL "$p" 2>/dev/null || true; done
}

# A daemon that was killed (or a machine whose processes were all killed) leaves its mounts behind: network
# namespaces under its exec root, overlay mounts under its data root. `rm -rf` cannot remove a mount point
# ("Device or resource busy"), and a new daemon trips over them, so they go first, deepest first, lazily.
# Only call this when the daemon that made them is not running.
unmount_under() {
  local dir=${1%/}
  { grep -o " $dir/[^ ]*" /proc/mounts || true; } | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
}
