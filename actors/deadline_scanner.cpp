#include "actors/deadline_scanner.hpp"

#include <caf/all.hpp>

#include <limits>
#include <unordered_set>

#include "actors/atoms.hpp"
#include "actors/order_protocol.hpp"

namespace ordo::actors {

namespace {

struct deadline_scanner_state {
  context_ptr ctx;
  deadline_scanner_options opts;
  bool started = false; // the start-up sweep of every unpaid order is done
  std::unordered_set<std::string> woken_at_start;
  static inline const char* name = "ordo.deadline_scanner";
};

using scanner_self = caf::stateful_actor<deadline_scanner_state>*;

void wake(scanner_self self, const std::string& order_id) {
  const auto& ctx = *self->state.ctx;
  order_request req{order_id, std::nullopt, read_order{}, std::nullopt, false};
  self->request(ctx.orders.pick(order_id), ctx.order_request_timeout, order_atom::value, req)
    .then([](ordo::order&) {}, [](caf::error&) {});
}

void scan(scanner_self self) {
  auto& st = self->state;
  const auto due_before = st.started ? st.ctx->now_ms() : std::numeric_limits<std::int64_t>::max();
  self->request(st.ctx->store, st.ctx->store_timeout, deadline_atom::value, due_before, st.opts.batch)
    .then(
      [=](due_orders& due) {
        auto& s = self->state;
        std::size_t fresh = 0;
        for (const auto& id : due.order_ids) {
          // The start-up sweep sees the same unpaid orders again until they settle.
          if (!s.started && !s.woken_at_start.insert(id).second)
            continue;
          ++fresh;
          wake(self, id);
        }
        const bool more = due.order_ids.size() == s.opts.batch && fresh > 0;
        if (!more && !s.started) {
          s.started = true;
          s.woken_at_start.clear();
        }
        self->delayed_send(self, more ? std::chrono::milliseconds{0} : s.opts.poll_interval,
                           deadline_atom::value);
      },
      [=](caf::error&) {
        // The store is down; try again later, the deadlines are still there.
        self->delayed_send(self, self->state.opts.poll_interval, deadline_atom::value);
      });
}

caf::behavior deadline_scanner(scanner_self self, context_ptr ctx,
                               deadline_scanner_options opts) {
  self->state.ctx = std::move(ctx);
  self->state.opts = opts;
  scan(self);
  return {
    [=](deadline_atom) { scan(self); },
  };
}

} // namespace

caf::actor spawn_deadline_scanner(caf::actor_system& sys, context_ptr ctx,
                                  deadline_scanner_options opts) {
  return sys.spawn(deadline_scanner, std::move(ctx), opts);
}

} // namespace ordo::actors
