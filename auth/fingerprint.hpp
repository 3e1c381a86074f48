// The fingerprint of a request for idempotency: SHA-256 of its canonical encoding without
// rid and idem, so a retry matches its original and a different request under the same key
// does not.
#pragma once

#include <string>

#include "ordo/request.hpp"

namespace ordo::auth {

std::string fingerprint_of(const request_body& body);

} // namespace ordo::auth
