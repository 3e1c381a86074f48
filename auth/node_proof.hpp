// How a node proves to another that it belongs to the same engine: the MAC of
// "node.NAME.UNIX_MS" under the shared auth key, fresh within a minute (so a recorded proof
// is useless soon after). A customer token cannot pass for one: the payload differs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ordo/error.hpp"

namespace ordo::auth {

inline constexpr std::int64_t node_proof_window_ms = 60'000;

std::string mint_node_proof(std::string_view node, std::int64_t at_ms, std::string_view auth_key);

// unauthenticated for a wrong MAC (compared in constant time) or a time further than the
// window from `now_ms`.
result<bool> verify_node_proof(std::string_view node, std::int64_t at_ms, std::string_view mac,
                               std::string_view auth_key, std::int64_t now_ms);

} // namespace ordo::auth
