// ordod's metrics endpoint: every request counted by op and outcome, the actors' and the
// store's figures in step with what happened, and /ready telling a load balancer the truth
// while ordod starts, loses Redis and stops.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <thread>

#include "gateway_fixture.hpp"
#include "support/http_get.hpp"
#include "support/process.hpp"

namespace ordo::test {
namespace {

// Far beyond what any machine needs; waits end as soon as the condition holds.
constexpr auto patience = std::chrono::seconds{30};

class metrics : public gateway_fixture {
protected:
  std::uint16_t metrics_port = free_loopback_port();

  std::vector<std::string> metrics_flag() const {
    return {"--metrics=127.0.0.1:" + std::to_string(metrics_port)};
  }

  std::string scrape() const {
    const auto answer = http_get(metrics_port, "/metrics");
    EXPECT_TRUE(answer && answer->status == 200);
    return answer ? answer->body : std::string{};
  }

  double value(const std::string& series) const {
    const auto v = sample_value(scrape(), series);
    EXPECT_TRUE(v.has_value()) << series << " is not exposed";
    return v.value_or(-1);
  }

  // What /ready answers ("200 ready", "503 starting", ...), or "none" if nothing listens.
  std::string readiness() const {
    const auto answer = http_get(metrics_port, "/ready");
    if (!answer)
      return "none";
    auto body = answer->body;
    if (!body.empty() && body.back() == '\n')
      body.pop_back();
    return std::to_string(answer->status) + " " + body;
  }

  bool readiness_becomes(const std::string& expected) const {
    const auto deadline = std::chrono::steady_clock::now() + patience;
    while (std::chrono::steady_clock::now() < deadline) {
      if (readiness() == expected)
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds{20});
    }
    return false;
  }
};

// A frame whose payload is no msgpack value at all, answered bad_request by the gateway.
void send_garbage_frame(std::uint16_t port) {
  const int fd = connect_loopback(port);
  ASSERT_GE(fd, 0);
  const char frame[] = {0, 0, 0, 1, static_cast<char>(0xc1)};
  ASSERT_EQ(::write(fd, frame, sizeof frame), static_cast<ssize_t>(sizeof frame));
  char reply[256];
  EXPECT_GT(::read(fd, reply, sizeof reply), 0); // answered, so counted
  ::close(fd);
}

TEST_F(metrics, every_request_is_counted_by_op_and_outcome_with_its_latency) {
  start_ordod(metrics_flag());
  auto anonymous = connect();
  ASSERT_TRUE(anonymous.call_as<pong_result>(ping_request{}).ok());
  EXPECT_EQ(code_of(anonymous.call(get_request{"x"})), errc::unauthenticated);
  send_garbage_frame(ordod->port());
  auto alice = login("alice");
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i)
    ids.push_back(place(alice, {{"A", 1, 1'000}}, "k-" + std::to_string(i)).id);
  for (const auto& id : ids)
    await_status(alice, id, order_status::paid);
  // Refused by the decoder's limits, before any actor: still counted under its op.
  EXPECT_EQ(code_of(alice.call(place_request{"k-empty", {}})), errc::bad_request);

  EXPECT_EQ(value(R"(ordo_requests_total{code="ok",op="ping"})"), 1);
  EXPECT_EQ(value(R"(ordo_requests_total{code="unauthenticated",op="get"})"), 1);
  EXPECT_EQ(value(R"(ordo_requests_total{code="bad_request",op="unknown"})"), 1);
  EXPECT_EQ(value(R"(ordo_requests_total{code="ok",op="hello"})"), 1);
  EXPECT_EQ(value(R"(ordo_requests_total{code="ok",op="place"})"), 3);
  EXPECT_EQ(value(R"(ordo_requests_total{code="bad_request",op="place"})"), 1);
  EXPECT_EQ(value(R"(ordo_request_duration_seconds_count{op="place"})"), 4);
  EXPECT_GT(value(R"(ordo_request_duration_seconds_sum{op="place"})"), 0);
  EXPECT_EQ(value("ordo_requests_in_flight"), 0);

  // Three places and three payments: six commits, each in some round trip.
  EXPECT_EQ(value(R"(ordo_events_committed_total{type="placed"})"), 3);
  EXPECT_EQ(value(R"(ordo_events_committed_total{type="paid"})"), 3);
  EXPECT_EQ(value(R"(ordo_payment_outcomes_total{outcome="authorized"})"), 3);
  EXPECT_EQ(value(R"(ordo_store_request_duration_seconds_count{op="commit"})"), 6);
  EXPECT_EQ(value("ordo_redis_commits_per_round_trip_sum"), 6);
  EXPECT_GE(value("ordo_redis_round_trips_total"), 1);
  EXPECT_EQ(value("ordo_resident_orders"), 3);
  EXPECT_EQ(value(R"(ordo_activations_total{kind="order"})"), 3);
  EXPECT_EQ(value("ordo_resident_sessions"), 1);
  EXPECT_EQ(value("ordo_connections"), 2);
  EXPECT_EQ(value("ordo_connections_accepted_total"), 3);
  EXPECT_EQ(value("ordo_redis_up"), 1);
  EXPECT_EQ(value("ordo_ready"), 1);
  EXPECT_GT(value("ordo_process_resident_memory_bytes"), 0);
  // The stream is sampled every second: it catches up with the six events.
  const auto deadline = std::chrono::steady_clock::now() + patience;
  while (value("ordo_events_stream_length") != 6 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  EXPECT_EQ(value("ordo_events_stream_length"), 6);
}

TEST_F(metrics, a_commit_the_version_check_refuses_counts_as_a_conflict) {
  start_ordod(metrics_flag());
  auto alice = login("alice");
  const auto placed = place(alice, {{"A", 1, 1'000}}, "k-1");
  await_status(alice, placed.id, order_status::paid);
  EXPECT_EQ(value("ordo_commit_conflicts_total"), 0);
  // Another engine moves the order behind this one's back: its next commit is a conflict.
  redis.cli({"HSET", "it:{" + placed.id.substr(placed.id.size() - 2) + "}o:" + placed.id, "v",
             "99"});
  auto ops = login("ops", ordo::role::operator_);
  EXPECT_EQ(code_of(ops.call(ship_request{placed.id, "TRK-1"})), errc::conflict);
  EXPECT_EQ(value("ordo_commit_conflicts_total"), 1);
}

TEST_F(metrics, ready_is_503_starting_until_redis_answers_then_200) {
  redis.pause();
  // ordod is started from this thread: a child dies with the thread that spawned it
  // (PR_SET_PDEATHSIG), so the watching happens on the other one.
  auto watcher = std::async(std::launch::async, [this] {
    const bool seen = readiness_becomes("503 starting");
    redis.resume();
    return seen;
  });
  start_ordod({"--metrics=127.0.0.1:" + std::to_string(metrics_port), "--redis-timeout-ms=25000"});
  EXPECT_TRUE(watcher.get());
  EXPECT_EQ(readiness(), "200 ready");
}

TEST_F(metrics, ready_is_503_while_redis_does_not_answer) {
  start_ordod({"--metrics=127.0.0.1:" + std::to_string(metrics_port), "--redis-timeout-ms=300"});
  EXPECT_EQ(readiness(), "200 ready");
  redis.pause();
  EXPECT_TRUE(readiness_becomes("503 redis unreachable")) << readiness();
  EXPECT_EQ(value("ordo_redis_up"), 0);
  // The stream's length is asked every second; those requests fail while Redis is silent.
  const auto failed = R"(ordo_store_errors_total{code="unavailable",op="stream_length"})";
  const auto deadline = std::chrono::steady_clock::now() + patience;
  while (value(failed) < 1 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  EXPECT_GE(value(failed), 1);
  EXPECT_GE(value("ordo_redis_connection_failures_total"), 1);
  redis.resume();
  EXPECT_TRUE(readiness_becomes("200 ready")) << readiness();
}

TEST_F(metrics, ready_is_503_stopping_while_ordod_drains) {
  start_ordod({"--metrics=127.0.0.1:" + std::to_string(metrics_port), "--redis-timeout-ms=20000"});
  auto alice = login("alice");
  redis.pause();
  // A place waits on the paused Redis, so the drain after SIGTERM waits for it.
  ASSERT_TRUE(alice.send(place_request{"k-1", {{"A", 1, 1'000}}}).ok());
  ::kill(ordod->pid(), SIGTERM);
  EXPECT_TRUE(readiness_becomes("503 stopping")) << readiness();
  redis.resume();
  EXPECT_EQ(ordod->terminate(), 0);
  EXPECT_EQ(readiness(), "none");
}

TEST_F(metrics, a_metrics_address_in_use_stops_start_up_naming_it) {
  const int taken = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(metrics_port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(taken, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(taken, 1), 0);
  try {
    start_ordod(metrics_flag());
    ADD_FAILURE() << "ordod started with its metrics address taken";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string{e.what()}.find("cannot serve metrics on 127.0.0.1:" +
                                         std::to_string(metrics_port)),
              std::string::npos)
      << e.what();
  }
  ::close(taken);
}

TEST_F(metrics, a_second_node_takes_half_the_tags_and_requests_for_them_are_forwarded) {
  start_ordod(metrics_flag());
  const auto settled_at = std::chrono::steady_clock::now() + patience;
  while (value("ordo_cluster_tags_owned") < 1024 && std::chrono::steady_clock::now() < settled_at)
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  EXPECT_EQ(value("ordo_cluster_nodes"), 1);
  EXPECT_EQ(value("ordo_cluster_tags_owned"), 1024);
  const auto second_metrics = free_loopback_port();
  ordod_process second{redis.address(),
                       {"--metrics=127.0.0.1:" + std::to_string(second_metrics)}};
  // The first hands the second its share; the two serve every tag between them.
  const auto owned_by_second = [&] {
    const auto answer = http_get(second_metrics, "/metrics");
    return answer ? sample_value(answer->body, "ordo_cluster_tags_owned").value_or(0) : 0;
  };
  const auto deadline = std::chrono::steady_clock::now() + patience;
  while (std::chrono::steady_clock::now() < deadline &&
         !(value("ordo_cluster_tags_owned") + owned_by_second() == 1024 && owned_by_second() > 0))
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  EXPECT_EQ(value("ordo_cluster_nodes"), 2);
  EXPECT_GT(value("ordo_tag_handoffs_total"), 0);
  EXPECT_EQ(value("ordo_cluster_tags_owned") + owned_by_second(), 1024);
  // Orders of customers of both nodes, all placed through the first: some are forwarded.
  auto c = connect();
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(c.call_as<session_result>(hello_request{token(role::customer, "f" + std::to_string(i))}).ok());
    ASSERT_TRUE(c.call_as<order_result>(place_request{"k", {{"A", 1, 100}}}).ok());
  }
  EXPECT_GT(value("ordo_requests_forwarded_total"), 0);
  EXPECT_LT(value("ordo_requests_forwarded_total"), 20);
  EXPECT_EQ(value("ordo_lease_renewals_failed_total"), 0);
}

} // namespace
} // namespace ordo::test
