// Node proofs: a fresh proof under the engine's key passes; another key, another name,
// another time or one outside the window does not; a customer token's MAC cannot pass.

#include <gtest/gtest.h>

#include "auth/node_proof.hpp"
#include "auth/token.hpp"

namespace ordo::auth {
namespace {

constexpr std::int64_t now = 1'764'000'000'000;

TEST(node_proof, only_a_fresh_proof_of_that_node_under_the_key_passes) {
  const auto proof = mint_node_proof("node-a", now, "key");
  EXPECT_TRUE(verify_node_proof("node-a", now, proof, "key", now + 1'000).ok());
  EXPECT_FALSE(verify_node_proof("node-a", now, proof, "other", now).ok());
  EXPECT_FALSE(verify_node_proof("node-b", now, proof, "key", now).ok());
  EXPECT_FALSE(verify_node_proof("node-a", now + 1, proof, "key", now).ok());
  const auto stale = verify_node_proof("node-a", now, proof, "key", now + node_proof_window_ms + 1);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, errc::unauthenticated);
  EXPECT_FALSE(verify_node_proof("node-a", now, proof, "key", now - node_proof_window_ms - 1).ok());
}

TEST(node_proof, a_customer_token_is_no_node_proof) {
  const auto token = mint_token(ordo::role::operator_, "node-a", now / 1000 + 60, "key");
  const auto mac = token.substr(token.rfind('.') + 1);
  EXPECT_FALSE(verify_node_proof("node-a", now, mac, "key", now).ok());
}

} // namespace
} // namespace ordo::auth
