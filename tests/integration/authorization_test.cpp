// The authorization matrix over TCP: every op against every kind of caller, with the code
// docs/PROTOCOL.md requires in every cell, each op tried on an order in a state where it would
// succeed for the right caller (so a refusal can only come from who asks). Then the
// cross-customer checks: no read or write of another customer's order anywhere, including
// list, subscribe pushes and idempotency keys.

#include "gateway_fixture.hpp"

#include <map>
#include <optional>
#include <thread>

namespace ordo::test {
namespace {

enum class caller { none, expired_token, bad_mac, expired_session, owner, other_customer, operator_ };

const char* name_of(caller c) {
  switch (c) {
    case caller::none: return "no session";
    case caller::expired_token: return "expired token";
    case caller::bad_mac: return "bad MAC";
    case caller::expired_session: return "expired session";
    case caller::owner: return "owner";
    case caller::other_customer: return "other customer";
    case caller::operator_: return "operator";
  }
  return "?";
}

// What each caller gets for each op. Callers without a live session get unauthenticated
// for everything but hello, resume and ping.
constexpr std::optional<errc> ok = std::nullopt;
const std::map<std::string, std::map<caller, std::optional<errc>>> expected = {
  {"place", {{caller::owner, ok}, {caller::other_customer, ok}, {caller::operator_, errc::forbidden}}},
  {"get", {{caller::owner, ok}, {caller::other_customer, errc::not_found}, {caller::operator_, ok}}},
  {"list", {{caller::owner, ok}, {caller::other_customer, ok}, {caller::operator_, errc::forbidden}}},
  {"cancel", {{caller::owner, ok}, {caller::other_customer, errc::not_found}, {caller::operator_, errc::forbidden}}},
  {"ship", {{caller::owner, errc::forbidden}, {caller::other_customer, errc::forbidden}, {caller::operator_, ok}}},
  {"deliver", {{caller::owner, errc::forbidden}, {caller::other_customer, errc::forbidden}, {caller::operator_, ok}}},
  {"return", {{caller::owner, ok}, {caller::other_customer, errc::not_found}, {caller::operator_, errc::forbidden}}},
  {"refund", {{caller::owner, errc::forbidden}, {caller::other_customer, errc::forbidden}, {caller::operator_, ok}}},
  {"membership", {{caller::owner, ok}, {caller::other_customer, ok}, {caller::operator_, errc::forbidden}}},
  {"subscribe", {{caller::owner, ok}, {caller::other_customer, ok}, {caller::operator_, errc::forbidden}}},
};

class authorization : public gateway_fixture {
protected:
  authorization() : alice(login("alice")), ops(login("ops", role::operator_)) {}

  // A connection as `who` (alice is the owner of every order the matrix uses).
  client as(caller who) {
    switch (who) {
      case caller::none:
        return connect();
      case caller::expired_token:
      case caller::bad_mac: {
        auto c = connect();
        const auto t = who == caller::expired_token ? token(role::customer, "alice", -10)
                                                    : token(role::customer, "alice", 3600, "another-key");
        EXPECT_EQ(code_of(c.call(hello_request{t})), errc::unauthenticated) << name_of(who);
        return c;
      }
      case caller::expired_session: {
        auto c = connect();
        EXPECT_TRUE(c.call(hello_request{token(role::customer, "alice", 1)}).ok());
        // The token's expiry second must pass.
        std::this_thread::sleep_for(std::chrono::milliseconds{
          1'000 - unix_now_ms() % 1'000 + 1'050});
        return c;
      }
      case caller::owner: return login("alice");
      case caller::other_customer: return login("bob");
      case caller::operator_: return login("ops", role::operator_);
    }
    return connect();
  }

  // An order of alice's in the state where `op` applies, at rest (its payment applied, so
  // that nothing but the op under test could move its version); its id.
  std::string order_for(const std::string& op) {
    const auto o = place(alice, {{"A", 2, 10'000}}, "seed-" + std::to_string(++seeds));
    await_status(alice, o.id, order_status::paid);
    if (op == "place" || op == "get" || op == "list" || op == "membership" || op == "subscribe" ||
        op == "cancel" || op == "ship")
      return o.id;
    EXPECT_TRUE(ops.call(ship_request{o.id, "T-1"}).ok());
    if (op == "deliver")
      return o.id;
    EXPECT_TRUE(ops.call(deliver_request{o.id}).ok());
    if (op == "return")
      return o.id;
    EXPECT_TRUE(alice.call(return_request{o.id, "r-" + o.id, std::nullopt}).ok());
    return o.id; // refund
  }

  request_body request(const std::string& op, const std::string& id) {
    const auto idem = "m-" + std::to_string(++seeds);
    if (op == "place") return place_request{idem, {{"B", 1, 5'000}}};
    if (op == "get") return get_request{id};
    if (op == "list") return list_request{20, std::nullopt};
    if (op == "cancel") return cancel_request{id, idem, std::nullopt};
    if (op == "ship") return ship_request{id, "T-2"};
    if (op == "deliver") return deliver_request{id};
    if (op == "return") return return_request{id, idem, std::nullopt};
    if (op == "refund") return refund_request{id};
    if (op == "membership") return membership_request{true};
    return subscribe_request{};
  }

  client alice;
  client ops;
  int seeds = 0;
};

TEST_F(authorization, every_op_for_every_caller_gets_the_code_the_spec_requires) {
  for (const auto who : {caller::none, caller::expired_token, caller::bad_mac, caller::owner,
                         caller::other_customer, caller::operator_}) {
    auto c = as(who);
    for (const auto& [op, codes] : expected) {
      const auto id = order_for(op);
      const auto version_before = alice.call_as<order_result>(get_request{id})->order.version;
      const auto r = c.call(request(op, id));
      const auto want = codes.count(who) ? codes.at(who) : errc::unauthenticated;
      if (!want) {
        EXPECT_TRUE(r.ok()) << op << " by " << name_of(who) << ": " << r.error().message;
        continue;
      }
      EXPECT_EQ(code_of(r), *want) << op << " by " << name_of(who) << ": "
                                  << (r.ok() ? "succeeded" : r.error().message);
      // A refused op changed nothing.
      EXPECT_EQ(alice.call_as<order_result>(get_request{id})->order.version, version_before)
        << op << " by " << name_of(who);
    }
  }
}

TEST_F(authorization, an_expired_session_is_unauthenticated_for_every_op) {
  auto c = as(caller::expired_session);
  const auto id = order_for("get");
  for (const auto& [op, codes] : expected)
    EXPECT_EQ(code_of(c.call(request(op, id))), errc::unauthenticated) << op;
  EXPECT_TRUE(c.call(ping_request{}).ok());
}

TEST_F(authorization, no_customer_reads_or_writes_another_customers_orders_anywhere) {
  auto bob = login("bob");
  const auto mine = place(alice, {{"A", 1, 10'000}}, "shared-key");
  // The same idempotency key from another customer is another customer's key.
  const auto theirs = place(bob, {{"A", 1, 10'000}}, "shared-key");
  EXPECT_NE(theirs.id, mine.id);
  EXPECT_EQ(theirs.customer, "bob");
  auto again = alice.call_as<order_result>(place_request{"shared-key", {{"A", 1, 10'000}}});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->order.id, mine.id);
  // list shows only one's own, also when paging from another's id.
  for (const auto& before : {std::optional<std::string>{}, std::optional<std::string>{mine.id}}) {
    auto page = bob.call_as<orders_result>(list_request{100, before});
    ASSERT_TRUE(page.ok());
    for (const auto& o : page->orders)
      EXPECT_EQ(o.customer, "bob");
  }
  // A subscriber hears of its own orders only.
  auto watcher = login("bob");
  ASSERT_TRUE(watcher.call(subscribe_request{}).ok());
  await_status(alice, mine.id, order_status::paid);
  ASSERT_TRUE(alice.call(cancel_request{mine.id, "c-1", std::nullopt}).ok());
  const auto own = place(bob, {{"B", 1, 1'000}}, "k-own");
  bool heard_own = false;
  for (int i = 0; i < 50 && !heard_own; ++i) {
    auto m = watcher.receive(std::chrono::milliseconds{100});
    if (!m)
      continue;
    if (const auto* push = std::get_if<order_push>(&*m)) {
      EXPECT_EQ(push->order.customer, "bob") << push->order.id;
      heard_own = heard_own || push->order.id == own.id;
    }
  }
  EXPECT_TRUE(heard_own);
  // Writes with another's order id change nothing.
  const auto version = alice.call_as<order_result>(get_request{mine.id})->order.version;
  EXPECT_EQ(code_of(bob.call(cancel_request{mine.id, "x-1", std::nullopt})), errc::not_found);
  EXPECT_EQ(code_of(bob.call(return_request{mine.id, "x-2", std::nullopt})), errc::not_found);
  EXPECT_EQ(alice.call_as<order_result>(get_request{mine.id})->order.version, version);
}

} // namespace
} // namespace ordo::test
