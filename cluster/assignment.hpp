// Which node should own a customer shard tag: rendezvous (highest random weight) hashing
// over the nodes a node believes alive. Every node computes the same answer from the same
// list with no coordination, and a change of membership moves only the tags it must: a new
// node takes tags from the others, a departed node's tags spread over the rest. Ownership
// itself is settled by the leases (cluster/lease_rules.hpp); this only says who should try.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ordo::cluster {

// A well-mixed 64-bit weight of (node, tag), the same in every process and on every
// platform (so never std::hash).
std::uint64_t assignment_weight(std::string_view node, std::size_t tag);

// The node with the highest weight for `tag`, the smaller name on a tie; "" when `nodes` is
// empty.
std::string owner_of(std::size_t tag, const std::vector<std::string>& nodes);

// The tags in [0, tags) that owner_of gives to `node`, ascending.
std::vector<std::size_t> tags_of(std::string_view node, const std::vector<std::string>& nodes,
                                 std::size_t tags);

} // namespace ordo::cluster
