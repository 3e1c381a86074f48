#include "ordo/errc.hpp"

namespace ordo {

std::string_view to_string(errc code) noexcept {
  switch (code) {
    case errc::bad_request:
      return "bad_request";
    case errc::unauthenticated:
      return "unauthenticated";
    case errc::forbidden:
      return "forbidden";
    case errc::not_found:
      return "not_found";
    case errc::invalid_state:
      return "invalid_state";
    case errc::conflict:
      return "conflict";
    case errc::unavailable:
      return "unavailable";
    case errc::overloaded:
      return "overloaded";
    case errc::frame_too_large:
      return "frame_too_large";
    case errc::internal:
      return "internal";
  }
  return "internal";
}

std::optional<errc> parse_errc(std::string_view name) noexcept {
  for (auto code : all_errcs)
    if (to_string(code) == name)
      return code;
  return std::nullopt;
}

} // namespace ordo
