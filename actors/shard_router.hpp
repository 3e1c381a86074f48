// Picks the directory shard that owns a key: a stable hash (FNV-1a), so every session and
// engine part agrees on where an order or session lives.
#pragma once

#include <cassert>
#include <cstddef>
#include <string_view>
#include <vector>

#include "actors/directory_handles.hpp"

namespace ordo::actors {

// Which of `shard_count` shards owns `key`.
std::size_t shard_of(std::string_view key, std::size_t shard_count);

template <class Handle>
struct shard_router {
  std::vector<Handle> shards;

  const Handle& pick(std::string_view key) const {
    assert(!shards.empty());
    return shards[shard_of(key, shards.size())];
  }
};

using order_router = shard_router<order_directory_actor>;
using session_router = shard_router<session_directory_actor>;

} // namespace ordo::actors
