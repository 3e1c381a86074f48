// Typed, bounds-checked access to the fields of a decoded msgpack map. The first problem
// found anywhere in one message is kept (with the field's path, e.g. "lines[2].qty") and
// every later read returns a harmless default, so decoders read straight through and
// check once at the end instead of threading an error out of every field.
#pragma once

#include <msgpack.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ordo::messages::detail {

class map_reader {
public:
  map_reader(const msgpack::object& object, std::string path,
             std::optional<std::string>& failure);

  bool has(std::string_view key) const;

  // Strings must be msgpack str of min_bytes..max_bytes bytes.
  std::string string(std::string_view key, std::size_t max_bytes, std::size_t min_bytes = 1);
  std::optional<std::string> optional_string(std::string_view key, std::size_t max_bytes,
                                             std::size_t min_bytes = 1);

  std::uint64_t unsigned_integer(std::string_view key, std::uint64_t min, std::uint64_t max);
  std::optional<std::uint64_t> optional_unsigned_integer(std::string_view key,
                                                         std::uint64_t min, std::uint64_t max);
  std::int64_t integer(std::string_view key, std::int64_t min, std::int64_t max);
  // Any integer, saturated to the int64 range: for fields whose limits are checked later on
  // the typed value, where "too large" must stay too large rather than wrap or fail here.
  std::optional<std::int64_t> optional_saturated_integer(std::string_view key);
  bool boolean(std::string_view key);

  // Calls each(map_reader&) for every entry of an array of maps of min..max entries.
  // A nil or absent optional array yields false and calls nothing.
  template <class Each>
  void maps(std::string_view key, std::size_t min, std::size_t max, Each&& each);
  template <class Each>
  bool optional_maps(std::string_view key, std::size_t min, std::size_t max, Each&& each);

  // Reads a nested map.
  map_reader map(std::string_view key);

  bool failed() const { return failure_.has_value(); }
  void fail(std::string_view key, std::string_view problem);

private:
  // Returns the value of `key`, nullptr when absent (nil counts as absent) or after a failure.
  const msgpack::object* find(std::string_view key) const;
  const msgpack::object* require(std::string_view key);
  const msgpack::object_array* array(const msgpack::object* value, std::string_view key,
                                     std::size_t min, std::size_t max);
  std::string field_path(std::string_view key) const;

  // A copy of the map's {size, ptr}: the object it came from may be a temporary.
  msgpack::object_map map_{};
  std::string path_;
  std::optional<std::string>& failure_;
};

template <class Each>
void map_reader::maps(std::string_view key, std::size_t min, std::size_t max, Each&& each) {
  if (!optional_maps(key, min, max, each) && !failed())
    fail(key, "is missing");
}

template <class Each>
bool map_reader::optional_maps(std::string_view key, std::size_t min, std::size_t max,
                               Each&& each) {
  const auto* entries = array(find(key), key, min, max);
  if (entries == nullptr)
    return false;
  for (std::uint32_t i = 0; i < entries->size && !failed(); ++i) {
    map_reader entry{entries->ptr[i], field_path(key) + "[" + std::to_string(i) + "]", failure_};
    each(entry);
  }
  return true;
}

} // namespace ordo::messages::detail
