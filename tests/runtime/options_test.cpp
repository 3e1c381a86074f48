// runtime::options: addresses and the validation that ordod runs before it starts anything.

#include <gtest/gtest.h>

#include "runtime/options.hpp"

namespace ordo::runtime {
namespace {

options valid_options() {
  options opts;
  opts.auth_key = "secret";
  return opts;
}

bool mentions(const std::vector<std::string>& problems, std::string_view text) {
  for (const auto& p : problems)
    if (p.find(text) != std::string::npos)
      return true;
  return false;
}

TEST(options, defaults_with_an_auth_key_are_valid) {
  EXPECT_TRUE(validate(valid_options()).empty());
}

TEST(options, auth_key_is_required) {
  EXPECT_TRUE(mentions(validate(options{}), "auth-key is required"));
}

TEST(options, host_port_parses_names_ipv4_and_bracketed_ipv6) {
  EXPECT_EQ(parse_host_port("127.0.0.1:7400"), (host_port{"127.0.0.1", 7400}));
  EXPECT_EQ(parse_host_port("localhost:1"), (host_port{"localhost", 1}));
  EXPECT_EQ(parse_host_port("[::1]:65535"), (host_port{"::1", 65535}));
}

TEST(options, host_port_refuses_what_is_not_host_colon_port) {
  for (const char* bad : {"", "7400", ":7400", "host:", "host:0", "host:65536", "host:74x0",
                          "host:-1", "::1:7400", "[::1:7400", "[]:7400", "host:7400 "}) {
    EXPECT_FALSE(parse_host_port(bad)) << bad;
  }
}

TEST(options, every_bad_value_is_reported_with_its_option_name) {
  auto opts = valid_options();
  opts.listen = "nowhere";
  opts.redis = "redis:0";
  opts.max_frame_bytes = 0;
  opts.redis_timeout_ms = 0;
  opts.events_max_len = -1;
  opts.payment_latency_ms = -1;
  opts.payment_decline_rate = 1.5;
  opts.payment_seed = -3;
  opts.payment_timeout_ms = 0;
  opts.passivate_after_ms = 0;
  opts.max_resident_orders = 0;
  opts.max_parked_orders = -1;
  opts.scheduler_threads = -1;
  const auto problems = validate(opts);
  for (const char* name :
       {"listen", "redis", "max-frame-bytes", "redis-timeout-ms", "events-max-len",
        "payment-latency-ms",
        "payment-decline-rate", "payment-seed", "payment-timeout-ms", "passivate-after-ms",
        "max-resident-orders", "max-parked-orders", "scheduler-threads"}) {
    EXPECT_TRUE(mentions(problems, name)) << name;
  }
  EXPECT_EQ(problems.size(), 13u);
}

TEST(options, decline_rate_bounds_are_inclusive) {
  auto opts = valid_options();
  opts.payment_decline_rate = 1.0;
  EXPECT_TRUE(validate(opts).empty());
  opts.payment_decline_rate = -0.01;
  EXPECT_FALSE(validate(opts).empty());
}

} // namespace
} // namespace ordo::runtime
