#!/usr/bin/env bash
# A private registry for the registry tests: Debian's docker-registry (installed by engine-setup.sh as
# /usr/local/bin/docker-registry) on a free 127.0.0.1 port, with htpasswd (bcrypt) auth and its storage in
# DIR. It runs in the caller's network namespace, so a test run against the second engine (inside its
# namespace) gets a registry that engine can reach. Engines accept plain HTTP for 127.0.0.0/8.
#
#   TSSTACK_REGISTRY_PASSWORD=... test-registry.sh start DIR USER  # prints 127.0.0.1:PORT once it answers
#   test-registry.sh stop DIR                               # stops it (DIR is left for the caller)
#
# The password comes from the environment and goes to htpasswd on stdin: it is never on a command line.
set -euo pipefail

registry_bin=${TSSTACK_REGISTRY_BIN:-/usr/local/bin/docker-registry}

free_port() {
  perl -MIO::Socket::INET -e \
    '$s = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1", LocalPort => 0) or die "$!\n"; print $s->sockport'
}

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  local dir=$1 user=$2
  [ -x "$registry_bin" ] || { echo "test-registry: $registry_bin is missing; run scripts/engine-setup.sh" >&2; exit 1; }
  command -v htpasswd >/dev/null || { echo "test-registry: htpasswd is missing (apt-get install apache2-utils)" >&2; exit 1; }
  [ -n "${TSSTACK_REGISTRY_PASSWORD:-}" ] || { echo "test-registry: set TSSTACK_REGISTRY_PASSWORD" >&2; exit 2; }
  mkdir -p "$dir/data"
  printf '%s\n' "$TSSTACK_REGISTRY_PASSWORD" | htpasswd -B -i -c "$dir/htpasswd" "$user" 2>/dev/null
  local port pid
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
auth:
  htpasswd:
    realm: tsstack-test
    path: $dir/htpasswd
EOF
    env -u TSSTACK_REGISTRY_PASSWORD setsid "$registry_bin" serve "$dir/config.yml" >"$dir/registry.log" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$dir/pid"
    for _ in $(seq 1 100); do
      if answers "$port"; then
        printf '127.0.0.1:%s\n' "$port"
        return 0
      fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    # Lost the port to someone else between choosing and binding it, or slow to start: try again.
    kill "$pid" 2>/dev/null || true
  done
  echo "test-registry: the registry did not start; its log:" >&2
  cat "$dir/registry.log" >&2
  exit 1
}

stop() {
  local dir=$1 pid
  [ -f "$dir/pid" ] || return 0
  pid=$(cat "$dir/pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/pid"
}

case "${1:-}" in
  start) [ $# -eq 3 ] || { echo "usage: test-registry.sh start DIR USER" >&2; exit 2; }; start "$2" "$3" ;;
  stop) [ $# -eq 2 ] || { echo "usage: test-registry.sh stop DIR" >&2; exit 2; }; stop "$2" ;;
  *) echo "usage: test-registry.sh start DIR USER | stop DIR" >&2; exit 2 ;;
esac
