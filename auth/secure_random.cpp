#include "auth/secure_random.hpp"

#include <openssl/rand.h>

#include <cstdlib>
#include <cstdio>

#include "auth/hex.hpp"

namespace ordo::auth {

namespace {

void fill(unsigned char* out, int size) {
  if (RAND_bytes(out, size) != 1) {
    // Without entropy no id can be trusted to be unique or secret.
    std::fputs("ordo: the OS random source failed\n", stderr);
    std::abort();
  }
}

} // namespace

std::array<std::uint8_t, 10> order_id_entropy() {
  std::array<std::uint8_t, 10> out{};
  fill(out.data(), static_cast<int>(out.size()));
  return out;
}

std::string make_session_id() {
  unsigned char raw[16];
  fill(raw, sizeof raw);
  return to_hex(raw, sizeof raw);
}

} // namespace ordo::auth
