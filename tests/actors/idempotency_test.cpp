// Idempotency keys (docs/DOMAIN.md): the same key and request returns the original reply,
// the same key with another request is conflict, and only a success records its key.

#include "actor_fixture.hpp"

namespace ordo::actors::test {
namespace {

using idempotency = actor_fixture;

TEST_F(idempotency, a_retried_place_returns_the_original_order_and_creates_nothing) {
  const auto alice = login("alice");
  const auto first = place(alice, {{"A", 1, 10'000}}, "k-1");
  advance(payment.latency);
  const auto retry = call(alice, place_request{"k-1", {{"A", 1, 10'000}}});
  ASSERT_TRUE(retry.ok()) << retry.error.message;
  EXPECT_EQ(retry.order(), first); // the reply as it was then, not the paid order
  EXPECT_EQ(data->orders.size(), 1u);
  EXPECT_EQ(resident_orders(), 1u);
}

TEST_F(idempotency, concurrent_places_with_one_key_create_one_order) {
  const auto alice = login("alice");
  auto a = send(alice, place_request{"k-1", {{"A", 1, 10'000}}});
  auto b = send(alice, place_request{"k-1", {{"A", 1, 10'000}}});
  run();
  ASSERT_TRUE(a->ok()) << a->error.message;
  ASSERT_TRUE(b->ok()) << b->error.message;
  EXPECT_EQ(a->order().id, b->order().id);
  EXPECT_EQ(data->orders.size(), 1u);
}

TEST_F(idempotency, the_same_key_with_another_request_is_conflict) {
  const auto alice = login("alice");
  place(alice, {{"A", 1, 10'000}}, "k-1");
  const auto other = call(alice, place_request{"k-1", {{"A", 2, 10'000}}});
  EXPECT_EQ(other.code(), errc::conflict);
  EXPECT_EQ(data->orders.size(), 1u);
}

TEST_F(idempotency, keys_belong_to_one_customer) {
  const auto alice = login("alice");
  const auto bob = login("bob");
  const auto mine = place(alice, {{"A", 1, 10'000}}, "k-1");
  const auto theirs = place(bob, {{"A", 1, 10'000}}, "k-1");
  EXPECT_NE(mine.id, theirs.id);
  EXPECT_EQ(theirs.customer, "bob");
}

TEST_F(idempotency, a_failed_request_records_nothing_and_may_be_sent_again) {
  const auto alice = login("alice");
  data->down = true;
  EXPECT_EQ(call(alice, place_request{"k-1", {{"A", 1, 10'000}}}).code(), errc::unavailable);
  data->down = false;
  EXPECT_TRUE(data->idem_keys.empty());
  const auto retried = call(alice, place_request{"k-1", {{"A", 1, 10'000}}});
  ASSERT_TRUE(retried.ok()) << retried.error.message;
  EXPECT_EQ(data->orders.size(), 1u);
}

TEST_F(idempotency, a_retried_cancel_returns_the_original_reply_instead_of_invalid_state) {
  const auto alice = login("alice");
  const auto placed = place(alice, {{"A", 1, 10'000}});
  advance(payment.latency);
  const auto first = call(alice, cancel_request{placed.id, "k-c", std::nullopt});
  ASSERT_TRUE(first.ok());
  const auto retry = call(alice, cancel_request{placed.id, "k-c", std::nullopt});
  ASSERT_TRUE(retry.ok()) << retry.error.message;
  EXPECT_EQ(retry.order(), first.order());
  EXPECT_EQ(data->orders.at(placed.id).order.version, 3u);
}

TEST_F(idempotency, a_retried_partial_cancel_is_not_applied_twice) {
  const auto alice = login("alice");
  const auto placed = place(alice, {{"A", 5, 10'000}});
  advance(payment.latency);
  const cancel_request one{placed.id, "k-c", std::vector<line_quantity>{{"A", 1}}};
  const auto first = call(alice, one);
  const auto retry = call(alice, one);
  ASSERT_TRUE(retry.ok()) << retry.error.message;
  EXPECT_EQ(retry.order(), first.order());
  EXPECT_EQ(data->orders.at(placed.id).order.lines[0].cancelled, 1u);
}

TEST_F(idempotency, a_refused_command_does_not_record_its_key) {
  const auto alice = login("alice");
  const auto placed = place(alice, {{"A", 1, 10'000}});
  advance(payment.latency);
  EXPECT_EQ(call(alice, return_request{placed.id, "k-r", std::nullopt}).code(),
            errc::invalid_state);
  EXPECT_FALSE(data->idem_keys.count({"alice", "k-r"}));
}

} // namespace
} // namespace ordo::actors::test
