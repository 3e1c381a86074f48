// Builds arbitrary msgpack in tests, including what the codec must refuse (wrong types,
// non-string keys, duplicate keys), which the codec's own encoders cannot produce.
#pragma once

#include <msgpack.hpp>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace ordo::test {

struct value;
using entries = std::vector<std::pair<value, value>>;
using items = std::vector<value>;

struct value {
  std::variant<std::nullptr_t, bool, std::int64_t, std::uint64_t, double, std::string, items,
               entries>
    v;
  value(std::nullptr_t) : v(nullptr) {}
  value(bool b) : v(b) {}
  value(int i) : v(static_cast<std::int64_t>(i)) {}
  value(std::int64_t i) : v(i) {}
  value(std::uint64_t u) : v(u) {}
  value(double d) : v(d) {}
  value(const char* s) : v(std::string{s}) {}
  value(std::string s) : v(std::move(s)) {}
  value(items a) : v(std::move(a)) {}
  value(entries m) : v(std::move(m)) {}
};

// Replaces (or adds) `key` in a map value; removes it when `replacement` is empty.
inline entries with(entries map, const std::string& key, std::optional<value> replacement) {
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (std::holds_alternative<std::string>(it->first.v) &&
        std::get<std::string>(it->first.v) == key) {
      if (replacement)
        it->second = *replacement;
      else
        map.erase(it);
      return map;
    }
  }
  if (replacement)
    map.emplace_back(key, *replacement);
  return map;
}

// msgpack-c packs integral doubles as integers; a test of "not an integer" needs a real float64.
inline void pack_float64(msgpack::sbuffer& buffer, double d) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, &d, sizeof bits);
  char out[9] = {static_cast<char>(0xcb)};
  for (int i = 0; i < 8; ++i)
    out[1 + i] = static_cast<char>(bits >> (56 - 8 * i));
  buffer.write(out, sizeof out);
}

inline void pack_value(msgpack::sbuffer& buffer, const value& x) {
  msgpack::packer<msgpack::sbuffer> pk{buffer};
  std::visit(
    [&](const auto& v) {
      using T = std::decay_t<decltype(v)>;
      if constexpr (std::is_same_v<T, std::nullptr_t>) {
        pk.pack_nil();
      } else if constexpr (std::is_same_v<T, items>) {
        pk.pack_array(static_cast<std::uint32_t>(v.size()));
        for (const auto& item : v)
          pack_value(buffer, item);
      } else if constexpr (std::is_same_v<T, entries>) {
        pk.pack_map(static_cast<std::uint32_t>(v.size()));
        for (const auto& [k, item] : v) {
          pack_value(buffer, k);
          pack_value(buffer, item);
        }
      } else if constexpr (std::is_same_v<T, double>) {
        pack_float64(buffer, v);
      } else {
        pk.pack(v);
      }
    },
    x.v);
}

inline std::string pack(const value& x) {
  msgpack::sbuffer buffer;
  pack_value(buffer, x);
  return {buffer.data(), buffer.size()};
}

} // namespace ordo::test
