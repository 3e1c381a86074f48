// The order actor through its session and directory: the lifecycle, one command at a time,
// the ack rule (a refused or unconfirmed write leaves the state where it was), fencing,
// activation from the store, ownership.

#include "actor_fixture.hpp"

#include "domain/order_aggregate.hpp"

namespace ordo::actors::test {
namespace {

using order_actor = actor_fixture;

TEST_F(order_actor, place_replies_the_pending_order_and_payment_makes_it_paid) {
  const auto alice = login("alice");
  const auto placed = place(alice, {{"A", 2, 5'000}});
  EXPECT_EQ(placed.status, order_status::pending_payment);
  EXPECT_EQ(placed.customer, "alice");
  EXPECT_EQ(placed.total, 13'000);
  EXPECT_EQ(placed.version, 1u);
  EXPECT_EQ(placed.created_at, t0);
  advance(std::chrono::milliseconds{3});
  const auto got = call(alice, get_request{placed.id});
  ASSERT_TRUE(got.ok()) << got.error.message;
  EXPECT_EQ(got.order().status, order_status::paid);
  EXPECT_EQ(got.order().version, 2u);
}

TEST_F(order_actor, the_whole_lifecycle_goes_through_the_actors) {
  const auto alice = login("alice");
  const auto ops = login("ops", ordo::role::operator_);
  const auto placed = place(alice, {{"A", 2, 10'000}});
  advance(std::chrono::milliseconds{3});
  EXPECT_EQ(call(ops, ship_request{placed.id, "TRK-1"}).order().status, order_status::shipped);
  EXPECT_EQ(call(ops, deliver_request{placed.id}).order().status, order_status::delivered);
  const auto returned = call(alice, return_request{placed.id, "k-ret", std::nullopt});
  EXPECT_EQ(returned.order().status, order_status::return_requested);
  const auto refunded = call(ops, refund_request{placed.id});
  EXPECT_EQ(refunded.order().status, order_status::returned);
  EXPECT_EQ(refunded.order().refunded, 15'000);
  EXPECT_EQ(refunded.order().version, 6u);
  EXPECT_EQ(data->events.size(), 6u);
  EXPECT_EQ(data->orders.at(placed.id).order, refunded.order());
}

TEST_F(order_actor, every_acknowledged_change_is_in_the_store_before_the_reply) {
  const auto alice = login("alice");
  const auto placed = place(alice, {{"A", 3, 10'000}});
  advance(std::chrono::milliseconds{3});
  const auto cancelled = call(alice, cancel_request{placed.id, "k-c", std::vector<line_quantity>{{"A", 1}}});
  ASSERT_TRUE(cancelled.ok()) << cancelled.error.message;
  EXPECT_EQ(data->orders.at(placed.id).order, cancelled.order());
}

TEST_F(order_actor, commands_for_one_order_run_one_at_a_time_in_arrival_order) {
  const auto alice = login("alice");
  const auto placed = place(alice, {{"A", 10, 10'000}});
  advance(std::chrono::milliseconds{3});
  std::vector<std::shared_ptr<outcome>> outs;
  for (int i = 0; i < 8; ++i)
    outs.push_back(send(alice, cancel_request{placed.id, "k-" + std::to_string(i),
                                              std::vector<line_quantity>{{"A", 1}}}));
  run();
  std::set<std::uint64_t> versions;
  for (const auto& out : outs) {
    ASSERT_TRUE(out->ok()) << out->error.message;
    versions.insert(out->order().version);
  }
  EXPECT_EQ(versions, (std::set<std::uint64_t>{3, 4, 5, 6, 7, 8, 9, 10}));
  EXPECT_EQ(data->orders.at(placed.id).order.lines[0].cancelled, 8u);
  EXPECT_EQ(data->orders.at(placed.id).order.version, 10u);
}

TEST_F(order_actor, a_read_queued_behind_a_write_sees_the_write) {
  const auto alice = login("alice");
  const auto placed = place(alice, {{"A", 3, 10'000}});
  advance(std::chrono::milliseconds{3});
  auto cancel = send(alice, cancel_request{placed.id, "k-c", std::nullopt});
  auto read = send(alice, get_request{placed.id});
  run();
  ASSERT_TRUE(cancel->ok());
  ASSERT_TRUE(read->ok());
  EXPECT_EQ(read->order().status, order_status::cancelled);
}

TEST_F(order_actor, a_refused_write_is_unavailable_and_the_state_does_not_move) {
  const auto alice = login("alice");
  const auto placed = place(alice, {{"A", 3, 10'000}});
  advance(std::chrono::milliseconds{3});
  const auto before = data->orders.at(placed.id);
  data->down = true;
  const auto refused = call(alice, cancel_request{placed.id, "k-c", std::nullopt});
  EXPECT_EQ(refused.code(), errc::unavailable);
  EXPECT_EQ(data->orders.at(placed.id), before);
  data->down = false;
  const auto got = call(alice, get_request{placed.id});
  EXPECT_EQ(got.order().status, order_status::paid);
  const auto cancelled = call(alice, cancel_request{placed.id, "k-c", std::nullopt});
  ASSERT_TRUE(cancelled.ok()) << cancelled.error.message;
  EXPECT_EQ(cancelled.order().status, order_status::cancelled);
}

TEST_F(order_actor, an_unconfirmed_write_is_unavailable_after_the_timeout) {
  const auto alice = login("alice");
  const auto placed = place(alice, {{"A", 3, 10'000}});
  advance(std::chrono::milliseconds{3});
  data->silent_requests = 1;
  auto pending = send(alice, cancel_request{placed.id, "k-c", std::nullopt});
  run();
  EXPECT_FALSE(pending->done);
  advance(ctx.store_timeout);
  ASSERT_TRUE(pending->done);
  EXPECT_EQ(pending->code(), errc::unavailable);
  EXPECT_EQ(data->orders.at(placed.id).order.status, order_status::paid);
  const auto retried = call(alice, cancel_request{placed.id, "k-c", std::nullopt});
  EXPECT_TRUE(retried.ok()) << retried.error.message;
}

TEST_F(order_actor, a_stale_writer_gets_conflict_and_then_works_on_fresh_state) {
  ctx.metrics = std::make_shared<actor_metrics>();
  const auto alice = login("alice");
  const auto ops = login("ops", ordo::role::operator_);
  const auto placed = place(alice, {{"A", 3, 10'000}});
  advance(std::chrono::milliseconds{3});
  // Another engine moved the order on behind this actor's back.
  auto other = data->orders.at(placed.id);
  other = domain::apply_event(other, domain::event{now, domain::order_shipped{"OTHER"}});
  data->orders[placed.id] = other;
  const auto stale = call(alice, cancel_request{placed.id, "k-c", std::nullopt});
  EXPECT_EQ(stale.code(), errc::conflict);
  EXPECT_EQ(ctx.metrics->commit_conflicts, 1u);
  EXPECT_EQ(data->orders.at(placed.id), other);
  const auto fresh = call(ops, deliver_request{placed.id});
  ASSERT_TRUE(fresh.ok()) << fresh.error.message;
  EXPECT_EQ(fresh.order().tracking, "OTHER");
  EXPECT_EQ(fresh.order().version, 4u);
}

TEST_F(order_actor, an_order_is_activated_from_the_store_on_first_use) {
  const auto alice = login("alice");
  auto stored = domain::apply_event(std::nullopt, domain::event{t0 - 5'000, domain::order_placed{
    "01JB0000000000000000000000", "alice", true, {{"X", 1, 50'000, 0, 0}}, 50'000, 0}});
  data->orders[stored.order.id] = stored;
  const auto got = call(alice, get_request{stored.order.id});
  ASSERT_TRUE(got.ok()) << got.error.message;
  EXPECT_EQ(got.order(), stored.order);
}

TEST_F(order_actor, an_unknown_order_is_not_found_and_not_kept_resident) {
  const auto alice = login("alice");
  EXPECT_EQ(call(alice, get_request{"01JZZZZZZZZZZZZZZZZZZZZZZZ"}).code(), errc::not_found);
  EXPECT_EQ(call(alice, cancel_request{"nope", "k", std::nullopt}).code(), errc::not_found);
  EXPECT_EQ(resident_orders(), 0u);
}

TEST_F(order_actor, another_customers_order_is_not_found_for_every_op) {
  const auto alice = login("alice");
  const auto bob = login("bob");
  const auto placed = place(alice, {{"A", 1, 10'000}});
  advance(std::chrono::milliseconds{3});
  EXPECT_EQ(call(bob, get_request{placed.id}).code(), errc::not_found);
  EXPECT_EQ(call(bob, cancel_request{placed.id, "k", std::nullopt}).code(), errc::not_found);
  EXPECT_EQ(call(bob, return_request{placed.id, "k", std::nullopt}).code(), errc::not_found);
  EXPECT_EQ(data->orders.at(placed.id).order.status, order_status::paid);
}

TEST_F(order_actor, an_operator_may_read_any_order) {
  const auto alice = login("alice");
  const auto ops = login("ops", ordo::role::operator_);
  const auto placed = place(alice, {{"A", 1, 10'000}});
  EXPECT_TRUE(call(ops, get_request{placed.id}).ok());
}

TEST_F(order_actor, list_is_newest_first_with_limit_and_exclusive_before) {
  const auto alice = login("alice");
  const auto bob = login("bob");
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(place(alice, {{"A", 1, 1'000}}, "k-" + std::to_string(i)).id);
    place(bob, {{"B", 1, 1'000}}, "k-" + std::to_string(i));
    advance(std::chrono::milliseconds{10});
  }
  const auto page = call(alice, list_request{3, std::nullopt});
  ASSERT_TRUE(page.ok()) << page.error.message;
  const auto& first = std::get<orders_result>(*page.reply).orders;
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(first[0].id, ids[4]);
  EXPECT_EQ(first[1].id, ids[3]);
  EXPECT_EQ(first[2].id, ids[2]);
  const auto next = call(alice, list_request{3, first.back().id});
  const auto& second = std::get<orders_result>(*next.reply).orders;
  ASSERT_EQ(second.size(), 2u);
  EXPECT_EQ(second[0].id, ids[1]);
  EXPECT_EQ(second[1].id, ids[0]);
  for (const auto& o : first)
    EXPECT_EQ(o.customer, "alice");
}

TEST_F(order_actor, a_push_follows_each_change_of_the_customers_own_orders) {
  const auto alice = login("alice");
  const auto bob = login("bob");
  const auto watcher = subscribe(alice);
  const auto placed = place(alice, {{"A", 1, 10'000}});
  place(bob, {{"B", 1, 10'000}});
  advance(std::chrono::milliseconds{3});
  ASSERT_EQ(watcher.pushes->size(), 2u);
  EXPECT_EQ((*watcher.pushes)[0].id, placed.id);
  EXPECT_EQ((*watcher.pushes)[0].status, order_status::pending_payment);
  EXPECT_EQ((*watcher.pushes)[1].status, order_status::paid);
}

} // namespace
} // namespace ordo::actors::test
