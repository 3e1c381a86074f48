// The store interface: everything the actors keep durable, as one typed actor. The order
// and session actors only talk to this interface; memory_store implements it for tests and
// the Redis store (runtime/) for production, with no change to the actors.
#pragma once

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "actors/atoms.hpp"
#include "domain/events.hpp"
#include "domain/order_state.hpp"
#include "ordo/reply.hpp"

namespace ordo::actors {

// What the store holds for one order id; empty when the order does not exist.
struct stored_order {
  std::optional<domain::order_state> state;
};

// An idempotency key of docs/DOMAIN.md, claimed by a customer-facing change.
struct idem_claim {
  std::string customer;
  std::string key;
  std::string fingerprint; // the request without rid and idem: same key, other request = conflict
};

struct idem_record {
  std::string fingerprint;
  ordo::order reply; // the order as the original reply showed it
};

// The lease a commit is made under (cluster/lease_rules.hpp): the store applies the commit
// only while that lease is current, in the same atomic step, and otherwise answers
// unavailable having read and written nothing. That is what keeps a node that lost a tag
// (paused past its lease, cut off) from writing over the tag's new owner.
struct commit_fence {
  std::string owner;
  std::uint64_t epoch = 0;
};

// One state change, written atomically: the version check (fencing), the new state, the
// event for the events stream, the idempotency key with its reply, the customer's index and
// the payment deadline.
struct order_commit {
  std::uint64_t expected_version = 0; // 0: the order must not exist yet
  domain::order_state state;          // after the event
  domain::event event;
  std::optional<idem_claim> idem;
  std::optional<std::int64_t> payment_deadline_ms; // kept while unpaid, removed otherwise
  // A place: the customer's membership its prices assume. Sessions cache membership, so the
  // store refuses the place (conflict, nothing written) if the membership changed meanwhile.
  std::optional<bool> member_assumed;
  std::optional<commit_fence> fence; // none: a single engine that owns every tag
};

// A commit either wrote everything, or found its idempotency key already recorded (by an
// earlier or concurrent request) and wrote nothing, or was fenced: its lease was not
// current, and it read and wrote nothing.
struct commit_reply {
  std::optional<idem_record> replayed;
  bool fenced = false;
};

struct idem_lookup {
  std::optional<idem_record> record;
};

// A customer's orders, newest first, strictly older than `before` when given.
struct list_query {
  std::string customer;
  std::uint32_t limit = 20;
  std::optional<std::string> before;
};

struct order_page {
  std::vector<ordo::order> orders;
};

struct session_record {
  std::string id;
  std::string subject;
  ordo::role role = ordo::role::customer;
  std::int64_t expires_at_ms = 0; // the store forgets the session then
};

struct stored_session {
  std::optional<session_record> session;
};

// Unpaid orders whose payment deadline is due, oldest first, at most `limit`.
struct due_orders {
  std::vector<std::string> order_ids;
};

// Failures are caf::errors from actors/errors.hpp: conflict (a stale expected_version) and
// unavailable (the store could not confirm in time; nothing or everything was applied).
// Contract: every request is answered, at the latest `unavailable` after the store's own
// timeout, so the actors wait on it without timers of their own (each timer costs a trip
// through CAF's clock thread, the engine's busiest lock).
using store_actor = caf::typed_actor<
  caf::replies_to<load_atom, std::string>::with<stored_order>,
  caf::replies_to<commit_atom, order_commit>::with<commit_reply>,
  caf::replies_to<idem_atom, std::string, std::string>::with<idem_lookup>,
  caf::replies_to<list_atom, list_query>::with<order_page>,
  caf::replies_to<member_atom, get_atom, std::string>::with<bool>,
  caf::replies_to<member_atom, put_atom, std::string, bool>::with<bool>,
  caf::replies_to<session_atom, put_atom, session_record>::with<bool>,
  caf::replies_to<session_atom, get_atom, std::string>::with<stored_session>,
  caf::replies_to<deadline_atom, std::int64_t, std::uint32_t>::with<due_orders>>;

} // namespace ordo::actors

// Actor messages never leave the process (the wire protocol is msgpack, not CAF's BASP), so
// their types need no CAF serializer.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ordo::actors::stored_order)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ordo::actors::order_commit)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ordo::actors::commit_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ordo::actors::idem_lookup)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ordo::actors::list_query)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ordo::actors::order_page)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ordo::actors::session_record)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ordo::actors::stored_session)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ordo::actors::due_orders)
