// Picks the directory shard that owns a key: a stable hash (FNV-1a), so every session and
// engine part agrees on where an order or session lives.
#pragma once

#include <caf/actor.hpp>

#include <string_view>
#include <vector>

namespace ordo::actors {

struct shard_router {
  std::vector<caf::actor> shards;

  const caf::actor& pick(std::string_view key) const;
};

} // namespace ordo::actors
