#include "messages/detail/msgpack_io.hpp"

#include <exception>

namespace ordo::messages::detail {

namespace {

// No request or reply has more than a few dozen keys or nests deeper than five levels, and
// lines and list pages hold at most 100 entries; unknown extra fields still fit. msgpack-c
// allocates an array's or map's slots before reading them, so these bounds also stop a
// 5-byte frame from asking for gigabytes.
constexpr std::size_t max_array_entries = 1024;
constexpr std::size_t max_map_entries = 64;
constexpr std::size_t max_nesting_depth = 16;

bool reference_strings(msgpack::type::object_type, std::size_t, void*) {
  return true;
}

} // namespace

result<msgpack::object_handle> unpack_whole(std::string_view payload) noexcept {
  if (payload.empty())
    return error{errc::bad_request, "empty frame"};
  try {
    const msgpack::unpack_limit limit{max_array_entries, max_map_entries, payload.size(),
                                      payload.size(),    payload.size(),  max_nesting_depth};
    std::size_t offset = 0;
    auto handle = msgpack::unpack(payload.data(), payload.size(), offset, reference_strings,
                                  nullptr, limit);
    if (offset != payload.size())
      return error{errc::bad_request, "trailing bytes after the msgpack value"};
    return handle;
  } catch (const msgpack::insufficient_bytes&) {
    return error{errc::bad_request, "truncated msgpack value"};
  } catch (const msgpack::size_overflow&) {
    return error{errc::bad_request, "msgpack value exceeds a size limit"};
  } catch (const std::exception& e) {
    return error{errc::bad_request, std::string{"malformed msgpack: "} + e.what()};
  }
}

} // namespace ordo::messages::detail
