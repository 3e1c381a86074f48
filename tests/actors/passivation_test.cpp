// Virtual order actors: passivated when idle or beyond the resident bound (least recently
// used first), parked compactly in their shard, reactivated transparently with their state
// intact, never while busy.

#include "actor_fixture.hpp"

#include "domain/order_aggregate.hpp"

namespace ordo::actors::test {
namespace {

class passivation : public actor_fixture {
protected:
  // An order of the session's customer, paid, then idle past passivate-after.
  ordo::order idle_order(const std::string& session) {
    const auto placed = place(session, {{"A", 3, 10'000}}, "k-1");
    advance(std::chrono::milliseconds{3});
    advance(ctx.passivate_after * 2);
    return placed;
  }
};

TEST_F(passivation, idle_orders_are_passivated_after_the_idle_time) {
  ctx.passivate_after = std::chrono::milliseconds{60'000};
  const auto alice = login("alice");
  place(alice, {{"A", 1, 10'000}}, "k-1");
  place(alice, {{"B", 1, 10'000}}, "k-2");
  advance(std::chrono::milliseconds{3});
  EXPECT_EQ(resident_orders(), 2u);
  advance(std::chrono::milliseconds{30'000});
  EXPECT_EQ(resident_orders(), 2u);
  advance(std::chrono::milliseconds{45'000});
  EXPECT_EQ(resident_orders(), 0u);
}

TEST_F(passivation, a_passivated_order_comes_back_with_its_state_intact) {
  const auto alice = login("alice");
  const auto placed = place(alice, {{"A", 3, 10'000}});
  advance(std::chrono::milliseconds{3});
  const auto cancelled =
    call(alice, cancel_request{placed.id, "k-c", std::vector<line_quantity>{{"A", 1}}}).order();
  advance(ctx.passivate_after * 2);
  ASSERT_EQ(resident_orders(), 0u);
  const auto got = call(alice, get_request{placed.id});
  ASSERT_TRUE(got.ok()) << got.error.message;
  EXPECT_EQ(got.order(), cancelled);
  EXPECT_EQ(resident_orders(), 1u);
  const auto next = call(alice, cancel_request{placed.id, "k-d", std::vector<line_quantity>{{"A", 1}}});
  EXPECT_EQ(next.order().version, cancelled.version + 1);
}

TEST_F(passivation, a_passivated_order_is_parked_and_comes_back_without_a_store_read) {
  const auto alice = login("alice");
  const auto placed = idle_order(alice);
  ASSERT_EQ(resident_orders(), 0u);
  EXPECT_EQ(parked_orders(), 1u);
  const auto loads = data->loads;
  const auto got = call(alice, get_request{placed.id});
  ASSERT_TRUE(got.ok()) << got.error.message;
  EXPECT_EQ(got.order(), data->orders.at(placed.id).order);
  EXPECT_EQ(data->loads, loads);
  EXPECT_EQ(parked_orders(), 0u);
  const auto cancelled = call(alice, cancel_request{placed.id, "k-c", std::vector<line_quantity>{{"A", 1}}});
  ASSERT_TRUE(cancelled.ok()) << cancelled.error.message;
  EXPECT_EQ(data->orders.at(placed.id).order, cancelled.order());
}

TEST_F(passivation, beyond_the_parked_bound_a_passivated_order_is_read_from_the_store_again) {
  ctx.max_parked_per_shard = 0;
  const auto alice = login("alice");
  const auto placed = idle_order(alice);
  ASSERT_EQ(resident_orders(), 0u);
  EXPECT_EQ(parked_orders(), 0u);
  const auto loads = data->loads;
  EXPECT_EQ(call(alice, get_request{placed.id}).order(), data->orders.at(placed.id).order);
  EXPECT_EQ(data->loads, loads + 1);
}

TEST_F(passivation, parked_orders_beyond_the_bound_are_dropped_and_the_rest_kept) {
  shards = 1;
  ctx.max_parked_per_shard = 3;
  const auto alice = login("alice");
  for (int i = 0; i < 40; ++i)
    place(alice, {{"A", 1, 10'000}}, "k-" + std::to_string(i));
  advance(std::chrono::milliseconds{3});
  advance(ctx.passivate_after * 2);
  EXPECT_EQ(resident_orders(), 0u);
  EXPECT_EQ(parked_orders(), 3u);
}

TEST_F(passivation, the_figures_follow_activation_passivation_and_the_parked_bound) {
  shards = 1;
  ctx.max_parked_per_shard = 3;
  ctx.metrics = std::make_shared<actor_metrics>();
  const auto& orders = ctx.metrics->of(actor_kind::order);
  const auto alice = login("alice");
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(place(alice, {{"A", 1, 10'000}}, "k-" + std::to_string(i)).id);
  advance(std::chrono::milliseconds{3});
  EXPECT_EQ(orders.resident, 5);
  EXPECT_EQ(orders.activations, 5u);
  EXPECT_EQ(ctx.metrics->of(actor_kind::session).resident, 1);
  advance(ctx.passivate_after * 2);
  EXPECT_EQ(orders.resident, 0);
  EXPECT_EQ(orders.passivations, 5u);
  EXPECT_EQ(orders.parked, static_cast<std::int64_t>(parked_orders()));
  EXPECT_EQ(orders.parked, 3);
  for (const auto& id : ids)
    ASSERT_TRUE(call(alice, get_request{id}).ok());
  EXPECT_EQ(orders.resident, 5);
  EXPECT_EQ(orders.parked, 0);
  EXPECT_EQ(orders.activations, 10u);
}

TEST_F(passivation, a_parked_order_changed_elsewhere_meets_the_version_check_then_catches_up) {
  const auto alice = login("alice");
  const auto placed = idle_order(alice);
  ASSERT_EQ(parked_orders(), 1u);
  // Another engine cancels one unit meanwhile.
  auto& stored = data->orders.at(placed.id);
  auto e = domain::decide(stored, domain::cancel_order{std::vector<line_quantity>{{"A", 1}}}, t0);
  ASSERT_TRUE(e.ok());
  stored = domain::apply_event(stored, *e);
  const auto stale = call(alice, cancel_request{placed.id, "k-c", std::vector<line_quantity>{{"A", 1}}});
  EXPECT_EQ(stale.code(), errc::conflict);
  const auto retried = call(alice, cancel_request{placed.id, "k-d", std::vector<line_quantity>{{"A", 1}}});
  ASSERT_TRUE(retried.ok()) << retried.error.message;
  EXPECT_EQ(retried.order().version, stored.order.version);
  EXPECT_EQ(retried.order().lines[0].cancelled, 2);
}

TEST_F(passivation, a_sweep_passivates_every_idle_order_however_many_in_batches) {
  shards = 1;
  const auto alice = login("alice");
  for (int i = 0; i < 1'200; ++i) // more than two sweep batches
    place(alice, {{"A", 1, 10'000}}, "k-" + std::to_string(i));
  advance(std::chrono::milliseconds{3});
  ASSERT_EQ(resident_orders(), 1'200u);
  // One periodic sweep finds them idle; its batches follow one another at once.
  advance(ctx.passivate_after + ctx.passivate_after / 4 + std::chrono::milliseconds{1});
  EXPECT_EQ(resident_orders(), 0u);
  EXPECT_EQ(parked_orders(), 1'200u);
}

TEST_F(passivation, orders_used_recently_stay_resident) {
  ctx.passivate_after = std::chrono::milliseconds{60'000};
  const auto alice = login("alice");
  const auto kept = place(alice, {{"A", 1, 10'000}}, "k-1");
  place(alice, {{"B", 1, 10'000}}, "k-2");
  advance(std::chrono::milliseconds{40'000});
  call(alice, get_request{kept.id});
  advance(std::chrono::milliseconds{40'000});
  EXPECT_EQ(resident_orders(), 1u);
}

TEST_F(passivation, beyond_the_bound_the_least_recently_used_order_is_passivated) {
  shards = 1;
  ctx.max_resident_per_shard = 2;
  const auto alice = login("alice");
  const auto a = place(alice, {{"A", 1, 10'000}}, "k-1");
  advance(std::chrono::milliseconds{3});
  const auto b = place(alice, {{"B", 1, 10'000}}, "k-2");
  advance(std::chrono::milliseconds{3});
  call(alice, get_request{a.id}); // b is now the least recently used
  const auto c = place(alice, {{"C", 1, 10'000}}, "k-3");
  advance(std::chrono::milliseconds{3});
  EXPECT_EQ(resident_orders(), 2u);
  // b comes back on use, pushing out the least recent again.
  const auto got = call(alice, get_request{b.id});
  ASSERT_TRUE(got.ok()) << got.error.message;
  EXPECT_EQ(got.order().status, order_status::paid);
  EXPECT_EQ(resident_orders(), 2u);
  EXPECT_TRUE(call(alice, get_request{c.id}).ok());
}

TEST_F(passivation, an_order_waiting_for_payment_is_not_passivated) {
  shards = 1;
  ctx.max_resident_per_shard = 1;
  payment.latency = std::chrono::milliseconds{5'000};
  const auto alice = login("alice");
  const auto a = place(alice, {{"A", 1, 10'000}}, "k-1");
  place(alice, {{"B", 1, 10'000}}, "k-2");
  EXPECT_EQ(resident_orders(), 2u);
  advance(std::chrono::milliseconds{5'000});
  EXPECT_EQ(call(alice, get_request{a.id}).order().status, order_status::paid);
}

TEST_F(passivation, requests_arriving_during_a_passivation_are_served) {
  const auto alice = login("alice");
  const auto placed = place(alice, {{"A", 1, 10'000}});
  advance(std::chrono::milliseconds{3});
  // The sweep asks the actor to go; a request sent in the same instant must still land.
  now += ctx.passivate_after.count() + 1;
  auto got = send(alice, get_request{placed.id});
  advance(ctx.passivate_after);
  ASSERT_TRUE(got->ok()) << got->error.message;
  EXPECT_EQ(got->order().id, placed.id);
}

} // namespace
} // namespace ordo::actors::test
