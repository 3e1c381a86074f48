// The Lua scripts that make each state change one atomic Redis step. Loaded by EVALSHA
// (redis_client falls back to EVAL after NOSCRIPT). The "#!lua" shebang makes Redis 7 refuse
// a script up front when it is out of memory, instead of failing between two writes.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/redis_client.hpp"

namespace ordo::runtime {

struct redis_script {
  std::shared_ptr<const std::string> source;
  std::string sha1;
};

// An EVALSHA of `script` with these keys and args, carrying the script for the EVAL after a
// NOSCRIPT.
redis_command script_call(const redis_script& script, std::vector<std::string> keys,
                          std::vector<std::string> args);

// KEYS: order, customer index, idempotency key (the order key when there is none), deadline
// set, events stream, the customer's membership (the order key when not a place), the tag's
// lease (the order key when unfenced).
// ARGV: expected version, new version, ORDER msgpack, member, delivered_at, charged, order
// id, customer, event type, at, fingerprint ("" = no key), idempotency TTL (s), payment
// deadline ("" = none), the membership a place assumes ("1", "0"; "" = not a place), the
// lease owner the commit is fenced by ("" = unfenced) and its epoch, and "1" when the
// expected version is the archive's: the order may then be absent (it left Redis), and the
// commit brings it back whole.
// An idempotency record is one string: the fingerprint's length (one byte), the
// fingerprint, the reply ORDER; it expires after the TTL.
// Returns {"ok"}, {"fenced"} (the lease is not the committer's, or ran out: nothing read or
// written), {"conflict", current version}, {"conflict", "membership"} or
// {"replay", fingerprint, reply ORDER}.
const redis_script& commit_script();

// The same, for many commits in one call (redis_batch_form).
const redis_batch_form& commit_batch_form();

// KEYS: customer index. ARGV: before ("" = newest), limit, order key prefix.
// Returns the ORDER msgpack of up to `limit` orders, newest first.
const redis_script& list_script();

// KEYS: events stream. ARGV: max length, most entries to drop in one run.
// Trims the oldest entries beyond the max length, never one that a consumer group has not
// acknowledged yet (pending) or not been delivered yet. Returns how many it dropped.
const redis_script& trim_script();

// A tag's lease (cluster/lease_rules.hpp, on Redis' clock). KEYS: the lease. ARGV: acquire |
// renew | release, owner, epoch (for an acquire: the floor a new epoch exceeds), lease
// length (ms). Returns {granted
// (1 or 0), owner, epoch, expires at (ms), Redis' now (ms)} as the lease stands afterwards.
const redis_script& lease_script();

// The same, for many tags in one call: what a node's renewals travel as.
const redis_batch_form& lease_batch_form();

// The engine's nodes. KEYS: the nodes hash. ARGV: name, owner (name and incarnation),
// address, time to live (ms), beat | leave. A beat records the node until its time to live
// has passed; a leave removes it if the entry is still this incarnation's. Drops the
// entries that have expired and returns {Redis' now, then name, owner, address, expires at
// of every live node}.
const redis_script& nodes_script();

// The warehouse's marks and eviction (runtime/redis_scripts.cpp has their KEYS and ARGV).
const redis_script& mark_archived_script();
const redis_script& evict_script();

} // namespace ordo::runtime
