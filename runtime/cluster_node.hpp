// This process as a node of the engine (docs/CLUSTER.md): it registers itself in Redis and
// heartbeats there, sees the other nodes the same way, takes the customer shard tags that
// rendezvous hashing gives it over the live nodes by lease, renews them, hands off the ones
// that move to another node, and tells the order actors which tags they may serve under
// which epoch (actors/served_tags.hpp).
//
// It runs on its own thread with its own Redis connection, so that renewals never wait
// behind the engine's commits and a busy scheduler cannot delay them.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "actors/served_tags.hpp"
#include "cluster/ownership.hpp"
#include "domain/order_id.hpp"
#include "runtime/options.hpp"

namespace ordo::runtime {

class redis_client;

struct cluster_node_options {
  std::string name;    // unique in the engine
  std::string address; // HOST:PORT other nodes and clients reach this node at
  std::string key_prefix = "ordo:";
  host_port redis;
  std::chrono::milliseconds redis_timeout{1'000};
  std::int64_t lease_ms = 3'000;
};

struct cluster_member {
  std::string name;
  std::string owner; // name and incarnation
  std::string address;
  std::int64_t expires_in_ms = 0; // until its heartbeat runs out, by Redis' clock
};

class cluster_node final : public actors::served_tags {
public:
  explicit cluster_node(cluster_node_options opts);
  // Stops without releasing: the leases lapse, as they would if the process died.
  ~cluster_node() override;
  cluster_node(const cluster_node&) = delete;
  cluster_node& operator=(const cluster_node&) = delete;

  // Hands every tag off (the commits in flight finish first), releases the leases and
  // leaves the nodes' registry, so the other nodes take over at once instead of after a
  // lease. Waits up to `within`; what is not released by then lapses.
  void leave(std::chrono::milliseconds within);

  // Waits up to `within` until this node serves every tag assigned to it; false if not.
  bool await_settled(std::chrono::milliseconds within) const;

  const std::string& owner() const { return owner_; }
  std::vector<cluster_member> members() const;
  std::size_t tags_served() const;
  // Where a request for `tag` goes: none when this node serves the tag or is about to (or
  // knows no better), else the address of the node the tag is assigned to.
  std::optional<std::string> forward_address(std::size_t tag) const;
  // The other live nodes' addresses.
  std::vector<std::string> peer_addresses() const;
  std::uint64_t renewals_failed() const { return renewals_failed_.load(std::memory_order_relaxed); }
  std::uint64_t handoffs() const { return handoffs_.load(std::memory_order_relaxed); }

  std::optional<actors::commit_fence> lease_of(std::size_t tag) const override;
  bool awaiting(std::size_t tag) const override;
  void fenced(std::size_t tag, std::uint64_t epoch) override;
  std::optional<actors::commit_fence> begin_commit(std::size_t tag) override;
  void end_commit(std::size_t tag) override;

private:
  enum class request_kind { none, acquire, renew, release };

  struct tag_slot {
    explicit tag_slot(cluster::lease_timing timing) : ownership(timing) {}
    mutable std::mutex mutex;
    cluster::tag_ownership ownership;
    bool assigned = false; // rendezvous hashing gives it to this node
    int in_flight = 0;     // commits
    // The request out, the cluster thread's alone.
    request_kind out = request_kind::none;
    cluster::tag_ownership::ticket ticket = 0;
  };

  void run();
  void beat(const char* op, bool assigning);
  void assign(const std::vector<std::string>& names);
  void step_leases();
  std::int64_t now_ms() const;

  cluster_node_options opts_;
  cluster::lease_timing timing_;
  std::string owner_;
  std::shared_ptr<redis_client> redis_;
  std::vector<std::unique_ptr<tag_slot>> tags_;

  mutable std::mutex members_mutex_;
  std::vector<cluster_member> members_;
  std::vector<std::string> assigned_address_; // by tag: its assigned node's, "" for this one

  std::mutex state_mutex_;
  std::condition_variable state_changed_;
  bool stopping_ = false;
  bool leaving_ = false;
  bool left_ = false;

  std::atomic<std::uint64_t> renewals_failed_{0};
  std::atomic<std::uint64_t> handoffs_{0}; // leases released
  // When Redis last answered this node (its clock), and whether it has seen the members yet.
  std::atomic<std::int64_t> last_answer_ms_{0};
  std::atomic<bool> seen_members_{false};
  std::chrono::steady_clock::time_point epoch_zero_ = std::chrono::steady_clock::now();
  std::thread thread_;
};

} // namespace ordo::runtime
