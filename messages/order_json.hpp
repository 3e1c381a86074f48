// The ORDER map of docs/PROTOCOL.md as JSON, with the protocol's field names: what ordoctl's
// --json prints and what the warehouse keeps in its `state` columns (docs/WAREHOUSE.md).
#pragma once

#include <string>
#include <string_view>

#include "ordo/error.hpp"
#include "ordo/order.hpp"

namespace ordo {

// A JSON string literal: quotes, backslashes and every control character escaped.
std::string json_string(std::string_view text);

std::string order_json(const order& o);

// The inverse of order_json; bad_request naming what is wrong when `json` is not one.
result<order> order_from_json(std::string_view json);

} // namespace ordo
