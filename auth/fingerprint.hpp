// The fingerprint of a request for idempotency: SHA-256 of its canonical encoding without
// rid and idem, so a retry matches its original and a different request under the same key
// does not. The 32 bytes of the digest themselves, not hex: every idempotency record in
// Redis holds one for 24 h.
#pragma once

#include <string>

#include "ordo/request.hpp"

namespace ordo::auth {

inline constexpr std::size_t fingerprint_bytes = 32;

std::string fingerprint_of(const request_body& body);

} // namespace ordo::auth
