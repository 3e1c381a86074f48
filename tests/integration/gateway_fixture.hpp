// A private redis-server and ordod per test, and helpers to talk to ordod with ordo::client.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "auth/token.hpp"
#include "clients/client.hpp"
#include "support/ordod_process.hpp"
#include "support/redis_server.hpp"

namespace ordo::test {

class gateway_fixture : public ::testing::Test {
protected:
  gateway_fixture() = default;
  explicit gateway_fixture(redis_server::options redis_options) : redis(std::move(redis_options)) {}

  void start_ordod(std::vector<std::string> extra = {}, std::uint16_t port = 0) {
    ordod = std::make_unique<ordod_process>(redis.address(), std::move(extra), port);
  }

  client connect() {
    if (!ordod)
      start_ordod();
    auto c = client::connect("127.0.0.1", ordod->port());
    EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
    return std::move(*c);
  }

  std::string token(ordo::role role, const std::string& subject, std::int64_t ttl_s = 3600,
                    const std::string& key = ordod_process::auth_key) {
    return auth::mint_token(role, subject, unix_now_ms() / 1000 + ttl_s, key);
  }

  // A connection with a session for `subject`.
  client login(const std::string& subject, ordo::role role = ordo::role::customer) {
    auto c = connect();
    auto opened = c.call_as<session_result>(hello_request{token(role, subject)});
    EXPECT_TRUE(opened.ok()) << (opened.ok() ? "" : opened.error().message);
    if (opened)
      last_session = opened->session;
    return c;
  }

  ordo::order place(client& c, std::vector<line_item> lines, const std::string& idem) {
    auto placed = c.call_as<order_result>(place_request{idem, std::move(lines)});
    EXPECT_TRUE(placed.ok()) << (placed.ok() ? "" : placed.error().message);
    return placed ? placed->order : ordo::order{};
  }

  // Waits until the order reaches `status`; 30 s is far beyond what any machine needs.
  ordo::order await_status(client& c, const std::string& id, order_status status) {
    ordo::order last;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{30};
    while (std::chrono::steady_clock::now() < deadline) {
      auto got = c.call_as<order_result>(get_request{id});
      if (got) {
        last = got->order;
        if (last.status == status)
          return last;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds{20});
    }
    ADD_FAILURE() << "order " << id << " never reached " << to_string(status);
    return last;
  }

  redis_server redis;
  std::unique_ptr<ordod_process> ordod;
  std::string last_session;
};

inline errc code_of(const result<reply_body>& r) {
  return r.ok() ? errc::internal : r.error().code;
}

} // namespace ordo::test
