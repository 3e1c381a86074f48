#include "auth/fingerprint.hpp"

#include <openssl/evp.h>

#include "messages/codec.hpp"

namespace ordo::auth {

std::string fingerprint_of(const request_body& body) {
  auto canonical = body;
  std::visit(
    [](auto& req) {
      if constexpr (requires { req.idem; })
        req.idem.clear();
    },
    canonical);
  std::string bytes;
  encode_request(request{0, std::move(canonical)}, bytes);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &digest_len, EVP_sha256(), nullptr);
  return std::string{reinterpret_cast<const char*>(digest), digest_len};
}

} // namespace ordo::auth
