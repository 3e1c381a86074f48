# Sourced by scripts and benchmarks: a private redis-server on a free loopback port with its
# own temp dir, stopped by pid (never by name) when the calling script exits.
#   start_private_redis [extra redis-server args...]   sets REDIS_PORT, REDIS_PID, REDIS_DIR
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

start_private_redis() {
  REDIS_DIR=$(mktemp -d /tmp/ordo-redis-XXXXXX)
  local attempt
  for attempt in 1 2 3; do
    REDIS_PORT=$(free_port)
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$REDIS_DIR" --save "" \
      --daemonize no --logfile "$REDIS_DIR/redis.log" "$@" &
    REDIS_PID=$!
    for _ in $(seq 1 100); do
      if redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
        return 0
      fi
      kill -0 "$REDIS_PID" 2>/dev/null || break # it exited: the port was taken after all
      sleep 0.05
    done
    kill "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
  done
  echo "redis-server did not start:" >&2
  tail -3 "$REDIS_DIR/redis.log" >&2
  return 1
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
