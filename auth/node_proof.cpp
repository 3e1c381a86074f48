#include "auth/node_proof.hpp"

#include "auth/hmac.hpp"

namespace ordo::auth {

namespace {

std::string payload(std::string_view node, std::int64_t at_ms) {
  return "node." + std::string{node} + "." + std::to_string(at_ms);
}

} // namespace

std::string mint_node_proof(std::string_view node, std::int64_t at_ms, std::string_view auth_key) {
  return hmac_hex(payload(node, at_ms), auth_key);
}

result<bool> verify_node_proof(std::string_view node, std::int64_t at_ms, std::string_view mac,
                               std::string_view auth_key, std::int64_t now_ms) {
  if (!same_mac(mac, hmac_hex(payload(node, at_ms), auth_key)))
    return error{errc::unauthenticated, "bad node proof"};
  if (at_ms < now_ms - node_proof_window_ms || at_ms > now_ms + node_proof_window_ms)
    return error{errc::unauthenticated, "node proof out of its time window"};
  return true;
}

} // namespace ordo::auth
