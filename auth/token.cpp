#include "auth/token.hpp"

#include <charconv>

#include "auth/hmac.hpp"
#include "ordo/limits.hpp"

namespace ordo::auth {

namespace {

error unauthenticated(std::string message) {
  return {errc::unauthenticated, std::move(message)};
}

} // namespace

bool valid_subject(std::string_view subject) {
  if (subject.empty() || subject.size() > limits::max_subject_bytes)
    return false;
  for (char c : subject) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok)
      return false;
  }
  return true;
}

std::string mint_token(ordo::role role, std::string_view subject, std::int64_t expires_at_s,
                       std::string_view auth_key) {
  std::string payload{to_string(role)};
  payload += '.';
  payload += subject;
  payload += '.';
  payload += std::to_string(expires_at_s);
  return payload + "." + hmac_hex(payload, auth_key);
}

result<token_claims> verify_token(std::string_view token, std::string_view auth_key,
                                  std::int64_t now_ms) {
  const auto mac_dot = token.rfind('.');
  if (mac_dot == std::string_view::npos)
    return unauthenticated("malformed token");
  const auto payload = token.substr(0, mac_dot);
  const auto mac = token.substr(mac_dot + 1);
  const auto first_dot = payload.find('.');
  const auto expiry_dot = payload.rfind('.');
  if (first_dot == std::string_view::npos || expiry_dot == first_dot)
    return unauthenticated("malformed token");
  token_claims claims;
  const auto role = parse_role(payload.substr(0, first_dot));
  if (!role)
    return unauthenticated("unknown role in token");
  claims.role = *role;
  claims.subject = std::string{payload.substr(first_dot + 1, expiry_dot - first_dot - 1)};
  if (!valid_subject(claims.subject))
    return unauthenticated("malformed subject in token");
  const auto expiry_text = payload.substr(expiry_dot + 1);
  const auto [end, ec] = std::from_chars(expiry_text.data(), expiry_text.data() + expiry_text.size(),
                                         claims.expires_at_s);
  if (ec != std::errc{} || end != expiry_text.data() + expiry_text.size() || expiry_text.empty())
    return unauthenticated("malformed expiry in token");
  const auto expected = hmac_hex(payload, auth_key);
  if (!same_mac(mac, expected))
    return unauthenticated("bad token signature");
  if (claims.expires_at_s <= now_ms / 1000)
    return unauthenticated("token expired");
  return claims;
}

} // namespace ordo::auth
