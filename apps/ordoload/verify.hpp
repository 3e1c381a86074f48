// After the load: every acknowledged order exists with the acknowledged state or a later
// one, read back through the engine and straight from Redis; the events stream holds every
// acknowledged event; no customer has more orders than were acknowledged (idempotent
// retries created none). With a warehouse, an order that left Redis counts where the
// warehouse holds it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "runtime/options.hpp"
#include "simulation.hpp"

namespace ordo::load {

struct verification {
  std::uint64_t orders_read_back = 0;
  std::uint64_t orders_in_redis = 0;
  std::uint64_t events_found = 0;
  std::uint64_t customers_counted = 0;
  bool redis_checked = false;
  std::vector<std::string> failures; // empty: verified
};

verification verify(transport& t, std::size_t operator_channel, const load_result& r,
                    const std::vector<std::string>& customers,
                    const std::optional<runtime::host_port>& redis, const std::string& key_prefix,
                    const std::string& archive);

} // namespace ordo::load
