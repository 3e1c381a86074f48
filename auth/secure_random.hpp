// Unguessable randomness from the OS (OpenSSL's RAND_bytes): session ids are bearer
// credentials and order ids must not collide across nodes.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace ordo::auth {

std::array<std::uint8_t, 10> order_id_entropy();

// 128 random bits as 32 lowercase hex characters.
std::string make_session_id();

} // namespace ordo::auth
