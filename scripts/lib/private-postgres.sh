# Sourced by scripts and benchmarks: a private PostgreSQL 15 on a free loopback port with
# its own temp dir, stopped by pid when the calling script exits (call stop_private_postgres
# from its EXIT trap). initdb and postgres refuse to run as root: under root they run as
# Debian's postgres user.
#   start_private_postgres   sets PG_PORT, PG_DIR and PG_CONNINFO (superuser ordo, trust)
#   stop_private_postgres
# Needs free_port from private-redis.sh.

pg_bin=/usr/lib/postgresql/15/bin

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start_private_postgres() {
  PG_DIR=$(mktemp -d /tmp/ordo-pg-XXXXXX)
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PG_DIR"
  as_postgres "$pg_bin/initdb" -D "$PG_DIR/data" -U ordo -A trust --no-sync -E UTF8 \
    --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1
  PG_PORT=$(free_port)
  as_postgres "$pg_bin/pg_ctl" -D "$PG_DIR/data" -w -t 60 -l "$PG_DIR/postgres.log" \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1" start >/dev/null
  PG_CONNINFO="host=127.0.0.1 port=$PG_PORT user=ordo dbname=postgres"
}

stop_private_postgres() {
  if [ -n "${PG_DIR:-}" ] && [ -f "$PG_DIR/data/postmaster.pid" ]; then
    local pid
    pid=$(head -1 "$PG_DIR/data/postmaster.pid")
    kill -INT "$pid" 2>/dev/null || true
    for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  fi
  [ -n "${PG_DIR:-}" ] && rm -rf "$PG_DIR"
  PG_DIR=
}
