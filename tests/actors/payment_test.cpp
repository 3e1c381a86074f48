// Payment through the order actor: authorized, declined, timed out, and an authorization
// that arrives after a cancel is voided, never applied.

#include "actor_fixture.hpp"

#include <caf/all.hpp>

#include "domain/order_aggregate.hpp"

namespace ordo::actors::test {
namespace {

class payment_flow : public actor_fixture {
protected:
  // The payment is granted while the store is down, so its commit is refused; before the
  // store answers again, the stored order takes `meanwhile`; then the retry has run.
  void grant_during_outage_while_the_store_records(const std::string& id, domain::event meanwhile) {
    data->down = true;
    advance(payment.latency);
    data->orders[id] = domain::apply_event(data->orders.at(id), meanwhile);
    data->down = false;
    advance(std::chrono::seconds{1});
  }
};

// Filled in once the fixture runs.
std::shared_ptr<payment_stats> payment_counts(caf::actor_system& sys, caf::actor pay) {
  auto stats = std::make_shared<payment_stats>();
  sys.spawn([=](caf::event_based_actor* self) {
    self->request(pay, std::chrono::seconds{1}, stats_atom::value)
      .then([=](payment_stats s) { *stats = s; }, [](caf::error&) {});
  });
  return stats;
}

TEST_F(payment_flow, an_authorized_payment_makes_the_order_paid_and_records_the_charge) {
  const auto alice = login("alice");
  const auto placed = place(alice, {{"A", 1, 10'000}});
  advance(payment.latency);
  const auto& stored = data->orders.at(placed.id);
  EXPECT_EQ(stored.order.status, order_status::paid);
  EXPECT_EQ(stored.charged, 13'000);
  EXPECT_FALSE(data->payment_deadlines.count(placed.id));
}

TEST_F(payment_flow, each_outcome_and_event_is_counted) {
  ctx.metrics = std::make_shared<actor_metrics>();
  const auto& m = *ctx.metrics;
  const auto alice = login("alice");
  place(alice, {{"A", 1, 10'000}}, "k-1");
  advance(payment.latency);
  EXPECT_EQ(m.payment_outcomes[static_cast<std::size_t>(payment_decision::authorized)], 1u);
  EXPECT_EQ(m.events_committed[domain::event_body{domain::order_placed{}}.index()], 1u);
  EXPECT_EQ(m.events_committed[domain::event_body{domain::payment_authorized{}}.index()], 1u);
  EXPECT_EQ(m.deadline_expiries, 0u);
}

TEST_F(payment_flow, an_expiry_counts_as_a_timed_out_payment_and_a_deadline_expiry) {
  ctx.metrics = std::make_shared<actor_metrics>();
  payment.latency = std::chrono::milliseconds{60'000};
  ctx.payment_timeout = std::chrono::milliseconds{10'000};
  const auto alice = login("alice");
  place(alice, {{"A", 1, 10'000}});
  advance(std::chrono::milliseconds{10'000});
  EXPECT_EQ(ctx.metrics->payment_outcomes[static_cast<std::size_t>(payment_decision::timed_out)], 1u);
  EXPECT_EQ(ctx.metrics->deadline_expiries, 1u);
  EXPECT_EQ(ctx.metrics->events_committed[domain::event_body{domain::payment_timed_out{}}.index()], 1u);
}

TEST_F(payment_flow, a_declined_payment_cancels_with_payment_declined) {
  payment.decline_rate = 1.0;
  const auto alice = login("alice");
  const auto placed = place(alice, {{"A", 1, 10'000}});
  advance(payment.latency);
  const auto got = call(alice, get_request{placed.id});
  EXPECT_EQ(got.order().status, order_status::cancelled);
  EXPECT_EQ(got.order().reason, "payment_declined");
  EXPECT_EQ(got.order().refunded, 0);
}

TEST_F(payment_flow, no_authorization_within_the_timeout_cancels_with_payment_timeout) {
  payment.latency = std::chrono::milliseconds{60'000};
  ctx.payment_timeout = std::chrono::milliseconds{10'000};
  const auto alice = login("alice");
  const auto placed = place(alice, {{"A", 1, 10'000}});
  EXPECT_EQ(data->payment_deadlines.at(placed.id), t0 + 10'000);
  advance(std::chrono::milliseconds{9'999});
  EXPECT_EQ(data->orders.at(placed.id).order.status, order_status::pending_payment);
  advance(std::chrono::milliseconds{1});
  EXPECT_EQ(data->orders.at(placed.id).order.status, order_status::cancelled);
  EXPECT_EQ(data->orders.at(placed.id).order.reason, "payment_timeout");
  EXPECT_FALSE(data->payment_deadlines.count(placed.id));
}

TEST_F(payment_flow, a_late_authorization_after_a_cancel_is_voided_not_applied) {
  payment.latency = std::chrono::milliseconds{2'000};
  const auto alice = login("alice");
  const auto placed = place(alice, {{"A", 1, 10'000}});
  const auto cancelled = call(alice, cancel_request{placed.id, "k-c", std::nullopt});
  ASSERT_TRUE(cancelled.ok()) << cancelled.error.message;
  advance(payment.latency);
  const auto& stored = data->orders.at(placed.id);
  EXPECT_EQ(stored.order.status, order_status::cancelled);
  EXPECT_EQ(stored.order.reason, "customer_cancel");
  EXPECT_EQ(stored.charged, 0);
  EXPECT_EQ(stored.order.version, 2u);
  const auto stats = payment_counts(system(), ctx.payment);
  run();
  EXPECT_EQ(stats->authorized, 1u);
  EXPECT_EQ(stats->voided, 1u);
}

TEST_F(payment_flow, a_grant_whose_commit_the_store_refused_is_applied_once_it_answers) {
  const auto alice = login("alice");
  const auto placed = place(alice, {{"A", 1, 10'000}});
  data->down = true;
  advance(payment.latency);
  EXPECT_EQ(data->orders.at(placed.id).order.status, order_status::pending_payment);
  advance(std::chrono::seconds{3}); // still down: retried, still waiting
  data->down = false;
  advance(std::chrono::seconds{1});
  const auto& stored = data->orders.at(placed.id);
  EXPECT_EQ(stored.order.status, order_status::paid);
  EXPECT_EQ(stored.charged, 13'000);
  EXPECT_EQ(stored.order.version, 2u);
}

TEST_F(payment_flow, a_grant_whose_commit_went_unanswered_is_applied_once_the_store_answers) {
  const auto alice = login("alice");
  const auto placed = place(alice, {{"A", 1, 10'000}});
  data->silent_requests = 1;
  advance(payment.latency);
  advance(data->answer_timeout);
  advance(std::chrono::seconds{1});
  EXPECT_EQ(data->orders.at(placed.id).order.status, order_status::paid);
}

TEST_F(payment_flow, a_grant_that_can_no_longer_apply_after_an_outage_is_voided) {
  const auto alice = login("alice");
  const auto placed = place(alice, {{"A", 1, 10'000}});
  // Meanwhile another writer (an engine that took the order over, say) expired it.
  grant_during_outage_while_the_store_records(placed.id,
                                              domain::event{t0 + 5, domain::payment_timed_out{}});
  EXPECT_EQ(data->orders.at(placed.id).order.status, order_status::cancelled);
  const auto stats = payment_counts(system(), ctx.payment);
  run();
  EXPECT_EQ(stats->authorized, 1u);
  EXPECT_EQ(stats->voided, 1u);
}

TEST_F(payment_flow, a_grant_applied_by_a_commit_whose_answer_was_lost_is_not_voided) {
  const auto alice = login("alice");
  const auto placed = place(alice, {{"A", 1, 10'000}});
  // The refused commit did land after all, as a write whose confirmation was lost does.
  grant_during_outage_while_the_store_records(
    placed.id, domain::event{t0 + 3, domain::payment_authorized{13'000}});
  EXPECT_EQ(data->orders.at(placed.id).order.status, order_status::paid);
  const auto stats = payment_counts(system(), ctx.payment);
  run();
  EXPECT_EQ(stats->authorized, 1u);
  EXPECT_EQ(stats->voided, 0u);
}

TEST_F(payment_flow, an_order_rehydrated_while_unpaid_asks_for_payment_again) {
  auto stored = domain::apply_event(
    std::nullopt, domain::event{t0, domain::order_placed{"01JC0000000000000000000000", "alice",
                                                         false, {{"X", 1, 50'000, 0, 0}}, 50'000, 0}});
  data->orders[stored.order.id] = stored;
  const auto alice = login("alice");
  EXPECT_EQ(call(alice, get_request{stored.order.id}).order().status, order_status::pending_payment);
  advance(payment.latency);
  EXPECT_EQ(data->orders.at(stored.order.id).order.status, order_status::paid);
}

TEST_F(payment_flow, a_rehydrated_order_past_its_deadline_is_cancelled_at_once) {
  payment.latency = std::chrono::milliseconds{60'000};
  auto stored = domain::apply_event(
    std::nullopt, domain::event{t0 - 20'000, domain::order_placed{"01JD0000000000000000000000", "alice",
                                                                  false, {{"X", 1, 50'000, 0, 0}}, 50'000, 0}});
  data->orders[stored.order.id] = stored;
  const auto alice = login("alice");
  call(alice, get_request{stored.order.id});
  advance(std::chrono::milliseconds{0});
  EXPECT_EQ(data->orders.at(stored.order.id).order.reason, "payment_timeout");
}

} // namespace
} // namespace ordo::actors::test
