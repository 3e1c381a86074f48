// Sessions: hello with a token (HMAC, expiry), resume across passivation, roles
// (forbidden), membership recorded on the order at placement.

#include "actor_fixture.hpp"

#include "auth/secure_random.hpp"
#include "auth/token.hpp"

namespace ordo::actors::test {
namespace {

using session = actor_fixture;

TEST_F(session, hello_with_a_valid_token_opens_a_session) {
  auto out = hello_outcome(token(ordo::role::customer, "alice", 600));
  run();
  ASSERT_TRUE(out->ok()) << out->error.message;
  const auto& result = std::get<session_result>(*out->reply);
  EXPECT_EQ(result.subject, "alice");
  EXPECT_EQ(result.role, ordo::role::customer);
  EXPECT_EQ(result.expires_at, (t0 / 1000 + 600) * 1000);
  EXPECT_EQ(result.session.size(), 32u);
  EXPECT_TRUE(data->sessions.count(result.session));
}

TEST_F(session, hello_with_a_bad_mac_is_unauthenticated) {
  auto tok = token(ordo::role::customer, "alice");
  tok.back() = tok.back() == '0' ? '1' : '0';
  auto out = hello_outcome(tok);
  run();
  EXPECT_EQ(out->code(), errc::unauthenticated);
  EXPECT_TRUE(data->sessions.empty());
}

TEST_F(session, hello_with_a_token_signed_by_another_key_is_unauthenticated) {
  auto out = hello_outcome(auth::mint_token(ordo::role::operator_, "mallory", now / 1000 + 60, "other"));
  run();
  EXPECT_EQ(out->code(), errc::unauthenticated);
}

TEST_F(session, hello_with_an_expired_token_is_unauthenticated) {
  auto out = hello_outcome(token(ordo::role::customer, "alice", -1));
  run();
  EXPECT_EQ(out->code(), errc::unauthenticated);
  EXPECT_NE(out->error.message.find("expired"), std::string::npos);
}

TEST_F(session, hello_with_a_malformed_token_is_unauthenticated) {
  for (const char* bad : {"customer", "customer.alice", "admin.alice.9999999999.00",
                          "customer.al ice.9999999999.00", "customer.alice.soon.00"}) {
    auto out = hello_outcome(bad);
    run();
    EXPECT_EQ(out->code(), errc::unauthenticated) << bad;
  }
}

TEST_F(session, resume_returns_the_same_session) {
  const auto alice = login("alice");
  const auto resumed = call(alice, resume_request{alice});
  ASSERT_TRUE(resumed.ok()) << resumed.error.message;
  EXPECT_EQ(std::get<session_result>(*resumed.reply).subject, "alice");
}

TEST_F(session, resume_of_an_unknown_session_is_unauthenticated) {
  const auto id = auth::make_session_id();
  EXPECT_EQ(call(id, resume_request{id}).code(), errc::unauthenticated);
  EXPECT_EQ(call(id, get_request{"x"}).code(), errc::unauthenticated);
}

TEST_F(session, a_session_survives_passivation_through_the_store) {
  const auto alice = login("alice");
  const auto placed = place(alice, {{"A", 1, 10'000}});
  advance(ctx.passivate_after * 2);
  const auto got = call(alice, get_request{placed.id});
  ASSERT_TRUE(got.ok()) << got.error.message;
  EXPECT_EQ(got.order().id, placed.id);
}

TEST_F(session, an_expired_session_is_unauthenticated) {
  auto out = hello_outcome(token(ordo::role::customer, "alice", 60));
  run();
  ASSERT_TRUE(out->ok());
  const auto id = std::get<session_result>(*out->reply).session;
  EXPECT_TRUE(call(id, list_request{}).ok());
  advance(std::chrono::milliseconds{61'000});
  EXPECT_EQ(call(id, list_request{}).code(), errc::unauthenticated);
}

TEST_F(session, customers_may_not_use_operator_ops) {
  const auto alice = login("alice");
  const auto placed = place(alice, {{"A", 1, 10'000}});
  advance(payment.latency);
  EXPECT_EQ(call(alice, ship_request{placed.id, "T"}).code(), errc::forbidden);
  EXPECT_EQ(call(alice, deliver_request{placed.id}).code(), errc::forbidden);
  EXPECT_EQ(call(alice, refund_request{placed.id}).code(), errc::forbidden);
  EXPECT_EQ(data->orders.at(placed.id).order.status, order_status::paid);
}

TEST_F(session, operators_may_not_use_customer_ops) {
  const auto ops = login("ops", ordo::role::operator_);
  EXPECT_EQ(call(ops, place_request{"k", {{"A", 1, 1}}}).code(), errc::forbidden);
  EXPECT_EQ(call(ops, list_request{}).code(), errc::forbidden);
  EXPECT_EQ(call(ops, cancel_request{"o", "k", std::nullopt}).code(), errc::forbidden);
  EXPECT_EQ(call(ops, return_request{"o", "k", std::nullopt}).code(), errc::forbidden);
  EXPECT_EQ(call(ops, membership_request{true}).code(), errc::forbidden);
  EXPECT_EQ(call(ops, subscribe_request{}).code(), errc::forbidden);
  EXPECT_TRUE(data->orders.empty());
}

TEST_F(session, ping_needs_no_session) {
  const auto id = auth::make_session_id();
  EXPECT_TRUE(std::holds_alternative<pong_result>(*call(id, ping_request{}).reply));
}

TEST_F(session, membership_is_recorded_on_the_order_when_placed) {
  const auto alice = login("alice");
  const auto member = call(alice, membership_request{true});
  ASSERT_TRUE(member.ok());
  EXPECT_TRUE(std::get<membership_result>(*member.reply).member);
  const auto as_member = place(alice, {{"A", 1, 10'000}}, "k-1");
  EXPECT_EQ(as_member.shipping_fee, 0);
  call(alice, membership_request{false});
  const auto as_non_member = place(alice, {{"A", 1, 10'000}}, "k-2");
  EXPECT_EQ(as_non_member.shipping_fee, 3'000);
  EXPECT_TRUE(data->orders.at(as_member.id).member);
  EXPECT_FALSE(data->orders.at(as_non_member.id).member);
}

TEST_F(session, membership_set_in_one_session_applies_in_another) {
  const auto first = login("alice");
  const auto second = login("alice");
  call(first, membership_request{true});
  EXPECT_EQ(place(second, {{"A", 1, 10'000}}).shipping_fee, 0);
}

TEST_F(session, a_session_that_cached_the_membership_places_at_the_changed_one) {
  const auto first = login("alice");
  const auto second = login("alice");
  EXPECT_EQ(place(second, {{"A", 1, 10'000}}, "k-1").shipping_fee, 3'000);
  call(first, membership_request{true});
  const auto after = place(second, {{"A", 1, 10'000}}, "k-2");
  EXPECT_EQ(after.shipping_fee, 0);
  EXPECT_TRUE(data->orders.at(after.id).member);
  data->members["alice"] = false; // changed by another engine process
  EXPECT_EQ(place(first, {{"A", 1, 10'000}}, "k-3").shipping_fee, 3'000);
  EXPECT_EQ(data->orders.size(), 3u);
}

TEST_F(session, the_store_down_at_hello_is_unavailable) {
  ctx.store_timeout = std::chrono::milliseconds{100};
  tree();
  data->down = true;
  auto out = hello_outcome(token(ordo::role::customer, "alice"));
  run();
  EXPECT_EQ(out->code(), errc::unavailable);
}

} // namespace
} // namespace ordo::actors::test
