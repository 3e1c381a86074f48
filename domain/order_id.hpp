// Order ids: 28 characters of Crockford base32: a 48-bit Unix-ms timestamp and 80 random
// bits (the ULID layout), then the customer's 2-character shard tag. Unique across nodes
// and restarts without coordination; sorting ids sorts orders by creation time, which is
// what `list` pages by; and the tag puts an order's keys in the same Redis Cluster slot as
// its customer's keys.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace ordo::domain {

inline constexpr std::size_t order_id_chars = 28;
inline constexpr std::size_t customer_tag_chars = 2;
inline constexpr std::size_t customer_tags = 1024; // 32^2: slots the keys can spread over

// A short, stable hash of the customer id.
std::string customer_tag(std::string_view customer);

std::string make_order_id(std::int64_t created_at_ms, const std::array<std::uint8_t, 10>& entropy,
                          std::string_view tag);

// A tag's number in [0, customer_tags), and back: how the cluster assigns tags to nodes.
// customer_tags for a string that is not a tag.
std::size_t tag_index(std::string_view tag);
std::string tag_at(std::size_t index);

// The tag an id carries, or "" when `id` is not an order id.
std::string_view order_id_tag(std::string_view id);

// The creation time encoded in an id, or -1 when `id` is not one.
std::int64_t order_id_time_ms(std::string_view id);

} // namespace ordo::domain
