// Rendezvous hashing: even shares of the 1024 customer tags, minimal movement when a node
// comes or goes, the same answer everywhere.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "cluster/assignment.hpp"
#include "domain/order_id.hpp" // customer_tags only: a constant, nothing to link

namespace ordo::cluster {
namespace {

constexpr std::size_t tags = domain::customer_tags;

std::vector<std::string> names(std::size_t count, std::string (*name)(std::size_t)) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < count; ++i)
    out.push_back(name(i));
  return out;
}

std::string address(std::size_t i) {
  return "10.0.0." + std::to_string(i + 1) + ":7400";
}
std::string letter(std::size_t i) {
  return std::string{"node-"} + static_cast<char>('a' + i);
}
std::string numbered(std::size_t i) {
  return "ordod-" + std::to_string(i);
}
std::string port(std::size_t i) {
  return "127.0.0.1:" + std::to_string(7400 + i);
}

std::map<std::string, std::size_t> shares(const std::vector<std::string>& nodes) {
  std::map<std::string, std::size_t> out;
  for (std::size_t tag = 0; tag < tags; ++tag)
    ++out[owner_of(tag, nodes)];
  return out;
}

TEST(assignment, shares_of_1024_tags_are_within_20_percent_of_even_for_2_to_7_nodes) {
  for (auto name : {address, letter, numbered, port}) {
    for (std::size_t count = 2; count <= 7; ++count) {
      const auto nodes = names(count, name);
      const auto got = shares(nodes);
      ASSERT_EQ(got.size(), count) << nodes[0];
      const double even = static_cast<double>(tags) / static_cast<double>(count);
      for (const auto& [node, share] : got)
        EXPECT_LE(std::abs(static_cast<double>(share) - even), 0.2 * even)
            << node << " of " << count << " nodes has " << share << " tags";
    }
  }
}

TEST(assignment, adding_a_node_moves_tags_only_to_it) {
  for (auto name : {address, letter, numbered, port}) {
    for (std::size_t count = 1; count <= 6; ++count) {
      const auto before = names(count, name);
      const auto after = names(count + 1, name);
      std::size_t moved = 0;
      for (std::size_t tag = 0; tag < tags; ++tag) {
        const auto was = owner_of(tag, before);
        const auto is = owner_of(tag, after);
        if (was != is) {
          EXPECT_EQ(is, after.back()) << "tag " << tag;
          ++moved;
        }
      }
      EXPECT_GT(moved, 0u);
    }
  }
}

TEST(assignment, removing_a_node_moves_only_its_tags) {
  for (auto name : {address, letter, numbered, port}) {
    const auto all = names(5, name);
    for (std::size_t gone = 0; gone < all.size(); ++gone) {
      auto rest = all;
      rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(gone));
      for (std::size_t tag = 0; tag < tags; ++tag) {
        const auto was = owner_of(tag, all);
        if (was != all[gone]) {
          EXPECT_EQ(owner_of(tag, rest), was) << "tag " << tag;
        } else {
          EXPECT_NE(owner_of(tag, rest), was);
        }
      }
    }
  }
}

TEST(assignment, the_order_of_the_node_list_does_not_matter) {
  auto nodes = names(5, letter);
  std::vector<std::string> owners;
  for (std::size_t tag = 0; tag < tags; ++tag)
    owners.push_back(owner_of(tag, nodes));
  std::reverse(nodes.begin(), nodes.end());
  for (std::size_t tag = 0; tag < tags; ++tag)
    EXPECT_EQ(owner_of(tag, nodes), owners[tag]);
}

TEST(assignment, weights_are_pinned) {
  // The same in every process and on every platform: a change here re-shards a running
  // cluster as soon as its nodes run different builds.
  EXPECT_EQ(assignment_weight("node-a", 0), 0x06938f2ab623e20cu);
  EXPECT_EQ(assignment_weight("node-a", 1), 0xb300078d33e2661fu);
  EXPECT_EQ(assignment_weight("10.0.0.1:7400", 1023), 0x39aa0ae4b3af2758u);
  EXPECT_EQ(assignment_weight("", 0), 0x69dd497cadf91c08u);
}

TEST(assignment, no_nodes_own_nothing) {
  EXPECT_EQ(owner_of(7, {}), "");
  EXPECT_TRUE(tags_of("node-a", {}, tags).empty());
}

TEST(assignment, a_lone_node_owns_every_tag) {
  EXPECT_EQ(tags_of("node-a", {"node-a"}, 16).size(), 16u);
}

TEST(assignment, tags_of_lists_exactly_the_tags_owner_of_gives_the_node_in_ascending_order) {
  const auto nodes = names(4, address);
  std::size_t total = 0;
  for (const auto& node : nodes) {
    const auto mine = tags_of(node, nodes, tags);
    EXPECT_TRUE(std::is_sorted(mine.begin(), mine.end()));
    for (auto tag : mine)
      EXPECT_EQ(owner_of(tag, nodes), node);
    total += mine.size();
  }
  EXPECT_EQ(total, tags);
}

TEST(assignment, a_node_not_in_the_list_owns_nothing) {
  EXPECT_TRUE(tags_of("node-z", names(3, letter), tags).empty());
}

} // namespace
} // namespace ordo::cluster
