// Every knob of the engine as a plain value with its default, units in each name. The one
// source of defaults: ordod's command line and config file bind to it (runtime/config.hpp),
// and an embedding process fills it in directly. No CAF here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "messages/limits.hpp"

namespace ordo::runtime {

struct options {
  // Network and store.
  std::string listen = "127.0.0.1:7400";
  std::string redis = "127.0.0.1:6379";
  std::string auth_key;
  std::string key_prefix = "ordo:";
  std::int64_t max_frame_bytes = static_cast<std::int64_t>(limits::default_max_frame_bytes);
  // Per connection: requests in flight (beyond: overloaded), unsent reply bytes (beyond: the
  // client is not reading and is disconnected), time to authenticate.
  std::int64_t max_in_flight = 256;
  std::int64_t max_write_buffer_bytes = 16 * 1024 * 1024;
  std::int64_t auth_timeout_ms = 10'000;
  std::int64_t max_connections = 100'000;
  std::int64_t redis_timeout_ms = 1000;
  // 0 keeps every event; otherwise the events stream is trimmed towards this length, never
  // past an entry a consumer group still needs.
  std::int64_t events_max_len = 0;

  // Payment: the built-in simulator, and how long an order may wait for it.
  std::int64_t payment_latency_ms = 3;
  double payment_decline_rate = 0.0;
  std::int64_t payment_seed = 1;
  std::int64_t payment_timeout_ms = 10'000;

  // Virtual actors: when an idle order is passivated, how many stay resident (live actors)
  // at most, and how many passivated orders keep their state in memory (parked).
  std::int64_t passivate_after_ms = 10'000;
  std::int64_t max_resident_orders = 100'000;
  std::int64_t max_parked_orders = 1'000'000;

  // CAF scheduler worker threads; 0 means one per core.
  std::int64_t scheduler_threads = 0;
};

struct host_port {
  std::string host;
  std::uint16_t port = 0;
  friend bool operator==(const host_port&, const host_port&) = default;
};

// Parses "HOST:PORT" (port 1..65535, host non-empty; "[::1]:7400" for IPv6).
std::optional<host_port> parse_host_port(std::string_view text);

// The CAF scheduler's worker threads these options ask for (scheduler-threads, or one per
// core when it is 0).
std::size_t scheduler_thread_count(const options& opts);

// One message per problem, each naming the option; empty when the options are usable.
std::vector<std::string> validate(const options& opts);

} // namespace ordo::runtime
