#include "actors/order_actor.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <memory>
#include <vector>

#include "actors/atoms.hpp"
#include "actors/errors.hpp"
#include "actors/order_protocol.hpp"
#include "actors/served_tags.hpp"
#include "actors/payment.hpp"
#include "domain/order_aggregate.hpp"
#include "domain/order_id.hpp"
#include "messages/codec.hpp"

namespace ordo::actors {

namespace {

// How soon an actor whose state could not be read tries again, for the engine's own
// commands (a payment outcome, a deadline) that must not be lost to an outage.
constexpr std::chrono::seconds reload_retry{1};

// How often an order whose tag this node does not serve right now looks again: a hand-off
// or a take-over completes within a lease, and the request waits rather than fails.
constexpr std::chrono::milliseconds tag_retry{50};

struct pending_command {
  order_request request;
  std::optional<caf::response_promise> promise; // empty for the engine's own commands
};

struct order_actor_state {
  context_ptr ctx;
  order_directory_actor directory;
  std::string id;
  std::size_t tag = 0;
  std::optional<domain::order_state> order;
  bool loaded = false;
  // Under several nodes: the lease epoch under which `order` is known to be current. Another
  // epoch means another node may have changed the order since: it is read again. A fresh
  // order (a place under a new id) is current under any epoch until its first command.
  std::uint64_t epoch = 0;
  bool fresh = false;
  bool tag_retry_armed = false;
  std::uint32_t tag_retries = 0; // looks since the tag was last served, tag_retry apart
  bool busy = false; // a load, commit or idempotency lookup is in flight
  // A vector rather than a deque: an empty deque still allocates a block, and most resident
  // orders have nothing queued. Queues stay short, so erasing at the front is cheap.
  std::vector<pending_command> queue;
  // On the heap: a command is some 300 bytes, and most resident orders run none.
  std::unique_ptr<pending_command> current;
  bool payment_in_flight = false;
  std::int64_t requested_amount = 0; // what the last authorization asked for; a void returns it
  static inline const char* name = "ordo.order";
};

using order_self = caf::stateful_actor<order_actor_state>*;

void pump(order_self self);

void finish(order_self self, caf::expected<ordo::order> outcome) {
  auto& st = self->state;
  if (st.current && st.current->promise) {
    if (outcome)
      st.current->promise->deliver(std::move(*outcome));
    else
      st.current->promise->deliver(std::move(outcome.error()));
  }
  st.current.reset();
}

void fail(order_self self, errc code, std::string message) {
  finish(self, make_error(code, std::move(message)));
}

// An actor with no order and nothing to do is not worth keeping resident.
void retire_if_empty(order_self self) {
  auto& st = self->state;
  if (st.loaded && !st.order && !st.busy && st.queue.empty())
    self->send(st.directory, retire_atom::value, st.id);
}

// The engine's own commands and reads; queue_internal leaves running them to the caller's
// pump.
void queue_internal(order_self self, order_op op) {
  auto& st = self->state;
  st.queue.push_back({order_request{st.id, std::nullopt, std::move(op), std::nullopt, false},
                      std::nullopt});
}

void enqueue_internal(order_self self, domain::command cmd) {
  queue_internal(self, order_op{std::move(cmd)});
  pump(self);
}

// Whether the outcome of a payment waits in the queue, to run once the store answers.
bool payment_outcome_queued(const order_actor_state& st) {
  return std::any_of(st.queue.begin(), st.queue.end(), [](const pending_command& p) {
    return !p.promise && std::holds_alternative<domain::command>(p.request.op);
  });
}

std::optional<std::int64_t> payment_deadline(const order_actor_state& st,
                                             const domain::order_state& s) {
  if (s.order.status != order_status::pending_payment)
    return std::nullopt;
  return s.order.created_at + st.ctx->payment_timeout.count();
}

// An unpaid order asks for payment, after `placed` and after every activation (the engine
// may have died while the payment was in flight), or expires once its deadline has passed.
// The payment service answers by the deadline (actors/payment.hpp), so no timer is armed
// here; the caller's pump runs what this queues.
void drive_payment(order_self self) {
  auto& st = self->state;
  if (!st.order || st.order->order.status != order_status::pending_payment ||
      st.payment_in_flight || payment_outcome_queued(st))
    return;
  const auto left_ms = *payment_deadline(st, *st.order) - st.ctx->now_ms();
  if (left_ms <= 0) {
    queue_internal(self, order_op{domain::command{domain::expire_payment{}}});
    return;
  }
  st.requested_amount = st.order->order.total;
  st.payment_in_flight = true;
  self
    ->request(st.ctx->payment, caf::infinite, authorize_atom::value, st.id,
              st.requested_amount, left_ms)
    .then(
      [=](payment_decision decision) {
        self->state.payment_in_flight = false;
        if (const auto& m = self->state.ctx->metrics)
          bump(m->payment_outcomes[static_cast<std::size_t>(decision)]);
        switch (decision) {
          case payment_decision::authorized:
            enqueue_internal(self, domain::authorize_payment{});
            break;
          case payment_decision::declined:
            enqueue_internal(self, domain::decline_payment{});
            break;
          case payment_decision::timed_out:
            enqueue_internal(self, domain::expire_payment{});
            break;
        }
      },
      [=](caf::error&) {
        // The payment service is gone; the deadline scanner expires the order when due.
        self->state.payment_in_flight = false;
      });
}

void publish(order_self self, const ordo::order& o) {
  auto& groups = self->system().groups();
  self->send(groups.get_local(order_push_group(o.customer)), push_atom::value, o);
  if (self->state.ctx->tags)
    self->send(groups.get_local(every_order_push_group()), push_atom::value, o);
}

// The engine's own commands have no one to answer; a payment authorization that can no
// longer apply (the order was cancelled or expired meanwhile) is voided. An order that was
// charged took this very grant (an adapter authorizes one order once), through a commit
// whose confirmation was lost: voiding it would take the money of a paid order.
void settle_internal_refusal(order_self self, const domain::command& cmd) {
  const auto& st = self->state;
  const bool granted_and_taken = st.order && st.order->charged > 0;
  if (std::holds_alternative<domain::authorize_payment>(cmd) && !granted_and_taken)
    self->send(st.ctx->payment, void_atom::value, st.id, st.requested_amount);
}

// The store is down: every caller waiting would meet the same outage, so they hear of it
// now; the engine's own commands wait for the store to come back.
void wait_for_store(order_self self, const std::string& why) {
  auto& st = self->state;
  for (auto it = st.queue.begin(); it != st.queue.end();) {
    if (it->promise) {
      it->promise->deliver(make_error(errc::unavailable, why));
      it = st.queue.erase(it);
    } else {
      ++it;
    }
  }
  if (!st.queue.empty())
    self->delayed_send(self, reload_retry, load_atom::value);
}

void load(order_self self, std::uint64_t epoch) {
  auto& st = self->state;
  st.busy = true;
  self->request(st.ctx->store, caf::infinite, load_atom::value, st.id)
    .then(
      [=](stored_order& stored) {
        auto& s = self->state;
        s.busy = false;
        s.loaded = true;
        s.epoch = epoch;
        s.order = std::move(stored.state);
        drive_payment(self);
        pump(self);
      },
      [=](caf::error& err) {
        self->state.busy = false;
        wait_for_store(self, to_ordo_error(err).message);
      });
}

caf::expected<ordo::order> replayed_reply(const idem_record& record, const idem_claim& claim) {
  if (record.fingerprint != claim.fingerprint)
    return make_error(errc::conflict, "idempotency key '" + claim.key +
                                        "' was used for a different request");
  return record.reply;
}

// After a refused command that carried an idempotency key: had the key been recorded by an
// earlier success, the original reply wins over the refusal.
void answer_refusal(order_self self, ordo::error refusal) {
  auto& st = self->state;
  const auto& claim = st.current->request.idem;
  if (!claim) {
    fail(self, refusal.code, std::move(refusal.message));
    return;
  }
  st.busy = true;
  self->request(st.ctx->store, caf::infinite, idem_atom::value, claim->customer, claim->key)
    .then(
      [=](idem_lookup& found) {
        self->state.busy = false;
        const auto& c = *self->state.current->request.idem;
        if (found.record)
          finish(self, replayed_reply(*found.record, c));
        else
          fail(self, refusal.code, refusal.message);
        pump(self);
      },
      [=](caf::error&) {
        self->state.busy = false;
        fail(self, refusal.code, refusal.message);
        pump(self);
      });
}

void count_committed(const order_actor_state& st, const domain::event& e) {
  const auto& m = st.ctx->metrics;
  if (!m)
    return;
  bump(m->events_committed[e.body.index()]);
  if (std::holds_alternative<domain::payment_timed_out>(e.body))
    bump(m->deadline_expiries);
}

// The command taken goes back to the head of the queue, to run once the tag is served again
// (nothing of it was applied).
void requeue_current(order_self self) {
  auto& st = self->state;
  st.queue.insert(st.queue.begin(), std::move(*st.current));
  st.current.reset();
}

void commit(order_self self, domain::event e) {
  auto& st = self->state;
  std::optional<commit_fence> fence;
  if (st.ctx->tags && st.tag < domain::customer_tags) {
    fence = st.ctx->tags->begin_commit(st.tag);
    if (!fence || fence->epoch != st.epoch) {
      if (fence)
        st.ctx->tags->end_commit(st.tag);
      st.loaded = false;
      requeue_current(self);
      pump(self);
      return;
    }
  }
  auto next = domain::apply_event(st.order, e);
  order_commit c{st.order ? st.order->order.version : 0, next, e, st.current->request.idem,
                 payment_deadline(st, next), std::nullopt, fence};
  if (std::holds_alternative<domain::order_placed>(e.body))
    c.member_assumed = next.member;
  st.busy = true;
  const auto ended = [self, fenced = fence.has_value()] {
    if (fenced)
      self->state.ctx->tags->end_commit(self->state.tag);
  };
  self->request(st.ctx->store, caf::infinite, commit_atom::value, std::move(c))
    .then(
      [=](commit_reply& reply) {
        ended();
        auto& s = self->state;
        s.busy = false;
        if (reply.fenced) {
          // Nothing was applied, and the lease is gone: another node may own the order now.
          s.ctx->tags->fenced(s.tag, s.epoch);
          s.loaded = false;
          requeue_current(self);
          pump(self);
          return;
        }
        if (reply.replayed) {
          finish(self, replayed_reply(*reply.replayed, *s.current->request.idem));
        } else {
          if (s.ctx->faults && s.ctx->faults->hook)
            s.ctx->faults->hook(s.id, fault_point::after_commit);
          s.order = next;
          count_committed(s, e);
          drive_payment(self);
          publish(self, next.order);
          finish(self, next.order);
        }
        pump(self);
      },
      [=](caf::error& err) {
        ended();
        // Refused or unconfirmed: the state stays as it was, and is read again before the
        // next command in case an unconfirmed write did land (fencing makes that safe). A
        // customer hears `unavailable` and may retry; the engine's own command (a payment
        // outcome, an expiry) has no one to retry it, so it goes back to the head of the
        // queue and is decided again on the state the store holds once it answers.
        auto& s = self->state;
        s.busy = false;
        s.loaded = false;
        const auto reason = to_ordo_error(err);
        if (reason.code == errc::conflict && s.ctx->metrics)
          bump(s.ctx->metrics->commit_conflicts);
        if (!s.current->promise) {
          requeue_current(self);
          if (reason.code == errc::conflict)
            pump(self); // another writer moved the order: decide again on its state
          else
            wait_for_store(self, reason.message);
          return;
        }
        // An unconfirmed write may still land: an order it left unpaid would ask for its
        // payment only when next read, so read it again once the store answers.
        if (reason.code == errc::unavailable && next.order.status == order_status::pending_payment)
          queue_internal(self, read_order{});
        fail(self, reason.code, reason.message);
        pump(self);
      });
}

bool may_see(const order_actor_state& st, const order_request& req) {
  if (!req.from || req.from->role == ordo::role::operator_)
    return true;
  if (const auto* cmd = std::get_if<domain::command>(&req.op))
    if (std::holds_alternative<domain::place_order>(*cmd))
      return true;
  return st.order && st.order->order.customer == req.from->subject;
}

void run_current(order_self self) {
  auto& st = self->state;
  const auto& req = st.current->request;
  if (st.ctx->faults && st.ctx->faults->hook)
    st.ctx->faults->hook(st.id, fault_point::before_decide);
  if (!may_see(st, req)) {
    fail(self, errc::not_found, "no such order");
    return;
  }
  const auto* cmd = std::get_if<domain::command>(&req.op);
  if (cmd == nullptr) {
    // A read is also how the deadline scanner wakes an order whose deadline fell due.
    drive_payment(self);
    if (st.order)
      finish(self, st.order->order);
    else
      fail(self, errc::not_found, "no such order");
    return;
  }
  auto decided = domain::decide(st.order, *cmd, st.ctx->now_ms());
  if (decided) {
    commit(self, std::move(*decided));
    return;
  }
  if (!st.current->promise) {
    settle_internal_refusal(self, *cmd);
    st.current.reset();
    return;
  }
  answer_refusal(self, std::move(decided).error());
}

// This node does not serve the order's tag now. When it is about to (a hand-off or take-over
// in progress), callers wait for up to the context's tag_wait; otherwise, or then, they hear
// `unavailable`. The engine's own commands are dropped, as the tag's owner drives the
// order's payment and deadline.
void await_tag(order_self self) {
  auto& st = self->state;
  if (st.tag_retries * tag_retry >= st.ctx->tag_wait || !st.ctx->tags->awaiting(st.tag)) {
    st.tag_retries = 0;
    const auto why = "tag " + domain::tag_at(st.tag) + " is not served by this node now";
    for (auto& waiting : st.queue)
      if (waiting.promise)
        waiting.promise->deliver(make_error(errc::unavailable, why));
    st.queue.clear();
    st.loaded = false;
    st.order.reset();
    return;
  }
  if (!st.tag_retry_armed) {
    st.tag_retry_armed = true;
    ++st.tag_retries;
    self->delayed_send(self, tag_retry, tag_atom::value);
  }
}

// The epoch under which this node serves the order's tag now (0 for an engine that owns
// every tag), or none: wait for the tag. The state is read again when another epoch began.
std::optional<std::uint64_t> served_epoch(order_self self) {
  auto& st = self->state;
  // An id without a valid tag names no order that can exist: no node serves it, and the
  // store answers that it holds nothing (a client's made-up id must not reach a tag table).
  if (!st.ctx->tags || st.tag >= domain::customer_tags)
    return std::uint64_t{0};
  const auto lease = st.ctx->tags->lease_of(st.tag);
  if (!lease)
    return std::nullopt;
  st.tag_retries = 0;
  if (st.fresh) {
    st.fresh = false;
    st.epoch = lease->epoch;
  } else if (lease->epoch != st.epoch) {
    st.loaded = false;
  }
  return lease->epoch;
}

void pump(order_self self) {
  auto& st = self->state;
  while (!st.busy && !st.queue.empty()) {
    const auto epoch = served_epoch(self);
    if (!epoch) {
      await_tag(self);
      return;
    }
    if (!st.loaded) {
      load(self, *epoch);
      return;
    }
    st.current = std::make_unique<pending_command>(std::move(st.queue.front()));
    st.queue.erase(st.queue.begin());
    run_current(self);
  }
  if (!st.busy)
    retire_if_empty(self);
}

bool idle(const order_actor_state& st) {
  const bool awaiting_payment =
    st.order && st.order->order.status == order_status::pending_payment;
  return !st.busy && st.queue.empty() && !st.current && !awaiting_payment;
}

caf::behavior order_actor(order_self self, context_ptr ctx, order_directory_actor directory,
                          std::string order_id, bool is_new, std::optional<parked_order> parked) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.directory = std::move(directory);
  st.id = std::move(order_id);
  st.tag = domain::tag_index(domain::order_id_tag(st.id));
  st.loaded = is_new;
  st.fresh = is_new;
  if (parked) {
    st.order = unpark(*parked);
    st.loaded = st.order.has_value(); // unreadable: read it from the store instead
    st.epoch = parked->epoch;
  }
  self->set_exception_handler([self](caf::scheduled_actor*, std::exception_ptr&) -> caf::error {
    auto& s = self->state;
    self->send(s.directory, crashed_atom::value, s.id);
    if (s.current && s.current->promise)
      s.current->promise->deliver(make_error(
        errc::internal, "order " + s.id + " failed; it restarts from its last durable state"));
    // Commands not yet started go back to their senders, who retry after the restart.
    for (auto& waiting : s.queue)
      if (waiting.promise)
        waiting.promise->deliver(caf::make_error(caf::sec::request_receiver_down));
    return caf::exit_reason::unhandled_exception;
  });
  return {
    [=](order_atom, order_request& req) {
      auto promise = self->make_response_promise();
      self->state.queue.push_back({std::move(req), promise});
      pump(self);
      return promise;
    },
    [=](load_atom) { pump(self); },
    [=](tag_atom) {
      self->state.tag_retry_armed = false;
      pump(self);
    },
    [=](passivate_atom) {
      auto& s = self->state;
      const bool done = idle(s);
      if (done && s.loaded && s.order)
        self->send(s.directory, park_atom::value, s.id, park(*s.order, s.epoch));
      auto promise = self->make_response_promise();
      promise.deliver(done);
      if (done)
        self->quit();
      return promise;
    },
  };
}

} // namespace

parked_order park(const domain::order_state& state, std::uint64_t epoch) {
  parked_order out{{}, state.delivered_at, state.charged, state.member, epoch};
  encode_order(state.order, out.encoded);
  out.encoded.shrink_to_fit();
  return out;
}

std::optional<domain::order_state> unpark(const parked_order& parked) {
  auto decoded = decode_order(parked.encoded);
  if (!decoded)
    return std::nullopt;
  return domain::order_state{std::move(*decoded), parked.member, parked.delivered_at,
                             parked.charged};
}

std::string order_push_group(const std::string& customer) {
  return "ordo.orders." + customer;
}

std::string every_order_push_group() {
  return "ordo.orders";
}

caf::actor spawn_order_actor(caf::local_actor* parent, context_ptr ctx,
                             order_directory_actor directory, std::string order_id, bool is_new,
                             std::optional<parked_order> parked) {
  return parent->spawn(order_actor, std::move(ctx), std::move(directory), std::move(order_id),
                       is_new, std::move(parked));
}

} // namespace ordo::actors
