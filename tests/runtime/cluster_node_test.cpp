// Nodes on a real Redis: one alone serves every tag; two split them evenly and never serve
// one tag at once; one that leaves hands its tags over at once; one that vanishes without
// leaving (kill -9) has its tags taken over once its leases run out, under new epochs.

#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "domain/order_id.hpp"
#include "runtime/cluster_node.hpp"
#include "support/redis_server.hpp"

namespace ordo::runtime {
namespace {

using std::chrono::milliseconds;

// Far beyond what any machine needs for a few leases of 300 ms.
constexpr milliseconds patience{20'000};

class cluster_nodes : public ::testing::Test {
protected:
  std::unique_ptr<cluster_node> node(const std::string& name) {
    cluster_node_options o;
    o.name = name;
    o.address = "127.0.0.1:" + std::to_string(7400 + name.back());
    o.key_prefix = "t:";
    o.redis = {"127.0.0.1", redis.port()};
    o.lease_ms = lease_ms;
    return std::make_unique<cluster_node>(std::move(o));
  }

  // Waits until `check` holds; false after `patience`.
  template <class Check>
  bool eventually(Check check) {
    const auto deadline = std::chrono::steady_clock::now() + patience;
    while (std::chrono::steady_clock::now() < deadline) {
      if (check())
        return true;
      std::this_thread::sleep_for(milliseconds{10});
    }
    return false;
  }

  static std::size_t served_by_both(const cluster_node& a, const cluster_node& b) {
    std::size_t both = 0;
    for (std::size_t tag = 0; tag < domain::customer_tags; ++tag)
      both += a.lease_of(tag) && b.lease_of(tag) ? 1 : 0;
    return both;
  }

  std::int64_t lease_ms = 300;
  test::redis_server redis;
};

TEST_F(cluster_nodes, a_lone_node_serves_every_tag_and_is_listed_with_its_address) {
  auto a = node("a");
  ASSERT_TRUE(a->await_settled(patience));
  EXPECT_EQ(a->tags_served(), domain::customer_tags);
  const auto members = a->members();
  ASSERT_EQ(members.size(), 1u);
  EXPECT_EQ(members[0].name, "a");
  EXPECT_EQ(members[0].owner, a->owner());
  EXPECT_EQ(members[0].address, "127.0.0.1:7497");
  const auto fence = a->begin_commit(0);
  ASSERT_TRUE(fence.has_value());
  EXPECT_EQ(fence->owner, a->owner());
  EXPECT_GE(fence->epoch, 1u);
  a->end_commit(0);
}

TEST_F(cluster_nodes, two_nodes_split_the_tags_evenly_and_never_serve_one_together) {
  auto a = node("a");
  ASSERT_TRUE(a->await_settled(patience));
  auto b = node("b");
  std::size_t overlap = 0;
  ASSERT_TRUE(eventually([&] {
    overlap += served_by_both(*a, *b);
    return a->tags_served() + b->tags_served() == domain::customer_tags && b->tags_served() > 0 &&
           a->members().size() == 2;
  }));
  EXPECT_EQ(overlap, 0u);
  const double half = domain::customer_tags / 2.0;
  EXPECT_NEAR(static_cast<double>(a->tags_served()), half, half * 0.2);
  EXPECT_NEAR(static_cast<double>(b->tags_served()), half, half * 0.2);
}

TEST_F(cluster_nodes, a_node_that_leaves_hands_its_tags_over_before_its_leases_would_end) {
  lease_ms = 5'000; // a take-over would need this long; a hand-off does not wait for it
  auto a = node("a");
  ASSERT_TRUE(a->await_settled(patience));
  auto b = node("b");
  ASSERT_TRUE(eventually([&] { return a->tags_served() + b->tags_served() == domain::customer_tags && b->tags_served() > 0; }));
  const auto left_at = std::chrono::steady_clock::now();
  b->leave(patience);
  EXPECT_EQ(b->tags_served(), 0u);
  ASSERT_TRUE(eventually([&] { return a->tags_served() == domain::customer_tags; }));
  EXPECT_LT(std::chrono::steady_clock::now() - left_at, milliseconds{lease_ms});
  EXPECT_EQ(a->members().size(), 1u);
}

TEST_F(cluster_nodes, the_tags_of_a_node_that_vanished_are_taken_over_under_new_epochs) {
  auto a = node("a");
  ASSERT_TRUE(a->await_settled(patience));
  auto b = node("b");
  ASSERT_TRUE(eventually([&] { return a->tags_served() + b->tags_served() == domain::customer_tags && b->tags_served() > 0; }));
  std::map<std::size_t, std::uint64_t> b_epochs;
  for (std::size_t tag = 0; tag < domain::customer_tags; ++tag)
    if (const auto lease = b->lease_of(tag))
      b_epochs[tag] = lease->epoch;
  ASSERT_FALSE(b_epochs.empty());
  b.reset(); // stops without leaving, as a killed process would
  ASSERT_TRUE(eventually([&] { return a->tags_served() == domain::customer_tags; }));
  for (const auto& [tag, epoch] : b_epochs) {
    const auto lease = a->lease_of(tag);
    ASSERT_TRUE(lease.has_value()) << tag;
    EXPECT_GT(lease->epoch, epoch) << tag;
  }
}

TEST_F(cluster_nodes, a_fenced_tag_is_not_served_until_its_lease_is_acquired_again) {
  auto a = node("a");
  ASSERT_TRUE(a->await_settled(patience));
  const auto before = a->lease_of(5);
  ASSERT_TRUE(before.has_value());
  // Another incarnation took the lease (a's renewals are refused from now on).
  redis.cli({"HSET", "t:{05}lease", "o", "a#other", "e", std::to_string(before->epoch + 1), "x",
             "99999999999999"});
  a->fenced(5, before->epoch);
  EXPECT_FALSE(a->lease_of(5).has_value());
  EXPECT_TRUE(a->awaiting(5));
  // That lease runs out; a takes the tag again, under the epoch after it.
  redis.cli({"HSET", "t:{05}lease", "x", "0"});
  ASSERT_TRUE(eventually([&] { return a->lease_of(5).has_value(); }));
  EXPECT_EQ(a->lease_of(5)->epoch, before->epoch + 2);
}

} // namespace
} // namespace ordo::runtime
