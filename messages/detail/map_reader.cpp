#include "messages/detail/map_reader.hpp"

#include <algorithm>
#include <limits>

namespace ordo::messages::detail {

namespace {

std::string_view key_of(const msgpack::object_kv& kv) {
  return {kv.key.via.str.ptr, kv.key.via.str.size};
}

std::string range_text(auto min, auto max) {
  return "must be between " + std::to_string(min) + " and " + std::to_string(max);
}

} // namespace

map_reader::map_reader(const msgpack::object& object, std::string path,
                       std::optional<std::string>& failure)
  : path_(std::move(path)), failure_(failure) {
  if (failed())
    return;
  if (object.type != msgpack::type::MAP) {
    failure_ = (path_.empty() ? std::string{"message"} : "field '" + path_ + "'") +
               " must be a map";
    return;
  }
  const auto& m = object.via.map;
  for (std::uint32_t i = 0; i < m.size; ++i) {
    if (m.ptr[i].key.type != msgpack::type::STR) {
      failure_ = "map keys must be strings";
      return;
    }
    for (std::uint32_t j = 0; j < i; ++j) {
      if (key_of(m.ptr[j]) == key_of(m.ptr[i])) {
        failure_ = "duplicate key '" + std::string{key_of(m.ptr[i])} + "'";
        return;
      }
    }
  }
  map_ = m;
}

std::string map_reader::field_path(std::string_view key) const {
  return path_.empty() ? std::string{key} : path_ + "." + std::string{key};
}

void map_reader::fail(std::string_view key, std::string_view problem) {
  if (!failed())
    failure_ = "field '" + field_path(key) + "' " + std::string{problem};
}

const msgpack::object* map_reader::find(std::string_view key) const {
  if (failed())
    return nullptr;
  for (std::uint32_t i = 0; i < map_.size; ++i) {
    const auto& kv = map_.ptr[i];
    if (key_of(kv) == key)
      return kv.val.type == msgpack::type::NIL ? nullptr : &kv.val;
  }
  return nullptr;
}

const msgpack::object* map_reader::require(std::string_view key) {
  const auto* value = find(key);
  if (value == nullptr)
    fail(key, "is missing");
  return value;
}

bool map_reader::has(std::string_view key) const {
  return find(key) != nullptr;
}

std::string map_reader::string(std::string_view key, std::size_t max_bytes,
                               std::size_t min_bytes) {
  if (require(key) == nullptr)
    return {};
  return optional_string(key, max_bytes, min_bytes).value_or(std::string{});
}

std::optional<std::string> map_reader::optional_string(std::string_view key,
                                                       std::size_t max_bytes,
                                                       std::size_t min_bytes) {
  const auto* value = find(key);
  if (value == nullptr)
    return std::nullopt;
  if (value->type != msgpack::type::STR) {
    fail(key, "must be a string");
    return std::nullopt;
  }
  const auto size = value->via.str.size;
  if (size < min_bytes || size > max_bytes) {
    fail(key, "must have " + std::to_string(min_bytes) + " to " + std::to_string(max_bytes) +
                " bytes");
    return std::nullopt;
  }
  return std::string{value->via.str.ptr, size};
}

std::uint64_t map_reader::unsigned_integer(std::string_view key, std::uint64_t min,
                                           std::uint64_t max) {
  if (require(key) == nullptr)
    return min;
  return optional_unsigned_integer(key, min, max).value_or(min);
}

std::optional<std::uint64_t> map_reader::optional_unsigned_integer(std::string_view key,
                                                                   std::uint64_t min,
                                                                   std::uint64_t max) {
  const auto* value = find(key);
  if (value == nullptr)
    return std::nullopt;
  if (value->type == msgpack::type::NEGATIVE_INTEGER) {
    fail(key, range_text(min, max));
    return std::nullopt;
  }
  if (value->type != msgpack::type::POSITIVE_INTEGER) {
    fail(key, "must be an integer");
    return std::nullopt;
  }
  const auto number = value->via.u64;
  if (number < min || number > max) {
    fail(key, range_text(min, max));
    return std::nullopt;
  }
  return number;
}

std::optional<std::int64_t> map_reader::optional_saturated_integer(std::string_view key) {
  const auto* value = find(key);
  if (value == nullptr)
    return std::nullopt;
  if (value->type == msgpack::type::NEGATIVE_INTEGER)
    return value->via.i64;
  if (value->type == msgpack::type::POSITIVE_INTEGER)
    return static_cast<std::int64_t>(
      std::min<std::uint64_t>(value->via.u64, std::numeric_limits<std::int64_t>::max()));
  fail(key, "must be an integer");
  return std::nullopt;
}

std::int64_t map_reader::integer(std::string_view key, std::int64_t min, std::int64_t max) {
  const auto* value = require(key);
  if (value == nullptr)
    return min;
  std::int64_t number = 0;
  if (value->type == msgpack::type::NEGATIVE_INTEGER) {
    number = value->via.i64;
  } else if (value->type == msgpack::type::POSITIVE_INTEGER) {
    if (value->via.u64 > static_cast<std::uint64_t>(max)) {
      fail(key, range_text(min, max));
      return min;
    }
    number = static_cast<std::int64_t>(value->via.u64);
  } else {
    fail(key, "must be an integer");
    return min;
  }
  if (number < min || number > max) {
    fail(key, range_text(min, max));
    return min;
  }
  return number;
}

bool map_reader::boolean(std::string_view key) {
  const auto* value = require(key);
  if (value == nullptr)
    return false;
  if (value->type != msgpack::type::BOOLEAN) {
    fail(key, "must be a boolean");
    return false;
  }
  return value->via.boolean;
}

map_reader map_reader::map(std::string_view key) {
  const auto* value = require(key);
  // After a failure the nested reader reads nothing, whatever object it is given.
  return map_reader{value != nullptr ? *value : msgpack::object{}, field_path(key), failure_};
}

const msgpack::object_array* map_reader::array(const msgpack::object* value, std::string_view key,
                                               std::size_t min, std::size_t max) {
  if (value == nullptr)
    return nullptr;
  if (value->type != msgpack::type::ARRAY) {
    fail(key, "must be an array");
    return nullptr;
  }
  if (value->via.array.size < min || value->via.array.size > max) {
    fail(key, "must have " + std::to_string(min) + " to " + std::to_string(max) + " entries");
    return nullptr;
  }
  return &value->via.array;
}

} // namespace ordo::messages::detail
