// Order ids: fixed length, time-ordered, unique for distinct entropy, time recoverable.

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "domain/order_id.hpp"
#include "ordo/limits.hpp"

namespace ordo::domain {
namespace {

std::array<std::uint8_t, 10> entropy_of(std::uint64_t value) {
  std::array<std::uint8_t, 10> out{};
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<std::uint8_t>(value >> (8 * (i % 8)));
  return out;
}

TEST(order_id, is_28_crockford_chars_within_the_protocol_limit) {
  const auto id = make_order_id(1'764'000'000'000, entropy_of(42), customer_tag("alice"));
  EXPECT_EQ(id.size(), 28u);
  EXPECT_LE(id.size(), limits::max_order_id_bytes);
  EXPECT_EQ(id.find_first_not_of("0123456789ABCDEFGHJKMNPQRSTVWXYZ"), std::string::npos);
}

TEST(order_id, sorts_by_creation_time) {
  std::mt19937_64 rng{7};
  std::string previous;
  for (std::int64_t t = 1'700'000'000'000; t < 1'700'000'000'000 + 5'000; t += 7) {
    const auto id = make_order_id(t, entropy_of(rng()), "7Z");
    EXPECT_LT(previous, id);
    previous = id;
  }
}

TEST(order_id, encodes_its_creation_time) {
  EXPECT_EQ(order_id_time_ms(make_order_id(1'764'000'000'123, entropy_of(1), "00")), 1'764'000'000'123);
  EXPECT_EQ(order_id_time_ms(make_order_id(0, entropy_of(1), "00")), 0);
  EXPECT_EQ(order_id_time_ms("not-an-id"), -1);
  EXPECT_EQ(order_id_time_ms("01JA000000000000000000000I00"), -1);
}

TEST(order_id, different_entropy_gives_different_ids_in_the_same_ms) {
  std::set<std::string> ids;
  for (std::uint64_t i = 0; i < 10'000; ++i)
    ids.insert(make_order_id(1'764'000'000'000, entropy_of(i * 0x9E3779B97F4A7C15ULL), "AB"));
  EXPECT_EQ(ids.size(), 10'000u);
}

TEST(order_id, carries_its_customers_tag) {
  const auto tag = customer_tag("alice");
  EXPECT_EQ(tag.size(), 2u);
  EXPECT_EQ(tag, customer_tag("alice"));
  EXPECT_EQ(order_id_tag(make_order_id(5, entropy_of(3), tag)), tag);
  EXPECT_EQ(order_id_tag("short"), "");
  EXPECT_EQ(order_id_tag("01JA0000000000000000000000!!"), "");
}

TEST(order_id, customer_tags_spread_over_the_tag_space) {
  std::set<std::string> tags;
  for (int i = 0; i < 20'000; ++i)
    tags.insert(customer_tag("customer-" + std::to_string(i)));
  EXPECT_GT(tags.size(), customer_tags * 9 / 10);
}

} // namespace
} // namespace ordo::domain
