// Order ids: 26 characters of Crockford base32, a 48-bit Unix-ms timestamp then 80 random
// bits (the ULID layout). Unique across nodes and restarts without coordination, and
// sorting ids sorts orders by creation time, which is what `list` pages by.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace ordo::domain {

inline constexpr std::size_t order_id_chars = 26;

std::string make_order_id(std::int64_t created_at_ms, const std::array<std::uint8_t, 10>& entropy);

// The creation time encoded in an id, or -1 when `id` is not one.
std::int64_t order_id_time_ms(std::string_view id);

} // namespace ordo::domain
