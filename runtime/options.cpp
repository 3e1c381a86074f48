#include "runtime/options.hpp"

#include "warehouse/pg_connection.hpp"

#include <algorithm>
#include <charconv>
#include <thread>

namespace ordo::runtime {

namespace {

// A frame above this would let one connection pin a large share of the engine's memory.
constexpr std::int64_t max_max_frame_bytes = 64 * 1024 * 1024;
constexpr std::int64_t max_timeout_ms = 24 * 60 * 60 * 1000;
constexpr std::int64_t max_scheduler_threads = 256;

void check_range(std::vector<std::string>& problems, std::string_view name, std::int64_t value,
                 std::int64_t min, std::int64_t max) {
  if (value < min || value > max)
    problems.push_back(std::string{name} + " must be between " + std::to_string(min) + " and " +
                       std::to_string(max) + ", got " + std::to_string(value));
}

void check_address(std::vector<std::string>& problems, std::string_view name,
                   const std::string& value) {
  if (!parse_host_port(value))
    problems.push_back(std::string{name} + " must be HOST:PORT with a port from 1 to 65535, got '" +
                       value + "'");
}

} // namespace

std::optional<host_port> parse_host_port(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size())
    return std::nullopt;
  auto host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']')
      return std::nullopt;
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return std::nullopt;
  }
  const auto port_text = text.substr(colon + 1);
  unsigned port = 0;
  const auto [end, ec] =
    std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc{} || end != port_text.data() + port_text.size() || port < 1 ||
      port > 65535)
    return std::nullopt;
  return host_port{std::string{host}, static_cast<std::uint16_t>(port)};
}

std::size_t scheduler_thread_count(const engine_options& opts) {
  if (opts.scheduler_threads > 0)
    return static_cast<std::size_t>(opts.scheduler_threads);
  return std::max(1u, std::thread::hardware_concurrency());
}

std::vector<std::string> validate(const engine_options& opts) {
  std::vector<std::string> problems;
  check_address(problems, "redis", opts.redis);
  if (opts.auth_key.empty())
    problems.push_back("auth-key is required: the secret that signs tokens (HMAC-SHA256)");
  check_range(problems, "redis-timeout-ms", opts.redis_timeout_ms, 1, max_timeout_ms);
  check_range(problems, "request-timeout-ms", opts.request_timeout_ms, 1, max_timeout_ms);
  check_range(problems, "events-max-len", opts.events_max_len, 0, INT64_MAX);
  if (!opts.archive.empty())
    if (auto why = warehouse::conninfo_problem(opts.archive))
      problems.push_back("archive is not a PostgreSQL connection string: " + *why);
  check_range(problems, "payment-latency-ms", opts.payment_latency_ms, 0, max_timeout_ms);
  if (!(opts.payment_decline_rate >= 0.0 && opts.payment_decline_rate <= 1.0))
    problems.push_back("payment-decline-rate must be between 0 and 1, got " +
                       std::to_string(opts.payment_decline_rate));
  check_range(problems, "payment-seed", opts.payment_seed, 0, INT64_MAX);
  check_range(problems, "payment-timeout-ms", opts.payment_timeout_ms, 1, max_timeout_ms);
  check_range(problems, "passivate-after-ms", opts.passivate_after_ms, 1, max_timeout_ms);
  check_range(problems, "max-resident-orders", opts.max_resident_orders, 1, INT64_MAX);
  check_range(problems, "max-parked-orders", opts.max_parked_orders, 0, INT64_MAX);
  check_range(problems, "scheduler-threads", opts.scheduler_threads, 0, max_scheduler_threads);
  if (opts.node.find_first_of(" \t\r\n#") != std::string::npos)
    problems.push_back("node must not contain spaces or '#', got '" + opts.node + "'");
  if (!opts.node_listen.empty())
    check_address(problems, "node-listen", opts.node_listen);
  // Below 300 ms the renewal third and the margin fifth leave no room for a Redis round trip.
  check_range(problems, "lease-ms", opts.lease_ms, 300, 600'000);
  return problems;
}

std::vector<std::string> validate(const options& opts) {
  std::vector<std::string> problems;
  check_address(problems, "listen", opts.listen);
  if (!opts.metrics.empty())
    check_address(problems, "metrics", opts.metrics);
  if (!opts.advertise.empty())
    check_address(problems, "advertise", opts.advertise);
  auto engine_problems = validate(static_cast<const engine_options&>(opts));
  problems.insert(problems.end(), engine_problems.begin(), engine_problems.end());
  check_range(problems, "max-frame-bytes", opts.max_frame_bytes, 1, max_max_frame_bytes);
  check_range(problems, "max-in-flight", opts.max_in_flight, 1, 1'000'000);
  check_range(problems, "max-write-buffer-bytes", opts.max_write_buffer_bytes, 1024, INT64_MAX);
  check_range(problems, "auth-timeout-ms", opts.auth_timeout_ms, 1, max_timeout_ms);
  check_range(problems, "max-connections", opts.max_connections, 1, 10'000'000);
  return problems;
}

std::string advertised_address(const options& opts) {
  return opts.advertise.empty() ? opts.listen : opts.advertise;
}

std::string node_name(const options& opts) {
  return opts.node.empty() ? advertised_address(opts) : opts.node;
}

} // namespace ordo::runtime
