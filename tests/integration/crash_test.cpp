// What the engine survives, proved under load from many clients. ordoload drives the load;
// its customers re-send a place that was answered unavailable with the same idempotency
// key, reconnect and resume their sessions when a connection drops, and at the end verify
// every acknowledged order through the engine and straight from Redis, including that each
// customer has exactly the orders acknowledged to it (a retry made no second order).
//   - ordod killed with kill -9 again and again, restarted on the same port;
//   - Redis killed with kill -9 (AOF appendfsync always) and restarted from its AOF;
//   - Redis stopped for seconds: every request in the window is unavailable within the
//     Redis timeout, the engine heals by itself, and nothing is half-applied;
//   - Redis frozen while places and payments are in flight: every order still ends paid.
// scripts/chaos runs the first for many more cycles.

#include "background_load.hpp"
#include "gateway_fixture.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <thread>

#include "support/http_get.hpp"
#include "support/process.hpp"

namespace ordo::test {
namespace {

using std::chrono::milliseconds;

class crash : public gateway_fixture {};

// Sessions opened or resumed on this ordod process, read from its metrics.
double sessions_served(std::uint16_t metrics_port) {
  const auto answer = http_get(metrics_port, "/metrics");
  if (!answer || answer->status != 200)
    return 0;
  const auto ok = [&](const std::string& op) {
    return sample_value(answer->body, "ordo_requests_total{code=\"ok\",op=\"" + op + "\"}")
      .value_or(0);
  };
  return ok("hello") + ok("resume");
}

// Waits until every ordoload connection has its session on the ordod just started (a
// connection counts as lost again only once it was re-opened); 60 s is far beyond any machine.
bool await_sessions(std::uint16_t metrics_port, double wanted) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{60};
  while (std::chrono::steady_clock::now() < deadline) {
    if (sessions_served(metrics_port) >= wanted)
      return true;
    std::this_thread::sleep_for(milliseconds{50});
  }
  return false;
}

TEST_F(crash, ordod_killed_with_kill_9_again_and_again_loses_and_duplicates_nothing) {
  constexpr int cycles = 5;
  constexpr int connections = 40 + 4; // ordoload's customers and its operators, one each
  const auto metrics_port = free_loopback_port();
  const std::vector<std::string> flags{"--metrics=127.0.0.1:" + std::to_string(metrics_port)};
  start_ordod(flags);
  const auto port = ordod->port();
  // Kills come only once every connection is back, so the run lasts as long as that takes;
  // the test ends it.
  background_load load{ordod->address(), redis.address(), 600, "crash_ordod", "place"};
  for (int cycle = 0; cycle < cycles; ++cycle) {
    ASSERT_TRUE(await_sessions(metrics_port, connections))
      << "ordoload did not reconnect within 60 s (cycle " << cycle << ")\n" << load.output();
    std::this_thread::sleep_for(milliseconds{300}); // places in flight on every connection
    ordod->kill9();
    start_ordod(flags, port);
  }
  ASSERT_TRUE(await_sessions(metrics_port, connections)) << load.output();
  std::this_thread::sleep_for(milliseconds{300});
  load.ask_to_stop();
  const auto exit_code = load.finish();
  const auto out = load.output();
  EXPECT_EQ(exit_code, 0) << out;
  EXPECT_NE(out.find("verification passed"), std::string::npos) << out;
  // Every kill cut every connection, with places in flight.
  EXPECT_GE(load.number("connections_lost"), cycles * connections) << out;
  EXPECT_GT(load.number("unavailable_retries"), 0) << out;
  EXPECT_GT(load.number("acknowledged_orders"), 100) << out;
}

class redis_crash : public gateway_fixture {
protected:
  redis_crash() : gateway_fixture(redis_server::options{true, "always"}) {}
};

TEST_F(redis_crash, redis_killed_with_kill_9_under_load_loses_no_acknowledged_write) {
  constexpr int cycles = 3;
  start_ordod({"--redis-timeout-ms=1000"});
  background_load load{ordod->address(), redis.address(), 2.0 + cycles * 1.5, "crash_redis", "place"};
  for (int cycle = 0; cycle < cycles; ++cycle) {
    std::this_thread::sleep_for(milliseconds{800});
    redis.kill();
    std::this_thread::sleep_for(milliseconds{300});
    redis.start(); // from its AOF, on the same port
  }
  const auto exit_code = load.finish();
  const auto out = load.output();
  EXPECT_EQ(exit_code, 0) << out;
  EXPECT_NE(out.find("verification passed"), std::string::npos) << out;
  EXPECT_GT(load.number("unavailable_retries"), 0) << out;
  EXPECT_GT(load.number("acknowledged_orders"), 100) << out;
}

class redis_outage : public gateway_fixture {};

TEST_F(redis_outage, a_stopped_redis_makes_every_request_unavailable_in_time_and_nothing_half_applied) {
  constexpr auto redis_timeout = milliseconds{500};
  start_ordod({"--redis-timeout-ms=" + std::to_string(redis_timeout.count())});
  auto alice = login("alice");
  const auto before = place(alice, {{"A", 1, 10'000}}, "k-before");
  redis.pause();
  // For 3 s, places from several connections: each is unavailable, and in time.
  std::vector<std::string> unsure;
  const auto stopped_at = std::chrono::steady_clock::now();
  int n = 0;
  while (std::chrono::steady_clock::now() - stopped_at < std::chrono::seconds{3}) {
    const auto idem = "k-during-" + std::to_string(n++);
    const auto sent = std::chrono::steady_clock::now();
    auto r = alice.call(place_request{idem, {{"B", 1, 5'000}}});
    const auto waited = std::chrono::steady_clock::now() - sent;
    ASSERT_FALSE(r.ok()) << "a success while Redis was stopped";
    EXPECT_EQ(r.error().code, errc::unavailable) << r.error().message;
    EXPECT_LT(waited, redis_timeout + milliseconds{500});
    unsure.push_back(idem);
  }
  EXPECT_GE(unsure.size(), 3u);
  redis.resume();
  // The engine heals by itself: a request succeeds within 2 s of Redis coming back.
  const auto resumed_at = std::chrono::steady_clock::now();
  result<reply_body> after{error{errc::internal, "not tried"}};
  while (std::chrono::steady_clock::now() - resumed_at < std::chrono::seconds{2}) {
    after = alice.call(place_request{"k-after", {{"C", 1, 5'000}}});
    if (after.ok())
      break;
    std::this_thread::sleep_for(milliseconds{50});
  }
  ASSERT_TRUE(after.ok()) << after.error().message;
  // The operator hears of the outage once and of the recovery once, not once per request.
  const auto log = ordod->log();
  const auto count = [&](const std::string& what) {
    std::size_t n = 0;
    for (auto at = log.find(what); at != std::string::npos; at = log.find(what, at + 1))
      ++n;
    return n;
  };
  EXPECT_EQ(count("event=redis_down"), 1u) << log;
  EXPECT_EQ(count("event=redis_up"), 1u) << log;
  // Retries of the unsure places make one order each (or find the one that landed), and
  // every order is whole: in the index, with its hash and its placed event.
  for (const auto& idem : unsure)
    ASSERT_TRUE(alice.call(place_request{idem, {{"B", 1, 5'000}}}).ok()) << idem;
  const auto index = redis.cli({"ZRANGE", "it:{" + before.id.substr(26) + "}c:alice", "0", "-1"});
  std::size_t orders = 0;
  for (std::size_t at = 0, next; at < index.size(); at = next + 1) {
    next = index.find('\n', at);
    const auto id = index.substr(at, next - at);
    if (id.empty())
      continue;
    ++orders;
    EXPECT_NE(redis.cli({"HGET", "it:{" + id.substr(26) + "}o:" + id, "s"}), "\n") << id;
  }
  EXPECT_EQ(orders, unsure.size() + 2);
  const auto placed_events = redis.cli({"EVAL",
    "local n = 0 for _, e in ipairs(redis.call('XRANGE', KEYS[1], '-', '+')) do "
    "if e[2][6] == 'placed' then n = n + 1 end end return n", "1", "it:events"});
  EXPECT_EQ(placed_events, std::to_string(unsure.size() + 2) + "\n");
}

TEST_F(redis_outage, orders_placed_around_a_redis_pause_all_end_paid) {
  // Places are in flight when Redis freezes, and their payments are granted while it is
  // frozen: place and paid commits time out or are refused, some after they landed. Every
  // order must still end paid once Redis answers again, none expired by payment_timeout.
  constexpr auto payment_timeout = milliseconds{10'000};
  start_ordod({"--redis-timeout-ms=300", "--payment-latency-ms=150",
               "--payment-timeout-ms=" + std::to_string(payment_timeout.count())});
  auto alice = login("alice");
  std::vector<std::string> idems;
  std::vector<std::string> unsure;
  std::map<std::string, std::string> id_of;
  for (int round = 0; round < 5; ++round) {
    // Six acknowledged (their payments come during the pause), six in flight at the pause.
    for (int i = 0; i < 6; ++i) {
      const auto idem = "k-" + std::to_string(round) + "-" + std::to_string(i);
      idems.push_back(idem);
      id_of[idem] = place(alice, {{"A", 1, 10'000}}, idem).id;
    }
    std::map<std::uint64_t, std::string> idem_of_rid;
    for (int i = 6; i < 12; ++i) {
      const auto idem = "k-" + std::to_string(round) + "-" + std::to_string(i);
      idems.push_back(idem);
      auto rid = alice.send(place_request{idem, {{"A", 1, 10'000}}});
      ASSERT_TRUE(rid.ok());
      idem_of_rid[*rid] = idem;
    }
    redis.pause();
    std::this_thread::sleep_for(milliseconds{1'800});
    redis.resume();
    while (!idem_of_rid.empty()) {
      auto got = alice.receive(std::chrono::seconds{30});
      ASSERT_TRUE(got.ok()) << got.error().message;
      const auto* reply = std::get_if<ordo::reply>(&*got);
      if (reply == nullptr)
        continue;
      const auto idem = idem_of_rid.at(reply->rid);
      idem_of_rid.erase(reply->rid);
      if (const auto* placed = std::get_if<order_result>(&reply->body))
        id_of[idem] = placed->order.id;
      else
        unsure.push_back(idem);
    }
    std::this_thread::sleep_for(milliseconds{1'500});
  }
  // A place answered unavailable may have landed: its retry with the same key tells.
  for (const auto& idem : unsure) {
    auto again = alice.call_as<order_result>(place_request{idem, {{"A", 1, 10'000}}});
    ASSERT_TRUE(again.ok()) << idem << ": " << again.error().message;
    id_of[idem] = again->order.id;
  }
  ASSERT_EQ(id_of.size(), idems.size());
  EXPECT_FALSE(unsure.empty()) << "no place was in flight at a pause: the test proves less";
  // Reads would wake an order that forgot its payment; none comes before every deadline.
  std::this_thread::sleep_for(payment_timeout + milliseconds{1'000});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{40};
  for (const auto& [idem, id] : id_of) {
    ordo::order last;
    while (std::chrono::steady_clock::now() < deadline) {
      auto got = alice.call_as<order_result>(get_request{id});
      if (got) {
        last = got->order;
        if (last.status != order_status::pending_payment)
          break;
      }
      std::this_thread::sleep_for(milliseconds{50});
    }
    EXPECT_EQ(last.status, order_status::paid)
      << idem << " " << id << " ended " << to_string(last.status) << " "
      << last.reason.value_or("");
  }
}

} // namespace
} // namespace ordo::test
