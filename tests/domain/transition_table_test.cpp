// One test per row of docs/DOMAIN.md's transition table.

#include <gtest/gtest.h>

#include "order_fixture.hpp"

namespace ordo::domain {
namespace {

using namespace test;

TEST(transition_table, place_creates_pending_payment_order_at_version_1) {
  const auto s = placed({{"A", 2, 5'000}, {"B", 1, 12'000}});
  EXPECT_EQ(s.order.status, order_status::pending_payment);
  EXPECT_EQ(s.order.version, 1u);
  EXPECT_EQ(s.order.customer, "alice");
  EXPECT_EQ(s.order.subtotal, 22'000);
  EXPECT_EQ(s.order.shipping_fee, 0);
  EXPECT_EQ(s.order.total, 22'000);
  EXPECT_EQ(s.order.refunded, 0);
  EXPECT_EQ(s.order.created_at, t0);
  EXPECT_EQ(s.order.updated_at, t0);
  EXPECT_EQ(s.order.lines[0], (order_line{"A", 2, 5'000, 0, 0}));
}

TEST(transition_table, payment_authorized_makes_it_paid) {
  const auto s = step(placed(), authorize_payment{}, t0 + 10);
  EXPECT_EQ(s.order.status, order_status::paid);
  EXPECT_EQ(s.charged, 13'000);
  EXPECT_EQ(s.order.version, 2u);
  EXPECT_EQ(s.order.updated_at, t0 + 10);
}

TEST(transition_table, payment_declined_cancels_with_reason_payment_declined) {
  const auto s = step(placed(), decline_payment{});
  EXPECT_EQ(s.order.status, order_status::cancelled);
  EXPECT_EQ(s.order.reason, "payment_declined");
  EXPECT_EQ(s.order.total, 0);
  EXPECT_EQ(s.order.refunded, 0);
  EXPECT_EQ(s.order.lines[0].cancelled, 1u);
}

TEST(transition_table, payment_timeout_cancels_with_reason_payment_timeout) {
  const auto s = step(placed(), expire_payment{});
  EXPECT_EQ(s.order.status, order_status::cancelled);
  EXPECT_EQ(s.order.reason, "payment_timeout");
  EXPECT_EQ(s.order.refunded, 0);
}

TEST(transition_table, cancel_while_pending_payment_refunds_nothing) {
  const auto s = step(placed(), cancel_order{});
  EXPECT_EQ(s.order.status, order_status::cancelled);
  EXPECT_EQ(s.order.refunded, 0);
  EXPECT_EQ(s.order.reason, "customer_cancel");
  EXPECT_EQ(s.order.subtotal, 0);
  EXPECT_EQ(s.order.shipping_fee, 0);
  EXPECT_EQ(s.order.total, 0);
}

TEST(transition_table, cancel_when_paid_refunds_the_amount_paid) {
  const auto s = step(paid(), cancel_order{});
  EXPECT_EQ(s.order.status, order_status::cancelled);
  EXPECT_EQ(s.order.refunded, 13'000); // 10,000 + 3,000 shipping
  EXPECT_EQ(s.order.lines[0].cancelled, 1u);
}

TEST(transition_table, partial_cancel_when_paid_stays_paid_and_refunds_the_difference) {
  const auto before = paid({{"A", 3, 10'000}, {"B", 1, 5'000}});
  const auto s = step(before, cancel_order{std::vector<line_quantity>{{"A", 1}}});
  EXPECT_EQ(s.order.status, order_status::paid);
  EXPECT_EQ(s.order.lines[0].cancelled, 1u);
  EXPECT_EQ(s.order.subtotal, 25'000);
  EXPECT_EQ(s.order.total, 25'000);
  EXPECT_EQ(s.order.refunded, 10'000);
}

TEST(transition_table, cancelling_every_remaining_unit_is_a_full_cancel) {
  const auto before = paid({{"A", 3, 10'000}, {"B", 1, 5'000}});
  const auto partly = step(before, cancel_order{std::vector<line_quantity>{{"A", 2}}});
  const auto s = step(partly, cancel_order{std::vector<line_quantity>{{"A", 1}, {"B", 1}}});
  EXPECT_EQ(s.order.status, order_status::cancelled);
  EXPECT_EQ(s.order.total, 0);
  EXPECT_EQ(s.order.refunded, 35'000);
  EXPECT_EQ(s.order.reason, "customer_cancel");
}

TEST(transition_table, ship_records_the_tracking) {
  const auto s = step(paid(), ship_order{"TRK-77"});
  EXPECT_EQ(s.order.status, order_status::shipped);
  EXPECT_EQ(s.order.tracking, "TRK-77");
}

TEST(transition_table, deliver_makes_it_delivered_and_starts_the_return_window) {
  const auto s = step(shipped(), deliver_order{}, t0 + 500);
  EXPECT_EQ(s.order.status, order_status::delivered);
  EXPECT_EQ(s.delivered_at, t0 + 500);
}

TEST(transition_table, return_request_marks_the_returned_units) {
  const auto s = step(delivered({{"A", 2, 10'000}, {"B", 1, 3'000}}),
                      request_return{std::vector<line_quantity>{{"A", 1}}}, t0 + 2'000);
  EXPECT_EQ(s.order.status, order_status::return_requested);
  EXPECT_EQ(s.order.lines[0].returned, 1u);
  EXPECT_EQ(s.order.lines[1].returned, 0u);
  EXPECT_EQ(s.order.total, 23'000); // returns do not change what was bought
}

TEST(transition_table, return_of_all_lines_returns_every_uncancelled_unit) {
  const auto s = step(delivered({{"A", 2, 10'000}, {"B", 1, 3'000}}), request_return{}, t0 + 2'000);
  EXPECT_EQ(s.order.lines[0].returned, 2u);
  EXPECT_EQ(s.order.lines[1].returned, 1u);
}

TEST(transition_table, refund_makes_it_returned_and_refunds_lines_less_the_return_fee) {
  const auto s = step(return_pending({{"A", 2, 10'000}}), refund_return{}, t0 + 3'000);
  EXPECT_EQ(s.order.status, order_status::returned);
  EXPECT_EQ(s.order.refunded, 15'000); // 20,000 - 5,000
}

TEST(transition_table, version_counts_applied_events_and_updated_at_follows) {
  const auto s = returned();
  EXPECT_EQ(s.order.version, 6u); // placed, paid, shipped, delivered, return_requested, returned
  EXPECT_EQ(s.order.updated_at, t0 + 3'000);
  EXPECT_EQ(s.order.created_at, t0);
}

TEST(transition_table, updated_at_never_goes_backwards_when_clocks_disagree) {
  const auto s = step(placed(), authorize_payment{}, t0 - 60'000);
  EXPECT_EQ(s.order.updated_at, t0);
}

TEST(transition_table, every_event_has_its_stream_type_name) {
  EXPECT_EQ(event_type(order_placed{}), "placed");
  EXPECT_EQ(event_type(payment_authorized{}), "paid");
  EXPECT_EQ(event_type(payment_declined{}), "payment_declined");
  EXPECT_EQ(event_type(payment_timed_out{}), "payment_timeout");
  EXPECT_EQ(event_type(order_cancelled{}), "cancelled");
  EXPECT_EQ(event_type(order_partially_cancelled{}), "partially_cancelled");
  EXPECT_EQ(event_type(order_shipped{}), "shipped");
  EXPECT_EQ(event_type(order_delivered{}), "delivered");
  EXPECT_EQ(event_type(return_requested{}), "return_requested");
  EXPECT_EQ(event_type(order_returned{}), "returned");
}

} // namespace
} // namespace ordo::domain
