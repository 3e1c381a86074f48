// What `ordoctl cluster` shows: the engine's nodes as Redis holds them (docs/CLUSTER.md), each
// with its address, its heartbeat, the customer tags whose leases it holds and how long
// those leases have left, and the tags nobody holds.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "ordo/error.hpp"

namespace ordo::ctl {

struct node_view {
  std::string name;
  std::string owner;   // name and incarnation
  std::string address; // "-" for an embedded engine
  std::int64_t heartbeat_left_ms = 0;
  std::size_t tags = 0;
  std::int64_t soonest_lease_end_ms = 0; // of its leases, the least time left
  std::int64_t latest_lease_end_ms = 0;
};

struct cluster_view {
  std::vector<node_view> nodes;
  std::size_t unowned_tags = 0; // free, lapsed, or held by an incarnation no longer listed
};

// Reads the nodes hash and every tag's lease of the engine under `key_prefix`.
result<cluster_view> read_cluster(const std::string& host, std::uint16_t port,
                                  const std::string& key_prefix, std::chrono::milliseconds timeout);

std::string cluster_table(const cluster_view& view);
std::string cluster_json(const cluster_view& view);

} // namespace ordo::ctl
