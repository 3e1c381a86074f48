// ordo::engine, the embedding API, against a real redis-server: the lifecycle, the error
// codes that can occur in-process, callers on many threads, stop() with calls in flight,
// pushes, and one Redis shared with an ordod as nodes of one engine.

#include <gtest/gtest.h>

#include <ordo/engine.hpp>

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "auth/token.hpp"
#include "clients/client.hpp"
#include "domain/order_id.hpp"
#include "support/ordod_process.hpp"
#include "support/redis_server.hpp"

namespace ordo {
namespace {

using namespace std::chrono_literals;

constexpr const char* auth_key = test::ordod_process::auth_key;

template <class T>
T ready(std::future<T> f) {
  EXPECT_EQ(f.wait_for(10s), std::future_status::ready) << "no answer within 10 s";
  return f.get();
}

class embedded : public ::testing::Test {
protected:
  embedded() {
    opts.redis = redis.address();
    opts.auth_key = auth_key;
    opts.key_prefix = "it:"; // the prefix ordod_process uses, so both see one store
    opts.payment_latency_ms = 1;
    opts.redis_timeout_ms = 500;
  }

  engine& start() {
    auto started = engine::start(opts);
    EXPECT_TRUE(started.ok()) << (started.ok() ? "" : started.error().message);
    e = std::move(*started);
    return *e;
  }

  std::string token(ordo::role role, const std::string& subject) {
    return auth::mint_token(role, subject, test::unix_now_ms() / 1000 + 3600, auth_key);
  }

  std::string session(ordo::role role, const std::string& subject) {
    auto opened = ready(e->hello(token(role, subject)));
    EXPECT_TRUE(opened.ok()) << (opened.ok() ? "" : opened.error().message);
    return opened.ok() ? opened->session : std::string{};
  }

  order await_status(const std::string& s, const std::string& id, order_status status) {
    order last;
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < deadline) {
      auto got = ready(e->get(s, id));
      if (got && (last = *got).status == status)
        return last;
      std::this_thread::sleep_for(20ms);
    }
    ADD_FAILURE() << id << " never became " << to_string(status);
    return last;
  }

  test::redis_server redis;
  engine_options opts;
  std::unique_ptr<engine> e;
};

TEST_F(embedded, start_refuses_bad_options_and_an_unreachable_redis) {
  opts.auth_key.clear();
  auto no_key = engine::start(opts);
  ASSERT_FALSE(no_key.ok());
  EXPECT_EQ(no_key.error().code, errc::bad_request);
  EXPECT_NE(no_key.error().message.find("auth-key"), std::string::npos);
  opts.auth_key = auth_key;
  opts.redis = "127.0.0.1:" + std::to_string(test::free_loopback_port());
  auto unreachable = engine::start(opts);
  ASSERT_FALSE(unreachable.ok());
  EXPECT_EQ(unreachable.error().code, errc::unavailable);
  EXPECT_NE(unreachable.error().message.find(opts.redis), std::string::npos);
}

TEST_F(embedded, the_whole_lifecycle) {
  start();
  const auto alice = session(ordo::role::customer, "alice");
  const auto ops = session(ordo::role::operator_, "ops");
  ASSERT_FALSE(*ready(e->membership(alice, false)));
  auto placed = ready(e->place(alice, {"k-1", {{"A", 2, 10'000}, {"B", 1, 5'000}}}));
  ASSERT_TRUE(placed.ok()) << placed.error().message;
  EXPECT_EQ(placed->status, order_status::pending_payment);
  await_status(alice, placed->id, order_status::paid);
  auto part = ready(e->cancel(alice, {placed->id, "k-2", std::vector<line_quantity>{{"B", 1}}}));
  ASSERT_TRUE(part.ok()) << part.error().message;
  EXPECT_EQ(part->refunded, 5'000);
  EXPECT_TRUE(ready(e->ship(ops, {placed->id, "TRK-1"})).ok());
  EXPECT_TRUE(ready(e->deliver(ops, placed->id)).ok());
  EXPECT_TRUE(ready(e->return_order(alice, {placed->id, "k-3", std::nullopt})).ok());
  auto refunded = ready(e->refund(ops, placed->id));
  ASSERT_TRUE(refunded.ok()) << refunded.error().message;
  EXPECT_EQ(refunded->status, order_status::returned);
  EXPECT_EQ(refunded->refunded, 20'000);
  auto listed = ready(e->list(alice));
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front(), *refunded);
  auto resumed = ready(e->resume(alice));
  ASSERT_TRUE(resumed.ok());
  EXPECT_EQ(resumed->subject, "alice");
}

TEST_F(embedded, errors_come_back_as_values_with_the_wire_codes) {
  start();
  const auto alice = session(ordo::role::customer, "alice");
  const auto bob = session(ordo::role::customer, "bob");
  auto code = [](const auto& r) { return r.ok() ? errc::internal : r.error().code; };
  EXPECT_EQ(code(ready(e->hello("customer.alice.1.00"))), errc::unauthenticated);
  EXPECT_EQ(code(ready(e->get("no-such-session", "x"))), errc::unauthenticated);
  EXPECT_EQ(code(ready(e->ship(alice, {"x", "T"}))), errc::forbidden);
  EXPECT_EQ(code(ready(e->place(alice, {"k-0", {{"A", 0, 1}}}))), errc::bad_request);
  auto placed = ready(e->place(alice, {"k-1", {{"A", 1, 1'000}}}));
  ASSERT_TRUE(placed.ok());
  EXPECT_EQ(code(ready(e->get(bob, placed->id))), errc::not_found);
  EXPECT_EQ(code(ready(e->return_order(alice, {placed->id, "k-r", std::nullopt}))), errc::invalid_state);
  EXPECT_EQ(code(ready(e->place(alice, {"k-1", {{"A", 2, 1'000}}}))), errc::conflict);
  redis.stop();
  EXPECT_EQ(code(ready(e->place(alice, {"k-2", {{"A", 1, 1'000}}}))), errc::unavailable);
}

TEST_F(embedded, callers_on_many_threads_are_all_served) {
  start();
  constexpr int threads = 8;
  constexpr int per_thread = 50;
  std::vector<std::string> sessions;
  for (int t = 0; t < threads; ++t)
    sessions.push_back(session(ordo::role::customer, "shopper"));
  std::mutex mutex;
  std::set<std::string> ids;
  std::atomic<int> failures{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::vector<std::future<result<order>>> futures;
      for (int i = 0; i < per_thread; ++i)
        futures.push_back(e->place(sessions[static_cast<std::size_t>(t)],
                                   {"k-" + std::to_string(t) + "-" + std::to_string(i), {{"A", 1, 1'000}}}));
      for (auto& f : futures) {
        auto r = ready(std::move(f));
        std::lock_guard<std::mutex> guard{mutex};
        if (r)
          ids.insert(r->id);
        else
          ++failures;
      }
    });
  }
  for (auto& w : workers)
    w.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(threads * per_thread));
  auto listed = ready(e->list(sessions[0], {100, std::nullopt}));
  EXPECT_EQ(listed->size(), 100u);
}

TEST_F(embedded, stop_answers_every_call_in_flight_and_later_calls_at_once) {
  start();
  const auto alice = session(ordo::role::customer, "alice");
  std::atomic<int> answered{0};
  std::atomic<int> succeeded{0};
  constexpr int calls = 500;
  for (int i = 0; i < calls; ++i)
    e->call(alice, place_request{"k-" + std::to_string(i), {{"A", 1, 1'000}}},
            [&](result<reply_body> r) {
              if (r)
                ++succeeded;
              else
                EXPECT_EQ(r.error().code, errc::unavailable) << r.error().message;
              ++answered;
            });
  e->stop();
  for (int i = 0; i < 500 && answered.load() < calls; ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(answered.load(), calls);
  auto after = e->place(alice, {"k-late", {{"A", 1, 1'000}}});
  ASSERT_EQ(after.wait_for(1s), std::future_status::ready);
  EXPECT_EQ(after.get().error().code, errc::unavailable);
  e.reset();
  // Nothing acknowledged is lost: every success is in Redis.
  start();
  const auto again = session(ordo::role::customer, "alice");
  auto listed = ready(e->list(again, {100, std::nullopt}));
  ASSERT_TRUE(listed.ok());
  EXPECT_GE(static_cast<int>(listed->size()), std::min(succeeded.load(), 100));
}

TEST_F(embedded, a_subscription_receives_pushes_until_it_is_dropped) {
  start();
  const auto alice = session(ordo::role::customer, "alice");
  std::mutex mutex;
  std::vector<order> pushed;
  auto sub = ready(e->subscribe(alice, [&](const order& o) {
    std::lock_guard<std::mutex> guard{mutex};
    pushed.push_back(o);
  }));
  ASSERT_TRUE(sub.ok()) << sub.error().message;
  auto placed = ready(e->place(alice, {"k-1", {{"A", 1, 1'000}}}));
  await_status(alice, placed->id, order_status::paid);
  for (int i = 0; i < 1000; ++i) {
    {
      std::lock_guard<std::mutex> guard{mutex};
      if (pushed.size() >= 2)
        break;
    }
    std::this_thread::sleep_for(10ms);
  }
  {
    std::lock_guard<std::mutex> guard{mutex};
    ASSERT_GE(pushed.size(), 2u);
    EXPECT_EQ(pushed[0].status, order_status::pending_payment);
    EXPECT_EQ(pushed[1].status, order_status::paid);
  }
  { auto dropped = std::move(*sub); }
  std::this_thread::sleep_for(100ms);
  std::size_t before = 0;
  {
    std::lock_guard<std::mutex> guard{mutex};
    before = pushed.size();
  }
  ready(e->cancel(alice, {placed->id, "k-c", std::nullopt}));
  std::this_thread::sleep_for(200ms);
  std::lock_guard<std::mutex> guard{mutex};
  EXPECT_EQ(pushed.size(), before);
}

TEST_F(embedded, a_subscription_moved_onto_a_live_one_ends_that_one_and_carries_its_own) {
  start();
  const auto alice = session(ordo::role::customer, "alice");
  const auto bob = session(ordo::role::customer, "bob");
  std::mutex mutex;
  std::vector<std::string> heard; // customers whose pushes arrived
  auto listen = [&](const order& o) {
    std::lock_guard<std::mutex> guard{mutex};
    heard.push_back(o.customer);
  };
  auto target = ready(e->subscribe(alice, listen));
  auto source = ready(e->subscribe(bob, listen));
  ASSERT_TRUE(target.ok() && source.ok());
  *target = std::move(*source); // alice's subscription ends; bob's lives on in `target`
  { auto emptied = std::move(*source); } // moved-from: dropping it ends nothing
  auto alices = ready(e->place(alice, {"k-a", {{"A", 1, 1'000}}}));
  auto bobs = ready(e->place(bob, {"k-b", {{"B", 1, 1'000}}}));
  ASSERT_TRUE(alices.ok() && bobs.ok());
  await_status(alice, alices->id, order_status::paid);
  await_status(bob, bobs->id, order_status::paid);
  for (int i = 0; i < 1000; ++i) {
    {
      std::lock_guard<std::mutex> guard{mutex};
      if (std::count(heard.begin(), heard.end(), "bob") >= 2)
        break;
    }
    std::this_thread::sleep_for(10ms);
  }
  std::lock_guard<std::mutex> guard{mutex};
  EXPECT_EQ(std::count(heard.begin(), heard.end(), "bob"), 2);
  EXPECT_EQ(std::count(heard.begin(), heard.end(), "alice"), 0);
}

TEST_F(embedded, an_embedded_engine_and_ordod_share_one_redis_as_one_engine) {
  start();
  test::ordod_process ordod{redis.address()};
  auto tcp = client::connect("127.0.0.1", ordod.port());
  ASSERT_TRUE(tcp.ok());
  ASSERT_TRUE(tcp->call_as<session_result>(hello_request{token(ordo::role::customer, "alice")}).ok());
  const auto alice = session(ordo::role::customer, "alice");
  // The embedded engine has no address, so ordod serves every tag and it forwards to ordod.
  auto in_process = ready(e->place(alice, {"k-1", {{"A", 1, 1'000}}}));
  ASSERT_TRUE(in_process.ok()) << in_process.error().message;
  auto seen_by_tcp = tcp->call_as<order_result>(get_request{in_process->id});
  ASSERT_TRUE(seen_by_tcp.ok()) << seen_by_tcp.error().message;
  EXPECT_EQ(seen_by_tcp->order.id, in_process->id);
  auto over_tcp = tcp->call_as<order_result>(place_request{"k-2", {{"B", 1, 2'000}}});
  ASSERT_TRUE(over_tcp.ok());
  auto seen_in_process = ready(e->get(alice, over_tcp->order.id));
  ASSERT_TRUE(seen_in_process.ok()) << seen_in_process.error().message;
  EXPECT_EQ(seen_in_process->lines[0].sku, "B");
  // The same idempotency key means the same order, whichever door it came through.
  auto replayed = ready(e->place(alice, {"k-2", {{"B", 1, 2'000}}}));
  ASSERT_TRUE(replayed.ok()) << replayed.error().message;
  EXPECT_EQ(replayed->id, over_tcp->order.id);
}

// The node serving `customer`'s tag now, as its lease in Redis names it ("" while free).
std::string lease_owner(const test::redis_server& redis, const std::string& customer) {
  auto owner = redis.cli({"HGET", "it:{" + domain::customer_tag(customer) + "}lease", "o"});
  return owner.substr(0, owner.find('#'));
}

TEST_F(embedded, with_a_node_address_an_embedded_engine_serves_tags_of_its_own) {
  opts.node = "embedded-a";
  opts.node_listen = "127.0.0.1:" + std::to_string(test::free_loopback_port());
  start();
  test::ordod_process ordod{redis.address()};
  std::string of_ordod;
  std::string of_embedded;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  for (int i = 0; (of_ordod.empty() || of_embedded.empty()) &&
                  std::chrono::steady_clock::now() < deadline;
       i = (i + 1) % 64) {
    const auto customer = "c" + std::to_string(i);
    const auto owner = lease_owner(redis, customer);
    if (owner == ordod.address())
      of_ordod = customer;
    else if (owner == "embedded-a")
      of_embedded = customer;
  }
  ASSERT_FALSE(of_ordod.empty() || of_embedded.empty());
  // Each door serves both customers: what the other node owns is forwarded there.
  for (const auto& customer : {of_ordod, of_embedded}) {
    auto tcp = client::connect("127.0.0.1", ordod.port());
    ASSERT_TRUE(tcp.ok());
    ASSERT_TRUE(tcp->call_as<session_result>(hello_request{token(ordo::role::customer, customer)}).ok());
    auto over_tcp = tcp->call_as<order_result>(place_request{"k-t", {{"B", 1, 2'000}}});
    ASSERT_TRUE(over_tcp.ok()) << customer << ": " << over_tcp.error().message;
    const auto mine = session(ordo::role::customer, customer);
    auto in_process = ready(e->place(mine, {"k-e", {{"A", 1, 1'000}}}));
    ASSERT_TRUE(in_process.ok()) << customer << ": " << in_process.error().message;
    auto seen = ready(e->get(mine, over_tcp->order.id));
    ASSERT_TRUE(seen.ok()) << seen.error().message;
    auto seen_by_tcp = tcp->call_as<order_result>(get_request{in_process->id});
    ASSERT_TRUE(seen_by_tcp.ok()) << seen_by_tcp.error().message;
  }
}

} // namespace
} // namespace ordo
