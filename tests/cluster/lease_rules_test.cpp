// The lease rules, case by case: what Redis' script must do for each request against a free,
// live, expired and released lease.

#include <gtest/gtest.h>

#include "cluster/lease_rules.hpp"

namespace ordo::cluster {

bool operator==(const lease& a, const lease& b) {
  return a.owner == b.owner && a.epoch == b.epoch && a.expires_at_ms == b.expires_at_ms;
}

void PrintTo(const lease& l, std::ostream* out) {
  *out << "{owner '" << l.owner << "', epoch " << l.epoch << ", expires " << l.expires_at_ms << "}";
}

namespace {

constexpr std::int64_t span_ms = 3000;
const lease free_lease{};
const lease held_by_a{"a#1", 4, 10'000}; // live before 10'000

TEST(lease_rules, a_lease_is_live_while_owned_and_before_its_expiry) {
  EXPECT_TRUE(is_live(held_by_a, 9'999));
  EXPECT_FALSE(is_live(held_by_a, 10'000));
  EXPECT_FALSE(is_live(free_lease, 0));
  EXPECT_FALSE(is_live(lease{"", 4, 10'000}, 0)); // an owner "" is nobody, whatever the expiry
}

TEST(lease_rules, acquire_of_a_free_lease_grants_the_next_epoch) {
  const auto got = acquire(free_lease, "a#1", 500, span_ms);
  EXPECT_TRUE(got.granted);
  EXPECT_EQ(got.now, (lease{"a#1", 1, 3'500}));
}

TEST(lease_rules, acquire_of_an_expired_lease_grants_the_next_epoch_to_anyone) {
  const auto other = acquire(held_by_a, "b#1", 10'000, span_ms);
  EXPECT_TRUE(other.granted);
  EXPECT_EQ(other.now, (lease{"b#1", 5, 13'000}));
  // The former holder too starts over under a new epoch: its old one may have been fenced.
  const auto same = acquire(held_by_a, "a#1", 10'000, span_ms);
  EXPECT_TRUE(same.granted);
  EXPECT_EQ(same.now, (lease{"a#1", 5, 13'000}));
}

TEST(lease_rules, a_new_epoch_exceeds_the_askers_floor_after_redis_forgot_its_leases) {
  // Redis restarted without persistence: the lease is gone, but a node held epoch 9.
  const auto got = acquire(free_lease, "a#1", 500, span_ms, 9);
  EXPECT_EQ(got.now, (lease{"a#1", 10, 3'500}));
  // A floor below what Redis holds changes nothing.
  EXPECT_EQ(acquire(held_by_a, "b#1", 10'000, span_ms, 2).now.epoch, 5u);
  // Nor does it change a live holder's own epoch.
  EXPECT_EQ(acquire(held_by_a, "a#1", 9'000, span_ms, 9).now.epoch, 4u);
}

TEST(lease_rules, acquire_of_a_released_lease_grants_the_epoch_after_the_released_one) {
  const auto released = release(held_by_a, "a#1", 4);
  const auto got = acquire(released, "b#1", 600, span_ms);
  EXPECT_TRUE(got.granted);
  EXPECT_EQ(got.now, (lease{"b#1", 5, 3'600}));
}

TEST(lease_rules, acquire_by_the_live_holder_keeps_its_epoch_with_a_fresh_term) {
  const auto got = acquire(held_by_a, "a#1", 9'000, span_ms);
  EXPECT_TRUE(got.granted);
  EXPECT_EQ(got.now, (lease{"a#1", 4, 12'000}));
}

TEST(lease_rules, acquire_of_a_live_lease_by_another_owner_is_refused_and_changes_nothing) {
  const auto got = acquire(held_by_a, "b#1", 9'999, span_ms);
  EXPECT_FALSE(got.granted);
  EXPECT_EQ(got.now, held_by_a);
}

TEST(lease_rules, a_new_incarnation_of_the_same_node_is_another_owner) {
  EXPECT_FALSE(acquire(held_by_a, "a#2", 9'000, span_ms).granted);
}

TEST(lease_rules, renew_by_the_live_holder_under_its_epoch_gives_a_fresh_term) {
  const auto got = renew(held_by_a, "a#1", 4, 9'999, span_ms);
  EXPECT_TRUE(got.granted);
  EXPECT_EQ(got.now, (lease{"a#1", 4, 12'999}));
}

TEST(lease_rules, renew_after_expiry_is_refused_even_for_the_holder) {
  const auto got = renew(held_by_a, "a#1", 4, 10'000, span_ms);
  EXPECT_FALSE(got.granted);
  EXPECT_EQ(got.now, held_by_a);
}

TEST(lease_rules, renew_under_another_epoch_or_owner_is_refused) {
  EXPECT_FALSE(renew(held_by_a, "a#1", 3, 9'000, span_ms).granted);
  EXPECT_FALSE(renew(held_by_a, "a#1", 5, 9'000, span_ms).granted);
  EXPECT_FALSE(renew(held_by_a, "b#1", 4, 9'000, span_ms).granted);
  EXPECT_EQ(renew(held_by_a, "b#1", 4, 9'000, span_ms).now, held_by_a);
}

TEST(lease_rules, renew_of_a_free_lease_is_refused) {
  EXPECT_FALSE(renew(release(held_by_a, "a#1", 4), "a#1", 4, 9'000, span_ms).granted);
  EXPECT_FALSE(renew(free_lease, "a#1", 0, 0, span_ms).granted);
}

TEST(lease_rules, release_by_the_holder_frees_the_lease_and_keeps_the_epoch) {
  EXPECT_EQ(release(held_by_a, "a#1", 4), (lease{"", 4, 0}));
}

TEST(lease_rules, release_of_an_expired_lease_by_its_last_holder_frees_it_too) {
  // Time plays no part in a release: freeing a lease nobody else took is harmless.
  const lease expired{"a#1", 4, 100};
  EXPECT_EQ(release(expired, "a#1", 4), (lease{"", 4, 0}));
}

TEST(lease_rules, release_under_another_epoch_or_owner_changes_nothing) {
  EXPECT_EQ(release(held_by_a, "a#1", 3), held_by_a);
  EXPECT_EQ(release(held_by_a, "b#1", 4), held_by_a);
  // A release still on its way when the lease passed on must not free the new holder's.
  const lease taken{"b#1", 5, 20'000};
  EXPECT_EQ(release(taken, "a#1", 4), taken);
}

TEST(lease_rules, release_of_a_free_lease_changes_nothing) {
  const lease released{"", 4, 0};
  EXPECT_EQ(release(released, "a#1", 4), released);
}

TEST(lease_rules, commits_are_allowed_only_to_the_live_holder_under_its_epoch) {
  EXPECT_TRUE(may_commit(held_by_a, "a#1", 4, 9'999));
  EXPECT_FALSE(may_commit(held_by_a, "a#1", 4, 10'000));
  EXPECT_FALSE(may_commit(held_by_a, "a#1", 3, 9'000));
  EXPECT_FALSE(may_commit(held_by_a, "b#1", 4, 9'000));
  EXPECT_FALSE(may_commit(release(held_by_a, "a#1", 4), "a#1", 4, 9'000));
}

TEST(lease_rules, a_commit_from_the_former_holder_is_fenced_once_the_lease_passed_on) {
  const auto taken = acquire(held_by_a, "b#1", 10'000, span_ms).now;
  EXPECT_FALSE(may_commit(taken, "a#1", 4, 10'001));
  EXPECT_TRUE(may_commit(taken, "b#1", 5, 10'001));
}

TEST(lease_rules, epochs_never_go_back_across_any_sequence_of_requests) {
  // Every request of every kind from three owners at growing times: the epoch only grows,
  // and it grows exactly when the lease goes to an owner while not live.
  const std::string owners[] = {"a#1", "b#1", "c#1"};
  lease l;
  std::int64_t now = 0;
  for (int step = 0; step < 3000; ++step) {
    now += (step * 7919) % 1700;
    const auto& who = owners[step % 3];
    const auto before = l;
    switch ((step / 3) % 3) {
      case 0: {
        const auto got = acquire(l, who, now, span_ms);
        if (got.granted && !is_live(before, now)) {
          EXPECT_EQ(got.now.epoch, before.epoch + 1);
        }
        l = got.now;
        break;
      }
      case 1:
        l = renew(l, who, step % 2 ? l.epoch : l.epoch + 1, now, span_ms).now;
        break;
      default:
        l = release(l, who, l.epoch);
    }
    ASSERT_GE(l.epoch, before.epoch);
    if (l.epoch != before.epoch) {
      ASSERT_EQ(l.epoch, before.epoch + 1);
    }
  }
}

} // namespace
} // namespace ordo::cluster
