// How ordoctl shows results: aligned tables for people, JSON (the protocol's field names)
// for scripts.
#pragma once

#include <string>

#include "messages/order_json.hpp"
#include "ordo/reply.hpp"

namespace ordo::ctl {

std::string order_table(const ordo::order& o);
std::string orders_table(const std::vector<ordo::order>& orders);
std::string orders_json(const std::vector<ordo::order>& orders);

// A reply as people read it, or as one JSON document.
std::string render(const reply_body& body, bool json);

} // namespace ordo::ctl
