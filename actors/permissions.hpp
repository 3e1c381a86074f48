// Which role may use which op (docs/PROTOCOL.md's "who" column). Ownership (a customer only
// sees their own orders) is checked by the order actor, which knows the order's customer.
#pragma once

#include "ordo/reply.hpp"
#include "ordo/request.hpp"

namespace ordo::actors {

// hello, resume and ping are open to anyone and are not asked here.
bool role_may(ordo::role role, const request_body& body);

} // namespace ordo::actors
