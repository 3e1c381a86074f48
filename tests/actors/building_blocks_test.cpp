// The plain parts under the actors: tokens, the role matrix, the restart limiter, the
// resident set, fingerprints and the shard router.

#include <gtest/gtest.h>

#include "auth/fingerprint.hpp"
#include "actors/permissions.hpp"
#include "actors/resident_set.hpp"
#include "actors/restart_limiter.hpp"
#include "auth/token.hpp"

namespace ordo::actors {
namespace {

constexpr std::int64_t now_ms = 1'764'000'000'000;

TEST(token, a_minted_token_verifies_with_its_claims) {
  const auto tok = auth::mint_token(ordo::role::operator_, "ops-1", now_ms / 1000 + 60, "k");
  const auto claims = auth::verify_token(tok, "k", now_ms);
  ASSERT_TRUE(claims.ok()) << claims.error().message;
  EXPECT_EQ(claims->role, ordo::role::operator_);
  EXPECT_EQ(claims->subject, "ops-1");
  EXPECT_EQ(claims->expires_at_s, now_ms / 1000 + 60);
}

TEST(token, has_the_wire_shape_with_a_lowercase_hex_sha256_mac) {
  const auto tok = auth::mint_token(ordo::role::customer, "alice", 2000000000, "secret");
  EXPECT_EQ(tok.rfind("customer.alice.2000000000.", 0), 0u);
  const auto mac = tok.substr(tok.rfind('.') + 1);
  EXPECT_EQ(mac.size(), 64u);
  EXPECT_EQ(mac.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(token, matches_an_independent_hmac_sha256) {
  // HMAC-SHA256("key", "customer.alice.2000000000"), computed with Python's hmac module.
  EXPECT_EQ(auth::mint_token(ordo::role::customer, "alice", 2000000000, "key"),
            "customer.alice.2000000000."
            "75a9bae31e40e7cf12d3a6feaadf87faaf80dca533b99000bdb09199b02ab479");
}

TEST(token, expires_at_its_expiry_second) {
  const auto tok = auth::mint_token(ordo::role::customer, "alice", now_ms / 1000 + 1, "k");
  EXPECT_TRUE(auth::verify_token(tok, "k", now_ms).ok());
  EXPECT_FALSE(auth::verify_token(tok, "k", now_ms + 1'000).ok());
}

TEST(token, every_tampered_part_is_refused) {
  const auto tok = auth::mint_token(ordo::role::customer, "alice", now_ms / 1000 + 60, "k");
  for (std::size_t i = 0; i < tok.size(); ++i) {
    auto bad = tok;
    bad[i] = bad[i] == 'a' ? 'b' : 'a';
    EXPECT_EQ(auth::verify_token(bad, "k", now_ms).error().code, errc::unauthenticated) << bad;
  }
}

TEST(token, subjects_follow_the_spec_pattern) {
  EXPECT_TRUE(auth::valid_subject("Alice_01-x"));
  EXPECT_TRUE(auth::valid_subject(std::string(64, 'a')));
  EXPECT_FALSE(auth::valid_subject(std::string(65, 'a')));
  EXPECT_FALSE(auth::valid_subject(""));
  EXPECT_FALSE(auth::valid_subject("a.b"));
  EXPECT_FALSE(auth::valid_subject("a b"));
}

TEST(permissions, the_role_matrix_of_the_spec) {
  using ordo::role;
  const auto customer = role::customer;
  const auto op = role::operator_;
  EXPECT_TRUE(role_may(customer, place_request{}));
  EXPECT_FALSE(role_may(op, place_request{}));
  EXPECT_TRUE(role_may(customer, get_request{}));
  EXPECT_TRUE(role_may(op, get_request{}));
  EXPECT_TRUE(role_may(customer, list_request{}));
  EXPECT_FALSE(role_may(op, list_request{}));
  EXPECT_TRUE(role_may(customer, cancel_request{}));
  EXPECT_FALSE(role_may(op, cancel_request{}));
  EXPECT_FALSE(role_may(customer, ship_request{}));
  EXPECT_TRUE(role_may(op, ship_request{}));
  EXPECT_FALSE(role_may(customer, deliver_request{}));
  EXPECT_TRUE(role_may(op, deliver_request{}));
  EXPECT_TRUE(role_may(customer, return_request{}));
  EXPECT_FALSE(role_may(op, return_request{}));
  EXPECT_FALSE(role_may(customer, refund_request{}));
  EXPECT_TRUE(role_may(op, refund_request{}));
  EXPECT_TRUE(role_may(customer, membership_request{}));
  EXPECT_FALSE(role_may(op, membership_request{}));
  EXPECT_TRUE(role_may(customer, subscribe_request{}));
  EXPECT_FALSE(role_may(op, subscribe_request{}));
}

TEST(restart_limiter, allows_max_restarts_within_the_period_then_refuses) {
  restart_limiter limiter{2, 1'000};
  limiter.record_crash(0);
  limiter.record_crash(10);
  EXPECT_TRUE(limiter.allows_start(20));
  limiter.record_crash(30);
  EXPECT_FALSE(limiter.allows_start(40));
  EXPECT_FALSE(limiter.allows_start(999));
  EXPECT_TRUE(limiter.allows_start(1'000));
  EXPECT_FALSE(limiter.forgotten(1'000));
  EXPECT_TRUE(limiter.forgotten(1'030));
}

TEST(resident_set, orders_keys_by_last_use) {
  resident_set set;
  set.touch("a", 1);
  set.touch("b", 2);
  set.touch("c", 3);
  set.touch("a", 4);
  EXPECT_EQ(set.least_recent(2), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(set.idle_since(3, 10), (std::vector<std::string>{"b"}));
  EXPECT_EQ(set.idle_since(5, 1), (std::vector<std::string>{"b"}));
  set.erase("b");
  EXPECT_EQ(set.size(), 2u);
  EXPECT_FALSE(set.contains("b"));
  EXPECT_EQ(set.least_recent(5), (std::vector<std::string>{"c", "a"}));
}

TEST(fingerprint, ignores_the_idempotency_key_but_not_the_request) {
  const place_request a{"k-1", {{"A", 1, 100}}};
  const place_request same_other_key{"k-2", {{"A", 1, 100}}};
  const place_request other{"k-1", {{"A", 2, 100}}};
  EXPECT_EQ(auth::fingerprint_of(a), auth::fingerprint_of(same_other_key));
  EXPECT_NE(auth::fingerprint_of(a), auth::fingerprint_of(other));
  EXPECT_NE(auth::fingerprint_of(cancel_request{"o", "k", std::nullopt}),
            auth::fingerprint_of(return_request{"o", "k", std::nullopt}));
  EXPECT_EQ(auth::fingerprint_of(a).size(), auth::fingerprint_bytes);
}

} // namespace
} // namespace ordo::actors
