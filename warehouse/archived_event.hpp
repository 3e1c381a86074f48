// One entry of an events stream as the warehouse keeps it: the fields of docs/PROTOCOL.md
// ("Events") plus what the engine needs to serve the order again once it left Redis
// (membership at placement, delivery time, what was charged), which every entry carries
// too.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "domain/order_state.hpp"
#include "ordo/error.hpp"

namespace ordo::warehouse {

struct archived_event {
  std::string type;
  std::int64_t at = 0; // Unix ms
  domain::order_state state; // after the event; state.order.version is the event's version
};

// The entry's fields as XREAD gives them (name, value, name, value...). bad_request naming
// the field when the entry is not one the engine wrote.
result<archived_event> event_from_entry(const std::vector<std::pair<std::string, std::string>>& fields);

} // namespace ordo::warehouse
