// Every limit of a request (docs/DOMAIN.md, docs/PROTOCOL.md) as a named constant. One
// function enforces them, check_limits (messages/request_limits.hpp), on every request
// whichever door it came through; its messages are built from these, and the domain only
// asserts them.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ordo::limits {

inline constexpr std::size_t min_lines = 1;
inline constexpr std::size_t max_lines = 100;
inline constexpr std::uint32_t min_qty = 1;
inline constexpr std::uint32_t max_qty = 1000;
inline constexpr std::int64_t min_price_krw = 1;
inline constexpr std::int64_t max_price_krw = 100'000'000;

inline constexpr std::size_t max_order_id_bytes = 32;
inline constexpr std::size_t max_idem_bytes = 64;
inline constexpr std::size_t max_subject_bytes = 64;

// The protocol leaves these open; docs/PROTOCOL.md records the choices.
inline constexpr std::size_t max_sku_bytes = 64;
inline constexpr std::size_t max_tracking_bytes = 128;
inline constexpr std::size_t max_token_bytes = 512;
inline constexpr std::size_t max_session_bytes = 128;
inline constexpr std::size_t max_reason_bytes = 64;

inline constexpr std::uint32_t min_list_limit = 1;
inline constexpr std::uint32_t max_list_limit = 100;
inline constexpr std::uint32_t default_list_limit = 20;

inline constexpr std::size_t frame_header_bytes = 4;
inline constexpr std::size_t default_max_frame_bytes = 1024 * 1024;

} // namespace ordo::limits
