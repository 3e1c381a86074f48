// HMAC-SHA256 under the engine's auth key, as lowercase hex: what signs customer tokens and
// node proofs, and a constant-time comparison of two MACs.
#pragma once

#include <string>
#include <string_view>

namespace ordo::auth {

std::string hmac_hex(std::string_view payload, std::string_view key);

bool same_mac(std::string_view a, std::string_view b);

} // namespace ordo::auth
