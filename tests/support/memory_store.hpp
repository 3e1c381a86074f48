// The store interface in memory, for unit tests of the actors only (no durability). Its data
// and fault switches are shared with the test, which can read what was committed and make
// the store refuse or stay silent, as Redis can.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>

#include <caf/fwd.hpp>

#include "actors/store.hpp"

namespace ordo::actors {

struct memory_store_data {
  std::map<std::string, domain::order_state> orders;
  std::map<std::pair<std::string, std::string>, idem_record> idem_keys; // (customer, key)
  std::map<std::string, std::set<std::string>> orders_by_customer;
  std::map<std::string, bool> members;
  std::map<std::string, session_record> sessions;
  std::map<std::string, std::int64_t> payment_deadlines;
  std::vector<std::pair<std::string, domain::event>> events; // (order id, event), in order
  // A fenced commit applies only under the lease recorded here for its tag, as the Redis
  // commit script checks (expiry is the Redis store's business, not modelled).
  std::map<std::string, commit_fence> leases; // by tag
  std::size_t commits = 0;
  std::size_t loads = 0;

  // Faults: every request is refused unavailable while `down`; the next `silent_requests`
  // requests get no answer until `answer_timeout` has passed, then unavailable, as the Redis
  // store answers when Redis stops answering.
  bool down = false;
  int silent_requests = 0;
  std::chrono::milliseconds answer_timeout{1'000};
};

store_actor spawn_memory_store(caf::actor_system& sys, std::shared_ptr<memory_store_data> data);

} // namespace ordo::actors
