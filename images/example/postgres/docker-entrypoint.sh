#!/bin/sh
# First start with an empty PGDATA: initdb with POSTGRES_USER / POSTGRES_PASSWORD, then create POSTGRES_DB.
# Then (and on every later start) run postgres as the postgres user. Anything other than `postgres ...`
# (psql, pg_isready, a shell) runs as given.
set -eu

if [ "${1:-}" != postgres ]; then
  exec "$@"
fi

if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /run/postgresql
  chown postgres:postgres "$PGDATA" /run/postgresql
  chmod 0700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

user=${POSTGRES_USER:-postgres}
db=${POSTGRES_DB:-$user}
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "docker-entrypoint: POSTGRES_PASSWORD is not set; the database would be open to every client" >&2
    exit 1
  fi
  # initdb writes into a scratch folder beside PGDATA and the result is moved in only when complete, so
  # a container killed during its first start leaves no half-initialized cluster behind.
  scratch="$PGDATA/.initdb"
  rm -rf "$scratch"
  pwfile=$(mktemp)
  printf '%s' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb --pgdata="$scratch" --username="$user" --pwfile="$pwfile" --auth-local=trust \
    --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
  echo "listen_addresses = '*'" >>"$scratch/postgresql.conf"
  echo 'host all all all scram-sha-256' >>"$scratch/pg_hba.conf"
  if [ "$db" != postgres ]; then
    # Single-user mode: no socket, no port, so nothing can connect to a half-made database.
    echo "CREATE DATABASE \"$db\" OWNER \"$user\";" | postgres --single -D "$scratch" postgres >/dev/null
  fi
  # PG_VERSION last: it is what marks the cluster as complete.
  find "$scratch" -mindepth 1 -maxdepth 1 ! -name PG_VERSION -exec mv {} "$PGDATA"/ \;
  mv "$scratch/PG_VERSION" "$PGDATA/PG_VERSION"
  rmdir "$scratch"
  echo "docker-entrypoint: initialized $PGDATA (user $user, database $db)"
fi

exec "$@"
