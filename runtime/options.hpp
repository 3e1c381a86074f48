// ordod's options as plain values with their defaults, units in each name: the engine's
// (include/ordo/engine_options.hpp, what an embedding process fills in) and the TCP
// gateway's. ordod's command line and config file bind to them (runtime/config.hpp). No CAF.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ordo/engine_options.hpp"
#include "ordo/limits.hpp"

namespace ordo::runtime {

// ordod's options: the engine's and its TCP gateway's.
struct options : ordo::engine_options {
  std::string listen = "127.0.0.1:7400";
  std::int64_t max_frame_bytes = static_cast<std::int64_t>(limits::default_max_frame_bytes);
  // Per connection: requests in flight (beyond: overloaded), unsent reply bytes (beyond: the
  // client is not reading and is disconnected), time to authenticate.
  std::int64_t max_in_flight = 256;
  std::int64_t max_write_buffer_bytes = 16 * 1024 * 1024;
  std::int64_t auth_timeout_ms = 10'000;
  std::int64_t max_connections = 100'000;
  // HOST:PORT of the metrics endpoint (/metrics, /ready); empty: no metrics are kept.
  std::string metrics;
  // HOST:PORT other nodes reach this one at; empty: the listen address.
  std::string advertise;
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
std::size_t scheduler_thread_count(const engine_options& opts);

// One message per problem, each naming the option; empty when the options are usable.
std::vector<std::string> validate(const engine_options& opts);
std::vector<std::string> validate(const options& opts); // the engine's and the gateway's

// The node name and the address this ordod announces to the other nodes.
std::string node_name(const options& opts);
std::string advertised_address(const options& opts);


} // namespace ordo::runtime
