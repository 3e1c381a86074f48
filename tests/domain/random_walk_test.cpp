// A seeded random walk of commands over many orders: after every accepted command the
// invariants hold (apply_event() aborts otherwise), money adds up, versions only grow, and a
// refused command is one of the codes the rules allow. Replay with ORDO_TEST_SEED.

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include "domain/order_aggregate.hpp"

namespace ordo::domain {
namespace {

constexpr int walks = 10'000;
constexpr int steps_per_walk = 40;

std::uint64_t test_seed() {
  if (const char* text = std::getenv("ORDO_TEST_SEED"))
    return std::strtoull(text, nullptr, 10);
  return std::random_device{}();
}

std::vector<line_item> random_lines(std::mt19937_64& rng) {
  std::vector<line_item> lines;
  const auto count = 1 + rng() % 5;
  for (std::uint64_t i = 0; i < count; ++i) {
    // Prices cluster around the free-shipping and return-fee thresholds.
    const std::int64_t prices[] = {1, 1'000, 3'000, 4'999, 5'000, 9'900, 19'799, 19'800, 50'000};
    lines.push_back({"S" + std::to_string(i), static_cast<std::uint32_t>(1 + rng() % 4),
                     prices[rng() % std::size(prices)]});
  }
  return lines;
}

std::optional<std::vector<line_quantity>> random_subset(std::mt19937_64& rng,
                                                        const order_state& state) {
  if (rng() % 3 == 0)
    return std::nullopt;
  std::vector<line_quantity> picked;
  for (const auto& line : state.order.lines)
    if (rng() % 2 == 0)
      picked.push_back({line.sku, static_cast<std::uint32_t>(1 + rng() % line.qty)});
  if (picked.empty())
    picked.push_back({state.order.lines.front().sku, 1});
  return picked;
}

command random_command(std::mt19937_64& rng, const order_state& state) {
  switch (rng() % 9) {
    case 0:
      return authorize_payment{};
    case 1:
      return decline_payment{};
    case 2:
      return expire_payment{};
    case 3:
      return cancel_order{random_subset(rng, state)};
    case 4:
      return ship_order{"TRK"};
    case 5:
      return deliver_order{};
    case 6:
      return request_return{random_subset(rng, state)};
    case 7:
      return refund_return{};
    default:
      return place_order{state.order.id, "x", false, {{"A", 1, 1}}};
  }
}

TEST(random_walk, invariants_hold_after_every_step) {
  const auto seed = test_seed();
  SCOPED_TRACE("ORDO_TEST_SEED=" + std::to_string(seed));
  std::mt19937_64 rng{seed};
  std::size_t accepted = 0;
  for (int walk = 0; walk < walks; ++walk) {
    std::int64_t now = 1'764'000'000'000;
    const bool member = rng() % 2 == 0;
    auto placed = decide(std::nullopt, place_order{"W" + std::to_string(walk), "c", member,
                                                   random_lines(rng)},
                         now);
    ASSERT_TRUE(placed.ok()) << placed.error().message;
    auto state = apply_event(std::nullopt, *placed);
    for (int i = 0; i < steps_per_walk; ++i) {
      now += static_cast<std::int64_t>(rng() % (3 * 24 * 3600 * 1000LL));
      const auto cmd = random_command(rng, state);
      const auto decided = decide(state, cmd, now);
      if (!decided.ok()) {
        const auto code = decided.error().code;
        ASSERT_TRUE(code == errc::invalid_state || code == errc::bad_request ||
                    code == errc::conflict)
          << "walk " << walk << " step " << i << ": " << decided.error().message;
        continue;
      }
      const auto next = apply_event(state, *decided);
      ASSERT_EQ(find_invariant_violation(next), std::nullopt);
      ASSERT_EQ(next.order.version, state.order.version + 1);
      ASSERT_GE(next.order.refunded, state.order.refunded);
      ASSERT_LE(next.order.total, std::max(state.order.total, state.charged));
      ASSERT_EQ(next.order.created_at, state.order.created_at);
      ASSERT_EQ(next.member, member);
      state = next;
      ++accepted;
    }
  }
  // A walk that accepts nothing tests nothing.
  EXPECT_GT(accepted, static_cast<std::size_t>(walks));
}

} // namespace
} // namespace ordo::domain
