// msgpack-c plumbing shared by the codec files: a packer that appends to a std::string, and an
// unpack that never throws and refuses to allocate for sizes a frame cannot hold.
#pragma once

#include <msgpack.hpp>

#include <string>
#include <string_view>

#include "ordo/error.hpp"

namespace ordo::messages::detail {

// The buffer interface msgpack::packer writes to.
class string_sink {
public:
  explicit string_sink(std::string& out) : out_(out) {}
  void write(const char* data, std::size_t size) { out_.append(data, size); }

private:
  std::string& out_;
};

using packer = msgpack::packer<string_sink>;

inline void pack_key(packer& pk, std::string_view key) {
  pk.pack_str(static_cast<std::uint32_t>(key.size()));
  pk.pack_str_body(key.data(), static_cast<std::uint32_t>(key.size()));
}

inline void pack_string(packer& pk, std::string_view value) {
  pk.pack_str(static_cast<std::uint32_t>(value.size()));
  pk.pack_str_body(value.data(), static_cast<std::uint32_t>(value.size()));
}

// Parses exactly one msgpack value that must span all of `payload`. The returned handle
// references `payload` (no copies of strings), so it must not outlive it.
result<msgpack::object_handle> unpack_whole(std::string_view payload) noexcept;

} // namespace ordo::messages::detail
