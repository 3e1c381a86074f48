# Sourced by scripts and benchmarks: a private redis-server on a free loopback port with its
# own temp dir, stopped by pid (never by name) when the calling script exits.
#   start_private_redis [extra redis-server args...]   sets REDIS_PORT, REDIS_PID, REDIS_DIR
#   restart_private_redis   after a crash: the same port, dir (so its AOF) and args
#   stop_private_redis

# A loopback port nothing answers on (bash's /dev/tcp connects when something listens),
# below Linux's ephemeral range (32768+), where outgoing connections could hold it.
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 12000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
}

# Starts redis-server on REDIS_PORT in REDIS_DIR with REDIS_EXTRA_ARGS and waits until it
# answers; fails when it exits first (the port was taken after all) or never answers.
launch_private_redis() {
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$REDIS_DIR" --save "" \
    --daemonize no --logfile "$REDIS_DIR/redis.log" "${REDIS_EXTRA_ARGS[@]}" &
  REDIS_PID=$!
  for _ in $(seq 1 200); do
    if redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
      return 0
    fi
    kill -0 "$REDIS_PID" 2>/dev/null || break
    sleep 0.05
  done
  kill "$REDIS_PID" 2>/dev/null || true
  wait "$REDIS_PID" 2>/dev/null || true
  return 1
}

start_private_redis() {
  REDIS_DIR=$(mktemp -d /tmp/ordo-redis-XXXXXX)
  REDIS_EXTRA_ARGS=("$@")
  local attempt
  for attempt in 1 2 3; do
    REDIS_PORT=$(free_port)
    launch_private_redis && return 0
  done
  echo "redis-server did not start:" >&2
  tail -3 "$REDIS_DIR/redis.log" >&2
  return 1
}

restart_private_redis() {
  # Redis 7.0's aof-load-truncated cuts a crashed AOF after its last whole command, even
  # inside a MULTI block, and a later crash then replays that transaction in part:
  # redis-check-aof --fix cuts before the MULTI (docs/OPERATIONS.md).
  local manifest="$REDIS_DIR/appendonlydir/appendonly.aof.manifest"
  if [ -f "$manifest" ]; then
    echo y | redis-check-aof --fix "$manifest" >/dev/null 2>&1 || {
      echo "redis-check-aof --fix failed on $manifest" >&2
      return 1
    }
  fi
  if ! launch_private_redis; then
    echo "redis-server did not come back:" >&2
    tail -3 "$REDIS_DIR/redis.log" >&2
    return 1
  fi
}

stop_private_redis() {
  if [ -n "${REDIS_PID:-}" ]; then
    kill "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
    REDIS_PID=
  fi
  if [ -n "${REDIS_DIR:-}" ]; then
    rm -rf "$REDIS_DIR"
    REDIS_DIR=
  fi
}
