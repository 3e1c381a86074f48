// Every state x every command the table does not allow is invalid_state, and the state does
// not move. Orders that do not exist answer not_found; placing twice is conflict.

#include <gtest/gtest.h>

#include <functional>

#include "domain/pricing.hpp"
#include "order_fixture.hpp"

namespace ordo::domain {
namespace {

using namespace test;

struct named_state {
  const char* name;
  std::function<order_state()> make;
};

struct named_command {
  const char* name;
  command cmd;
};

const std::vector<named_state>& states() {
  static const std::vector<named_state> all = {
    {"pending_payment", [] { return placed(); }},
    {"paid", [] { return paid(); }},
    {"shipped", [] { return shipped(); }},
    {"delivered", [] { return delivered(); }},
    {"return_requested", [] { return return_pending(); }},
    {"returned", [] { return returned(); }},
    {"cancelled", [] { return cancelled(); }},
  };
  return all;
}

const std::vector<named_command>& commands() {
  static const std::vector<named_command> all = {
    {"authorize", authorize_payment{}},
    {"decline", decline_payment{}},
    {"expire", expire_payment{}},
    {"cancel", cancel_order{}},
    {"partial_cancel", cancel_order{std::vector<line_quantity>{{"A", 1}}}},
    {"ship", ship_order{"TRK"}},
    {"deliver", deliver_order{}},
    {"return", request_return{}},
    {"refund", refund_return{}},
  };
  return all;
}

// The allowed (state, command) pairs of docs/DOMAIN.md; the fixture's orders have one unit,
// so a partial cancel of it is a full cancel and allowed wherever cancel is.
bool allowed(std::string_view state, std::string_view cmd) {
  if (state == "pending_payment")
    return cmd == "authorize" || cmd == "decline" || cmd == "expire" || cmd == "cancel" ||
           cmd == "partial_cancel";
  if (state == "paid")
    return cmd == "cancel" || cmd == "partial_cancel" || cmd == "ship";
  if (state == "shipped")
    return cmd == "deliver";
  if (state == "delivered")
    return cmd == "return";
  if (state == "return_requested")
    return cmd == "refund";
  return false;
}

class forbidden_transition : public ::testing::TestWithParam<std::tuple<std::size_t, std::size_t>> {
};

TEST_P(forbidden_transition, is_invalid_state_unless_the_table_allows_it) {
  const auto& st = states()[std::get<0>(GetParam())];
  const auto& cmd = commands()[std::get<1>(GetParam())];
  const auto state = st.make();
  const auto decided = decide(state, cmd.cmd, t0 + 5'000);
  if (allowed(st.name, cmd.name)) {
    EXPECT_TRUE(decided.ok()) << decided.error().message;
  } else {
    ASSERT_FALSE(decided.ok());
    EXPECT_EQ(decided.error().code, errc::invalid_state) << decided.error().message;
  }
}

INSTANTIATE_TEST_SUITE_P(
  every_state_and_command, forbidden_transition,
  ::testing::Combine(::testing::Range<std::size_t>(0, 7), ::testing::Range<std::size_t>(0, 9)),
  [](const auto& info) {
    return std::string{states()[std::get<0>(info.param)].name} + "_" +
           commands()[std::get<1>(info.param)].name;
  });

TEST(forbidden_transition, a_command_for_an_order_that_does_not_exist_is_not_found) {
  for (const auto& cmd : commands())
    EXPECT_EQ(refused_with(std::nullopt, cmd.cmd), errc::not_found) << cmd.name;
}

TEST(forbidden_transition, placing_an_existing_order_is_conflict) {
  EXPECT_EQ(refused_with(placed(), place_cmd({{"A", 1, 1}})), errc::conflict);
}

TEST(forbidden_transition, partial_cancel_while_pending_payment_is_invalid_state) {
  EXPECT_EQ(refused_with(placed({{"A", 2, 10'000}}), cancel_order{std::vector<line_quantity>{{"A", 1}}}),
            errc::invalid_state);
}

TEST(forbidden_transition, cancelling_all_units_while_pending_payment_is_a_full_cancel) {
  const auto s = step(placed({{"A", 2, 10'000}}), cancel_order{std::vector<line_quantity>{{"A", 2}}});
  EXPECT_EQ(s.order.status, order_status::cancelled);
}

TEST(forbidden_transition, return_after_30_days_is_invalid_state) {
  const auto s = delivered();
  EXPECT_TRUE(decide(s, request_return{}, s.delivered_at + return_window_ms).ok());
  EXPECT_EQ(refused_with(s, request_return{}, s.delivered_at + return_window_ms + 1),
            errc::invalid_state);
}

TEST(forbidden_transition, cancelling_more_than_remains_is_invalid_state) {
  const auto s = step(paid({{"A", 3, 10'000}, {"B", 1, 1}}), cancel_order{std::vector<line_quantity>{{"A", 2}}});
  EXPECT_EQ(refused_with(s, cancel_order{std::vector<line_quantity>{{"A", 2}}}), errc::invalid_state);
}

TEST(forbidden_transition, returning_more_than_was_kept_is_invalid_state) {
  const auto s = delivered({{"A", 2, 10'000}});
  EXPECT_EQ(refused_with(s, request_return{std::vector<line_quantity>{{"A", 3}}}, t0 + 2'000),
            errc::invalid_state);
}

TEST(forbidden_transition, a_sku_the_order_does_not_have_is_bad_request) {
  EXPECT_EQ(refused_with(paid(), cancel_order{std::vector<line_quantity>{{"Z", 1}}}), errc::bad_request);
  EXPECT_EQ(refused_with(delivered(), request_return{std::vector<line_quantity>{{"Z", 1}}}, t0 + 2'000),
            errc::bad_request);
}

// The limits are checked before a command exists (check_limits); a command that breaks
// them anyway is a bug of the caller, and decide stops it instead of recording it.
TEST(forbidden_transition_death, decide_asserts_the_limits_its_callers_check) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(decide(std::nullopt, place_cmd({}), t0), "within_limits");
  EXPECT_DEATH(decide(std::nullopt, place_cmd({{"A", 0, 1}}), t0), "within_limits");
  EXPECT_DEATH(decide(std::nullopt, place_cmd({{"A", 1001, 1}}), t0), "within_limits");
  EXPECT_DEATH(decide(std::nullopt, place_cmd({{"A", 1, 0}}), t0), "within_limits");
  EXPECT_DEATH(decide(std::nullopt, place_cmd({{"A", 1, 100'000'001}}), t0), "within_limits");
  EXPECT_DEATH(decide(std::nullopt, place_cmd({{"A", 1, 1}, {"A", 2, 1}}), t0), "within_limits");
  EXPECT_DEATH(decide(std::nullopt, place_cmd({{"", 1, 1}}), t0), "within_limits");
  EXPECT_DEATH(decide(paid({{"A", 3, 1}, {"B", 1, 1}}),
                      cancel_order{std::vector<line_quantity>{{"A", 1}, {"A", 1}}}, t0),
               "within_limits");
  std::vector<line_item> many;
  for (int i = 0; i < 101; ++i)
    many.push_back({"S" + std::to_string(i), 1, 1});
  EXPECT_DEATH(decide(std::nullopt, place_cmd(many), t0), "within_limits");
  many.pop_back();
  EXPECT_TRUE(decide(std::nullopt, place_cmd(many), t0).ok());
}

TEST(forbidden_transition, ship_needs_a_tracking) {
  EXPECT_EQ(refused_with(paid(), ship_order{""}), errc::bad_request);
}

} // namespace
} // namespace ordo::domain
