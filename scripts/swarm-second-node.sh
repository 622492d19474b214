#!/usr/bin/env bash
# A second Docker Engine as a swarm worker, in its own network namespace, for tests of placement across
# nodes. It never touches the main dockerd beyond the swarm calls a test makes through the API.
#
#   swarm-second-node.sh up   NAME SUBNET_PREFIX   # e.g. up tsn2ab12 10.231.77 → prints KEY=VALUE lines
#   swarm-second-node.sh down NAME                 # stops the daemon, removes netns, veth and data dir
#
# up: netns NAME, veth NAMEh (host, PREFIX.1/30) ↔ NAMEn (netns, PREFIX.2/30), and a dockerd in the netns
# and in its own UTS namespace (hostname NAME) with its own --data-root/--exec-root/--pidfile/-H socket under
# /tmp/NAME, --bridge none --iptables=false (it starts its own containerd under its exec root). Joining the
# swarm and loading images is left to the caller (it has the socket).
set -euo pipefail
. "$(cd "$(dirname "$0")" && pwd)/engine-lib.sh"

cmd=${1:?up or down}
name=${2:?name}
dir=/tmp/$name
[[ $name =~ ^[a-z0-9]{3,11}$ ]] || { echo "name must be 3-11 lowercase letters/digits" >&2; exit 2; }

down() {
  stop_engine "$dir/docker.pid" "$dir/"
  ip netns del "$name" 2>/dev/null || true
  ip link del "${name}h" 2>/dev/null || true
  # Mounts made by that daemon live in the netns' mount namespace; any left in ours go first.
  unmount_under "$dir"
  rm -rf "$dir"
}

if [[ $cmd == down ]]; then
  down
  exit 0
fi

prefix=${3:?subnet prefix, e.g. 10.231.77}
if ip netns list | grep -qw "$name" || [[ -e $dir ]]; then
  echo "$name already exists" >&2
  exit 1
fi
trap 'down' ERR
mkdir -p "$dir"
ip netns add "$name"
ip link add "${name}h" type veth peer name "${name}n"
ip link set "${name}n" netns "$name"
ip addr add "$prefix.1/30" dev "${name}h"
ip link set "${name}h" up
ip netns exec "$name" ip addr add "$prefix.2/30" dev "${name}n"
ip netns exec "$name" ip link set "${name}n" up
ip netns exec "$name" ip link set lo up
# nsenter, not `ip netns exec`: that remounts /sys, and the daemon needs the cgroup mounts under it.
nsenter --net="/run/netns/$name" unshare --uts sh -c "hostname $name; exec dockerd \
  --data-root $dir/data --exec-root $dir/exec --pidfile $dir/docker.pid -H unix://$dir/docker.sock \
  --bridge none --iptables=false --ip-masq=false" >"$dir/dockerd.log" 2>&1 &
for _ in $(seq 1 150); do
  [[ -S $dir/docker.sock ]] && docker -H "unix://$dir/docker.sock" version >/dev/null 2>&1 && break
  sleep 0.2
done
docker -H "unix://$dir/docker.sock" version >/dev/null || { cat "$dir/dockerd.log" >&2; false; }
trap - ERR
echo "SOCKET=unix://$dir/docker.sock"
echo "HOSTNAME=$name"
echo "MANAGER_ADDR=$prefix.1"
echo "WORKER_ADDR=$prefix.2"
