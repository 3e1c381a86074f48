// Builds orders in any state through decide() and apply_event() themselves, so tests exercise the
// same path as the order actor.
#pragma once

#include <gtest/gtest.h>

#include "domain/order_aggregate.hpp"

namespace ordo::domain::test {

inline constexpr std::int64_t t0 = 1'764'000'000'000;

inline place_order place_cmd(std::vector<line_item> lines, bool member = false) {
  return place_order{"01JA0000000000000000000000", "alice", member, std::move(lines)};
}

// Decides and applies; fails the test when the command is refused.
inline order_state step(const std::optional<order_state>& state, const command& cmd,
                        std::int64_t now = t0) {
  auto decided = decide(state, cmd, now);
  EXPECT_TRUE(decided.ok()) << (decided.ok() ? "" : decided.error().message);
  if (!decided.ok())
    return state.value_or(order_state{});
  return apply_event(state, *decided);
}

inline order_state placed(std::vector<line_item> lines = {{"A", 1, 10'000}}, bool member = false) {
  return step(std::nullopt, place_cmd(std::move(lines), member));
}

inline order_state paid(std::vector<line_item> lines = {{"A", 1, 10'000}}, bool member = false) {
  return step(placed(std::move(lines), member), authorize_payment{});
}

inline order_state shipped(std::vector<line_item> lines = {{"A", 1, 10'000}}, bool member = false) {
  return step(paid(std::move(lines), member), ship_order{"TRK-1"});
}

inline order_state delivered(std::vector<line_item> lines = {{"A", 1, 10'000}},
                             bool member = false) {
  return step(shipped(std::move(lines), member), deliver_order{}, t0 + 1'000);
}

inline order_state return_pending(std::vector<line_item> lines = {{"A", 1, 10'000}},
                                  bool member = false) {
  return step(delivered(std::move(lines), member), request_return{}, t0 + 2'000);
}

inline order_state returned(std::vector<line_item> lines = {{"A", 1, 10'000}}, bool member = false) {
  return step(return_pending(std::move(lines), member), refund_return{}, t0 + 3'000);
}

inline order_state cancelled() {
  return step(placed(), cancel_order{});
}

inline errc refused_with(const std::optional<order_state>& state, const command& cmd,
                         std::int64_t now = t0 + 5'000) {
  const auto decided = decide(state, cmd, now);
  EXPECT_FALSE(decided.ok()) << "the command was accepted";
  return decided.ok() ? errc::internal : decided.error().code;
}

} // namespace ordo::domain::test
