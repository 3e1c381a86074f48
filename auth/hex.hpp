// Lowercase hex of raw bytes: MACs, digests and session ids.
#pragma once

#include <cstddef>
#include <string>

namespace ordo::auth {

inline std::string to_hex(const unsigned char* bytes, std::size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out += digits[bytes[i] >> 4];
    out += digits[bytes[i] & 15];
  }
  return out;
}

} // namespace ordo::auth
