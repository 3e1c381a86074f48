// Whole engines (actors + Redis store) against a real redis-server: state survives an
// engine restart, two engines are two nodes that split the tags, outages give unavailable and heal by
// themselves, and deadlines that fall due while no engine runs are honoured. (kill -9 of a
// whole engine under load: tests/integration/crash_test.cpp, with ordod as its own process;
// a fork of this multi-threaded test process could deadlock in the allocator.)

#include <gtest/gtest.h>

#include <caf/all.hpp>

#include "actors/atoms.hpp"
#include "actors/errors.hpp"
#include "auth/secure_random.hpp"
#include "actors/session_protocol.hpp"
#include "auth/token.hpp"
#include "domain/order_id.hpp"
#include "runtime/cluster_node.hpp"
#include "runtime/engine.hpp"
#include "support/redis_server.hpp"

namespace ordo::runtime {
namespace {

using namespace ordo::actors;
using std::chrono::milliseconds;

constexpr const char* auth_key = "engine-test-key";

std::int64_t now_ms() {
  return std::chrono::duration_cast<milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

struct answer {
  std::optional<ordo::reply_body> reply;
  ordo::error error;
  bool ok() const { return reply.has_value(); }
  const ordo::order& order() const { return std::get<order_result>(*reply).order; }
};

class engine_test : public ::testing::Test {
protected:
  engine_test() {
    opts.redis = redis.address();
    opts.auth_key = auth_key;
    opts.key_prefix = "e:";
    opts.redis_timeout_ms = 400;
    opts.payment_latency_ms = 1;
  }

  ~engine_test() override {
    if (engine_)
      engine_->stop();
  }

  engine& start() {
    auto started = engine::start(sys, opts);
    EXPECT_TRUE(started.ok()) << (started.ok() ? "" : started.error().message);
    engine_ = std::move(*started);
    return *engine_;
  }

  void stop() {
    engine_->stop();
    engine_.reset();
  }

  answer ask(engine& e, const std::string& session, ordo::request_body body) {
    answer out;
    out.error = {errc::internal, "no reply"};
    self->request(e.tree().sessions.pick(session), std::chrono::seconds{10}, request_atom::value,
                  session_request{session, std::move(body)})
      .receive([&](ordo::reply_body& r) { out.reply = std::move(r); },
               [&](caf::error& err) { out.error = to_ordo_error(err); });
    return out;
  }

  answer ask(const std::string& session, ordo::request_body body) {
    return ask(*engine_, session, std::move(body));
  }

  std::string login(engine& e, const std::string& subject, ordo::role role = ordo::role::customer) {
    const auto tok = auth::mint_token(role, subject, now_ms() / 1000 + 3600, auth_key);
    const auto out = ask(e, auth::make_session_id(), hello_request{tok});
    EXPECT_TRUE(out.ok()) << out.error.message;
    return out.ok() ? std::get<session_result>(*out.reply).session : std::string{};
  }

  std::string login(const std::string& subject, ordo::role role = ordo::role::customer) {
    return login(*engine_, subject, role);
  }

  // Waits until `check` holds, for at most `limit`.
  template <class Check>
  bool eventually(Check check, milliseconds limit = milliseconds{5'000}) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (check())
        return true;
      std::this_thread::sleep_for(milliseconds{20});
    }
    return check();
  }

  ordo::test::redis_server redis;
  options opts;
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  std::unique_ptr<engine> engine_;
};

TEST_F(engine_test, start_up_fails_with_the_address_when_redis_is_unreachable) {
  opts.redis = "127.0.0.1:" + std::to_string(ordo::test::free_loopback_port());
  auto started = engine::start(sys, opts);
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.error().message.find(opts.redis), std::string::npos) << started.error().message;
}

TEST_F(engine_test, orders_sessions_and_idempotency_keys_survive_an_engine_restart) {
  start();
  const auto alice = login("alice");
  const auto placed = ask(alice, place_request{"k-1", {{"A", 2, 10'000}}});
  ASSERT_TRUE(placed.ok()) << placed.error.message;
  ASSERT_TRUE(eventually([&] { return ask(alice, get_request{placed.order().id}).order().status == order_status::paid; }));
  const auto cancelled = ask(alice, cancel_request{placed.order().id, "k-2", std::vector<line_quantity>{{"A", 1}}});
  ASSERT_TRUE(cancelled.ok()) << cancelled.error.message;
  stop();
  start();
  const auto resumed = ask(alice, resume_request{alice});
  ASSERT_TRUE(resumed.ok()) << resumed.error.message;
  EXPECT_EQ(std::get<session_result>(*resumed.reply).subject, "alice");
  const auto got = ask(alice, get_request{placed.order().id});
  ASSERT_TRUE(got.ok()) << got.error.message;
  EXPECT_EQ(got.order(), cancelled.order());
  const auto replayed = ask(alice, place_request{"k-1", {{"A", 2, 10'000}}});
  ASSERT_TRUE(replayed.ok()) << replayed.error.message;
  EXPECT_EQ(replayed.order(), placed.order());
  EXPECT_EQ(ask(alice, place_request{"k-1", {{"A", 3, 10'000}}}).error.code, errc::conflict);
  const auto retried_cancel = ask(alice, cancel_request{placed.order().id, "k-2", std::vector<line_quantity>{{"A", 1}}});
  EXPECT_EQ(retried_cancel.order(), cancelled.order());
  const auto listed = ask(alice, list_request{20, std::nullopt});
  ASSERT_EQ(std::get<orders_result>(*listed.reply).orders.size(), 1u);
}

// A customer whose tag `e` serves now.
std::string customer_served_by(const engine& e) {
  for (int i = 0;; ++i) {
    const auto customer = "c" + std::to_string(i);
    if (e.node().lease_of(domain::tag_index(domain::customer_tag(customer))))
      return customer;
  }
}

TEST_F(engine_test, two_engines_on_one_redis_are_two_nodes_that_never_answer_stale) {
  // Two engines with nothing in common but the Redis, as two ordod processes would be.
  auto first = engine::start(sys, opts);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE((*first)->node().await_settled(milliseconds{20'000}));
  auto second = engine::start(sys, opts);
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(eventually(
    [&] {
      return (*first)->node().tags_served() + (*second)->node().tags_served() ==
               domain::customer_tags &&
             (*second)->node().tags_served() > 0;
    },
    milliseconds{20'000}));
  const auto customer = customer_served_by(**first);
  const auto a = login(**first, customer);
  const auto b = login(**second, customer);
  const auto placed = ask(**first, a, place_request{"k-1", {{"A", 5, 10'000}}});
  ASSERT_TRUE(placed.ok()) << placed.error.message;
  ASSERT_TRUE(eventually([&] { return ask(**first, a, get_request{placed.order().id}).order().status == order_status::paid; }));
  // The node that does not serve the customer's tag neither reads nor writes the order:
  // unavailable at once, nothing applied, never a stale version or a conflict.
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(ask(**second, b, get_request{placed.order().id}).error.code, errc::unavailable);
  const auto elsewhere = ask(**second, b, cancel_request{placed.order().id, "k-2", std::nullopt});
  EXPECT_EQ(elsewhere.error.code, errc::unavailable) << elsewhere.error.message;
  EXPECT_LT(std::chrono::steady_clock::now() - started, milliseconds{opts.lease_ms});
  const auto cancelled = ask(**first, a, cancel_request{placed.order().id, "k-2", std::vector<line_quantity>{{"A", 1}}});
  ASSERT_TRUE(cancelled.ok()) << cancelled.error.message;
  EXPECT_EQ(cancelled.order().version, 3u);
  // The first node leaves: the second serves every tag, the order at its latest version.
  (*first)->stop();
  ASSERT_TRUE(eventually([&] { return (*second)->node().tags_served() == domain::customer_tags; },
                         milliseconds{20'000}));
  const auto after = ask(**second, b, get_request{placed.order().id});
  ASSERT_TRUE(after.ok()) << after.error.message;
  EXPECT_EQ(after.order(), cancelled.order());
}

TEST_F(engine_test, a_silent_redis_gives_unavailable_in_time_and_the_engine_heals_by_itself) {
  start();
  const auto alice = login("alice");
  const auto placed = ask(alice, place_request{"k-1", {{"A", 5, 10'000}}});
  ASSERT_TRUE(eventually([&] { return ask(alice, get_request{placed.order().id}).order().status == order_status::paid; }));
  redis.pause();
  const auto started = std::chrono::steady_clock::now();
  const auto during = ask(alice, cancel_request{placed.order().id, "k-2", std::nullopt});
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(during.error.code, errc::unavailable) << during.error.message;
  EXPECT_LT(waited, milliseconds{opts.redis_timeout_ms} + milliseconds{400});
  redis.resume();
  // The write may have landed: the retry with the same key tells, and never applies twice.
  answer after;
  ASSERT_TRUE(eventually([&] {
    after = ask(alice, cancel_request{placed.order().id, "k-2", std::nullopt});
    return after.ok();
  }));
  EXPECT_EQ(after.order().status, order_status::cancelled);
  EXPECT_EQ(after.order().version, 3u);
}

TEST_F(engine_test, a_payment_deadline_that_falls_due_while_no_engine_runs_is_honoured) {
  opts.payment_latency_ms = 60'000; // the payment never answers in time
  opts.payment_timeout_ms = 300;
  start();
  const auto alice = login("alice");
  const auto placed = ask(alice, place_request{"k-1", {{"A", 1, 10'000}}});
  ASSERT_TRUE(placed.ok());
  stop();
  std::this_thread::sleep_for(milliseconds{400});
  start();
  ASSERT_TRUE(eventually([&] {
    const auto got = ask(alice, get_request{placed.order().id});
    return got.ok() && got.order().status == order_status::cancelled;
  }, milliseconds{3'000}));
  EXPECT_EQ(ask(alice, get_request{placed.order().id}).order().reason, "payment_timeout");
}

TEST_F(engine_test, an_unpaid_order_asks_for_payment_again_after_a_restart) {
  opts.payment_latency_ms = 60'000;
  opts.payment_timeout_ms = 60'000;
  start();
  const auto alice = login("alice");
  const auto placed = ask(alice, place_request{"k-1", {{"A", 1, 10'000}}});
  stop();
  opts.payment_latency_ms = 1;
  start();
  ASSERT_TRUE(eventually([&] {
    const auto got = ask(alice, get_request{placed.order().id});
    return got.ok() && got.order().status == order_status::paid;
  }));
}

} // namespace
} // namespace ordo::runtime
