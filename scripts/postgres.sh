#!/usr/bin/env bash
# A throwaway PostgreSQL for the tests: `start` prints the export lines to eval, `stop DIR` stops
# and removes it. PostgreSQL refuses to run as root, so initdb and pg_ctl run as the postgres user,
# in a temporary folder, on a free port of 127.0.0.1 only, trusting local connections (nothing
# else can reach it). Installs Debian's postgresql when no /usr/lib/postgresql/*/bin exists.
#
#   eval "$(bash scripts/postgres.sh start)"   # exports COLLABEDIT_TEST_POSTGRES, COLLABEDIT_TEST_PGDATA, COLLABEDIT_TEST_PGBIN
#   bash scripts/postgres.sh stop "$COLLABEDIT_TEST_PGDATA"
set -euo pipefail

find_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
    || shuf -i 20000-60000 -n 1
}

case "${1:-}" in
  start)
    bin=$(find_bin)
    if [ -z "$bin" ]; then
      echo "installing postgresql (apt-get)" >&2
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
      bin=$(find_bin)
      [ -n "$bin" ] || { echo "postgresql could not be installed" >&2; exit 1; }
    fi
    id postgres >/dev/null 2>&1 || { echo "no postgres user to run PostgreSQL as" >&2; exit 1; }
    root=$(mktemp -d /tmp/collabedit-pg.XXXXXX)
    chown postgres "$root" 2>/dev/null || true
    chmod 700 "$root"
    data="$root/data"
    port=$(free_port)
    as_postgres "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --no-locale >"$root/initdb.log" 2>&1 \
      || { cat "$root/initdb.log" >&2; rm -rf "$root"; exit 1; }
    cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$root'
max_connections = 300
synchronous_commit = on
fsync = on
CONF
    as_postgres "$bin/pg_ctl" -D "$data" -l "$root/postgres.log" -w -t 60 start >&2 \
      || { cat "$root/postgres.log" >&2; as_postgres "$bin/pg_ctl" -D "$data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$root"; exit 1; }
    echo "export COLLABEDIT_TEST_POSTGRES='Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres'"
    echo "export COLLABEDIT_TEST_PGDATA='$data'"
    echo "export COLLABEDIT_TEST_PGBIN='$bin'"
    ;;
  stop)
    data="${2:?usage: postgres.sh stop DATA_DIR}"
    bin=$(find_bin)
    if [ -n "$bin" ] && [ -f "$data/postmaster.pid" ]; then
      as_postgres "$bin/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    case "$data" in
      /tmp/collabedit-pg.*/data) rm -rf "$(dirname "$data")" ;;
    esac
    ;;
  *)
    echo "usage: postgres.sh start | stop DATA_DIR" >&2
    exit 2
    ;;
esac
