// Tokens of docs/PROTOCOL.md: ROLE.SUBJECT.EXPIRY.MAC, MAC = lowercase hex HMAC-SHA256 of
// "ROLE.SUBJECT.EXPIRY" under the engine's auth key, EXPIRY in Unix seconds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ordo/error.hpp"
#include "ordo/reply.hpp"

namespace ordo::auth {

struct token_claims {
  ordo::role role = ordo::role::customer;
  std::string subject;
  std::int64_t expires_at_s = 0;
};

std::string mint_token(ordo::role role, std::string_view subject, std::int64_t expires_at_s,
                       std::string_view auth_key);

// unauthenticated for a malformed token, a wrong MAC (compared in constant time) or an
// expiry at or before `now_ms`.
result<token_claims> verify_token(std::string_view token, std::string_view auth_key,
                                  std::int64_t now_ms);

// SUBJECT of docs/PROTOCOL.md: [A-Za-z0-9_-]{1,64}.
bool valid_subject(std::string_view subject);

} // namespace ordo::auth
