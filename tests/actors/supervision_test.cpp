// Supervision: an order actor that throws mid-command is restarted from its last durable
// state; the command in flight gets internal, the next one works; too many crashes within
// the restart period keep the order down until the period has passed.

#include "actor_fixture.hpp"

namespace ordo::actors::test {
namespace {

using supervision = actor_fixture;

// Throws at `point` for the next `times` commands of `order_id`.
void crash_next(fault_injector& faults, std::string order_id, fault_point point, int times) {
  auto left = std::make_shared<int>(times);
  faults.hook = [=](const std::string& id, fault_point at) {
    if (id == order_id && at == point && *left > 0) {
      --*left;
      throw std::runtime_error("injected fault");
    }
  };
}

TEST_F(supervision, a_crash_before_the_write_answers_internal_and_the_next_command_works) {
  const auto alice = login("alice");
  const auto placed = place(alice, {{"A", 3, 10'000}});
  advance(std::chrono::milliseconds{3});
  crash_next(*faults, placed.id, fault_point::before_decide, 1);
  const auto crashed = call(alice, cancel_request{placed.id, "k-c", std::vector<line_quantity>{{"A", 1}}});
  EXPECT_EQ(crashed.code(), errc::internal);
  EXPECT_EQ(data->orders.at(placed.id).order.version, 2u);
  const auto next = call(alice, cancel_request{placed.id, "k-c", std::vector<line_quantity>{{"A", 1}}});
  ASSERT_TRUE(next.ok()) << next.error.message;
  EXPECT_EQ(next.order().lines[0].cancelled, 1u);
  EXPECT_EQ(next.order().version, 3u);
}

TEST_F(supervision, a_crash_after_the_write_restarts_from_the_written_state) {
  const auto alice = login("alice");
  const auto placed = place(alice, {{"A", 3, 10'000}});
  advance(std::chrono::milliseconds{3});
  crash_next(*faults, placed.id, fault_point::after_commit, 1);
  const auto crashed = call(alice, cancel_request{placed.id, "k-c", std::nullopt});
  EXPECT_EQ(crashed.code(), errc::internal);
  const auto got = call(alice, get_request{placed.id});
  ASSERT_TRUE(got.ok()) << got.error.message;
  EXPECT_EQ(got.order().status, order_status::cancelled);
  // The retry with the same key is answered with the original result, not applied twice.
  const auto retried = call(alice, cancel_request{placed.id, "k-c", std::nullopt});
  ASSERT_TRUE(retried.ok()) << retried.error.message;
  EXPECT_EQ(retried.order(), got.order());
}

TEST_F(supervision, commands_queued_behind_a_crash_are_retried_on_the_restarted_actor) {
  const auto alice = login("alice");
  const auto placed = place(alice, {{"A", 5, 10'000}});
  advance(std::chrono::milliseconds{3});
  crash_next(*faults, placed.id, fault_point::after_commit, 1);
  data->silent_requests = 0;
  auto first = send(alice, cancel_request{placed.id, "k-1", std::vector<line_quantity>{{"A", 1}}});
  auto second = send(alice, cancel_request{placed.id, "k-2", std::vector<line_quantity>{{"A", 1}}});
  run();
  EXPECT_EQ(first->code(), errc::internal);
  ASSERT_TRUE(second->ok()) << second->error.message;
  EXPECT_EQ(second->order().lines[0].cancelled, 2u);
}

TEST_F(supervision, the_restart_limit_trips_after_too_many_crashes_and_recovers_after_the_period) {
  ctx.max_restarts = 2;
  ctx.restart_period = std::chrono::milliseconds{10'000};
  const auto alice = login("alice");
  const auto placed = place(alice, {{"A", 3, 10'000}});
  advance(std::chrono::milliseconds{3});
  crash_next(*faults, placed.id, fault_point::before_decide, 3);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(call(alice, get_request{placed.id}).code(), errc::internal);
  const auto suspended = call(alice, get_request{placed.id});
  EXPECT_EQ(suspended.code(), errc::internal);
  EXPECT_NE(suspended.error.message.find("suspended"), std::string::npos) << suspended.error.message;
  // Unrelated orders are not affected.
  EXPECT_TRUE(call(alice, place_request{"k-other", {{"B", 1, 1'000}}}).ok());
  advance(ctx.restart_period);
  const auto recovered = call(alice, get_request{placed.id});
  ASSERT_TRUE(recovered.ok()) << recovered.error.message;
  EXPECT_EQ(recovered.order().status, order_status::paid);
}

TEST_F(supervision, each_crash_counts_as_a_restart_of_its_kind) {
  ctx.metrics = std::make_shared<actor_metrics>();
  const auto alice = login("alice");
  const auto placed = place(alice, {{"A", 3, 10'000}});
  advance(std::chrono::milliseconds{3});
  crash_next(*faults, placed.id, fault_point::before_decide, 2);
  for (int i = 0; i < 2; ++i)
    EXPECT_EQ(call(alice, get_request{placed.id}).code(), errc::internal);
  EXPECT_EQ(ctx.metrics->of(actor_kind::order).restarts, 2u);
  EXPECT_EQ(ctx.metrics->of(actor_kind::session).restarts, 0u);
  ASSERT_TRUE(call(alice, get_request{placed.id}).ok());
  // The restarted actor is resident once, however often it crashed before.
  EXPECT_EQ(ctx.metrics->of(actor_kind::order).resident, 1);
  EXPECT_EQ(ctx.metrics->of(actor_kind::order).activations, 3u);
}

TEST_F(supervision, crashes_spread_over_time_never_trip_the_limit) {
  ctx.max_restarts = 1;
  ctx.restart_period = std::chrono::milliseconds{1'000};
  const auto alice = login("alice");
  const auto placed = place(alice, {{"A", 3, 10'000}});
  advance(std::chrono::milliseconds{3});
  for (int i = 0; i < 4; ++i) {
    crash_next(*faults, placed.id, fault_point::before_decide, 1);
    EXPECT_EQ(call(alice, get_request{placed.id}).code(), errc::internal);
    advance(std::chrono::milliseconds{1'001});
    EXPECT_TRUE(call(alice, get_request{placed.id}).ok()) << "round " << i;
  }
}

} // namespace
} // namespace ordo::actors::test
