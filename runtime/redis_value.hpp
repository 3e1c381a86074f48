// A Redis reply as a plain value, so it can leave the client's thread after hiredis frees
// its own reply object.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ordo::runtime {

struct redis_value {
  enum class kind { nil, integer, string, status, error, array };
  kind type = kind::nil;
  std::int64_t integer = 0;
  std::string text; // string, status or error
  std::vector<redis_value> elements;

  bool is_error() const { return type == kind::error; }
  bool is_nil() const { return type == kind::nil; }
};

} // namespace ordo::runtime
