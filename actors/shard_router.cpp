#include "actors/shard_router.hpp"

#include <cassert>
#include <cstdint>

namespace ordo::actors {

const caf::actor& shard_router::pick(std::string_view key) const {
  assert(!shards.empty());
  std::uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : key) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return shards[hash % shards.size()];
}

} // namespace ordo::actors
