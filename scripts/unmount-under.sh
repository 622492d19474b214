# Sourced by the engine scripts. A daemon that was killed (or a machine whose processes were all killed)
# leaves its mounts behind: network namespaces under its exec root, overlay mounts under its data root.
# `rm -rf` cannot remove a mount point ("Device or resource busy"), and a new daemon trips over them, so
# they go first, deepest first, lazily. Only call this when the daemon that made them is not running.
unmount_under() {
  local dir=${1%/}
  { grep -o " $dir/[^ ]*" /proc/mounts || true; } | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
}
