// Representative, valid instances of every message, shared by the codec tests.
#pragma once

#include <vector>

#include "ordo/order.hpp"
#include "ordo/reply.hpp"
#include "ordo/request.hpp"

namespace ordo::test {

order sample_order();
order sample_cancelled_order();
std::vector<request> sample_requests();
std::vector<reply> sample_replies();

} // namespace ordo::test
