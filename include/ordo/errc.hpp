// The protocol's error codes (docs/PROTOCOL.md) as one enum, used by every layer: the domain
// returns them, actors carry them, the codec writes them on the wire.
#pragma once

#include <optional>
#include <string_view>

namespace ordo {

enum class errc {
  bad_request,
  unauthenticated,
  forbidden,
  not_found,
  invalid_state,
  conflict,
  unavailable,
  overloaded,
  frame_too_large,
  internal,
};

inline constexpr errc all_errcs[] = {
  errc::bad_request,   errc::unauthenticated, errc::forbidden,  errc::not_found,
  errc::invalid_state, errc::conflict,        errc::unavailable, errc::overloaded,
  errc::frame_too_large, errc::internal,
};

// The wire name of a code, e.g. "invalid_state".
std::string_view to_string(errc code) noexcept;

std::optional<errc> parse_errc(std::string_view name) noexcept;

} // namespace ordo
