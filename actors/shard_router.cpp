#include "actors/shard_router.hpp"

#include <cstdint>

namespace ordo::actors {

std::size_t shard_of(std::string_view key, std::size_t shard_count) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : key) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return static_cast<std::size_t>(hash % shard_count);
}

} // namespace ordo::actors
