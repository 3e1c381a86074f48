// Where Ordo keeps things in Redis. Every key starts with the configured prefix. Keys of one
// customer and of that customer's orders share the hash tag {T}, T the customer's 2-char
// tag (embedded in every order id), so one commit script touches one Redis Cluster slot;
// the events stream is the one exception (see docs/ARCHITECTURE.md, "Redis layout").
//
//   P{T}o:ID            hash   v version, s ORDER (msgpack), m member, d delivered_at, c charged
//   P{T}c:CUSTOMER      zset   the customer's order ids (score 0: ids sort by creation time)
//   P{T}i:CUSTOMER:KEY  string fingerprint length (1 byte), fingerprint, reply ORDER (msgpack);
//                              expires after 24 h (an earlier engine's: a hash, f and r)
//   P{T}d               zset   payment deadlines of unpaid orders: id by due time (ms)
//   P{T}m:CUSTOMER      string "1" for a member
//   P{T}lease           hash   o owner, e epoch, x expiry (ms): who serves tag T (CLUSTER.md)
//   P{T}a               zset   "ID CUSTOMER" by the time of its last change, for the orders
//                              whose last change is archived: what may leave Redis
//                              (WAREHOUSE.md); the order's hash then has a = that version
//   Pnodes              hash   NAME -> EXPIRES_AT OWNER ADDRESS: the engine's live nodes
//   Ps:SESSION          string ROLE:EXPIRES_AT_MS:SUBJECT; expires with the session
//   Pevents             stream one entry per applied event (docs/PROTOCOL.md, events)
//   Pevent-streams      set    the name of every events stream the engine writes
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ordo::runtime {

class redis_keys {
public:
  explicit redis_keys(std::string prefix) : prefix_(std::move(prefix)) {}

  const std::string& prefix() const { return prefix_; }

  // Empty when `order_id` carries no valid tag: such an order cannot exist.
  std::string order(std::string_view order_id) const;
  std::string order_prefix(std::string_view tag) const;
  std::string customer_index(std::string_view customer) const;
  std::string customer_index_prefix(std::string_view tag) const;
  std::string idem(std::string_view customer, std::string_view key) const;
  std::string deadlines(std::string_view tag) const;
  std::string member(std::string_view customer) const;
  std::string session(std::string_view session_id) const;
  std::string events() const;
  std::string event_streams() const;
  std::string archived(std::string_view tag) const;
  std::string lease(std::string_view tag) const;
  std::string nodes() const;

  // Every tag's deadline set: what the deadline scan reads.
  std::vector<std::string> all_deadline_sets() const;

private:
  std::string tagged(std::string_view tag) const;

  std::string prefix_;
};

} // namespace ordo::runtime
