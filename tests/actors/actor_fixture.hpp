// Drives the whole actor tree deterministically: CAF's test coordinator runs every actor on
// the test's thread, a manual clock stands in for the wall clock, and the in-memory store
// and the payment simulator stand in for Redis and a payment provider.
#pragma once

#include <gtest/gtest.h>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <memory>
#include <optional>

#include "actors/actor_tree.hpp"
#include "support/memory_store.hpp"
#include "actors/payment.hpp"
#include "actors/session_protocol.hpp"
#include "ordo/error.hpp"

namespace ordo::actors::test {

inline constexpr std::int64_t t0 = 1'764'000'000'000;
inline constexpr const char* auth_key = "test-auth-key";

struct outcome {
  bool done = false;
  std::optional<ordo::reply_body> reply;
  ordo::error error;

  bool ok() const { return done && reply.has_value(); }
  errc code() const { return error.code; }
  const ordo::order& order() const;
};

struct subscriber {
  caf::actor handle;
  std::shared_ptr<std::vector<ordo::order>> pushes;
};

class actor_fixture : public ::testing::Test {
protected:
  actor_fixture();
  ~actor_fixture() override;

  // Settings a test may change before the first request starts the engine.
  engine_context ctx;
  payment_simulator_options payment{std::chrono::milliseconds{3}, 0.0, 1};
  std::size_t shards = 2;

  std::shared_ptr<memory_store_data> data = std::make_shared<memory_store_data>();
  std::shared_ptr<fault_injector> faults = std::make_shared<fault_injector>();
  std::int64_t now = t0;

  // Runs every runnable actor until nothing is left to do.
  void run();
  // Moves both the wall clock and CAF's timers forward, then runs.
  void advance(std::chrono::milliseconds by);

  std::string token(ordo::role role, const std::string& subject, std::int64_t ttl_s = 3600);
  // Opens a session (fails the test otherwise) and returns its id.
  std::string login(const std::string& subject, ordo::role role = ordo::role::customer);
  std::shared_ptr<outcome> send(const std::string& session, ordo::request_body body);
  outcome call(const std::string& session, ordo::request_body body);
  // Places a one-line order and fails the test when that does not succeed.
  ordo::order place(const std::string& session, std::vector<line_item> lines,
                    const std::string& idem = "k-place");
  subscriber subscribe(const std::string& session);
  std::size_t resident_orders();
  std::size_t parked_orders();
  std::shared_ptr<outcome> hello_outcome(const std::string& token);

  const actor_tree& tree();
  caf::actor_system& system() { return *sys_; }

private:
  template <class Atom>
  std::size_t count_orders(Atom question);

  caf::actor_system_config cfg_;
  std::unique_ptr<caf::actor_system> sys_;
  caf::scheduler::test_coordinator* sched_ = nullptr;
  std::optional<actor_tree> tree_;
  store_actor store_;
  caf::actor payment_;
  std::vector<caf::actor> probes_;
};

} // namespace ordo::actors::test
