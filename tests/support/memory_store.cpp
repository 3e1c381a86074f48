#include "support/memory_store.hpp"

#include <caf/all.hpp>

#include "actors/errors.hpp"
#include "domain/order_id.hpp"

namespace ordo::actors {

namespace {

using data_ptr = std::shared_ptr<memory_store_data>;
using silence_atom = caf::atom_constant<caf::atom("silence")>;

struct memory_store_state {
  std::shared_ptr<memory_store_data> data;
  std::map<std::uint64_t, caf::response_promise> silenced;
  std::uint64_t next_ticket = 0;
  static inline const char* name = "ordo.memory_store";
};

using store_self = caf::stateful_actor<memory_store_state>*;

// Runs `f` unless a fault is switched on: then the reply is unavailable, at once or after
// the answer timeout.
template <class T, class F>
caf::result<T> serve(store_self self, F&& f) {
  auto& data = *self->state.data;
  if (data.silent_requests > 0) {
    --data.silent_requests;
    auto promise = self->make_response_promise();
    const auto ticket = self->state.next_ticket++;
    self->state.silenced.emplace(ticket, promise);
    self->delayed_send(self, data.answer_timeout, silence_atom::value, ticket);
    return caf::delegated<T>{};
  }
  if (data.down)
    return make_error(errc::unavailable, "store is down");
  return f(data);
}

caf::result<commit_reply> commit(memory_store_data& data, const order_commit& c) {
  const auto& id = c.state.order.id;
  if (c.fence) {
    const auto lease = data.leases.find(std::string{domain::order_id_tag(id)});
    if (lease == data.leases.end() || lease->second.owner != c.fence->owner ||
        lease->second.epoch != c.fence->epoch)
      return commit_reply{std::nullopt, true};
  }
  if (c.idem) {
    const auto it = data.idem_keys.find({c.idem->customer, c.idem->key});
    if (it != data.idem_keys.end())
      return commit_reply{it->second};
  }
  if (c.member_assumed) {
    const auto member = data.members.find(c.state.order.customer);
    if ((member != data.members.end() && member->second) != *c.member_assumed)
      return make_error(errc::conflict, "the customer's membership changed meanwhile");
  }
  const auto existing = data.orders.find(id);
  const auto current_version = existing == data.orders.end() ? 0 : existing->second.order.version;
  if (current_version != c.expected_version)
    return make_error(errc::conflict, "order " + id + " is at version " +
                                        std::to_string(current_version) + ", not " +
                                        std::to_string(c.expected_version));
  data.orders[id] = c.state;
  data.orders_by_customer[c.state.order.customer].insert(id);
  data.events.emplace_back(id, c.event);
  if (c.idem)
    data.idem_keys[{c.idem->customer, c.idem->key}] = idem_record{c.idem->fingerprint, c.state.order};
  if (c.payment_deadline_ms)
    data.payment_deadlines[id] = *c.payment_deadline_ms;
  else
    data.payment_deadlines.erase(id);
  ++data.commits;
  return commit_reply{};
}

order_page list(const memory_store_data& data, const list_query& q) {
  order_page page;
  const auto it = data.orders_by_customer.find(q.customer);
  if (it == data.orders_by_customer.end())
    return page;
  const auto& ids = it->second;
  auto pos = q.before ? std::make_reverse_iterator(ids.lower_bound(*q.before)) : ids.rbegin();
  for (; pos != ids.rend() && page.orders.size() < q.limit; ++pos)
    page.orders.push_back(data.orders.at(*pos).order);
  return page;
}

} // namespace

caf::behavior memory_store(store_self self, data_ptr data) {
  self->state.data = std::move(data);
  return {
    [=](silence_atom, std::uint64_t ticket) {
      auto& silenced = self->state.silenced;
      if (auto it = silenced.find(ticket); it != silenced.end()) {
        it->second.deliver(make_error(errc::unavailable, "store did not answer in time"));
        silenced.erase(it);
      }
    },
    [=](load_atom, const std::string& id) {
      return serve<stored_order>(self, [&](memory_store_data& d) -> caf::result<stored_order> {
        ++d.loads;
        const auto it = d.orders.find(id);
        if (it == d.orders.end())
          return stored_order{};
        return stored_order{it->second};
      });
    },
    [=](commit_atom, const order_commit& c) {
      return serve<commit_reply>(self, [&](memory_store_data& d) { return commit(d, c); });
    },
    [=](idem_atom, const std::string& customer, const std::string& key) {
      return serve<idem_lookup>(self, [&](memory_store_data& d) -> caf::result<idem_lookup> {
        const auto it = d.idem_keys.find({customer, key});
        if (it == d.idem_keys.end())
          return idem_lookup{};
        return idem_lookup{it->second};
      });
    },
    [=](list_atom, const list_query& q) {
      return serve<order_page>(self, [&](memory_store_data& d) -> caf::result<order_page> {
        return list(d, q);
      });
    },
    [=](member_atom, get_atom, const std::string& customer) {
      return serve<bool>(self, [&](memory_store_data& d) -> caf::result<bool> {
        const auto it = d.members.find(customer);
        return it != d.members.end() && it->second;
      });
    },
    [=](member_atom, put_atom, const std::string& customer, bool member) {
      return serve<bool>(self, [&](memory_store_data& d) -> caf::result<bool> {
        d.members[customer] = member;
        return member;
      });
    },
    [=](session_atom, put_atom, const session_record& record) {
      return serve<bool>(self, [&](memory_store_data& d) -> caf::result<bool> {
        d.sessions[record.id] = record;
        return true;
      });
    },
    [=](deadline_atom, std::int64_t due_before_ms, std::uint32_t limit) {
      return serve<due_orders>(self, [&](memory_store_data& d) -> caf::result<due_orders> {
        std::vector<std::pair<std::int64_t, std::string>> due;
        for (const auto& [id, at] : d.payment_deadlines)
          if (at <= due_before_ms)
            due.emplace_back(at, id);
        std::sort(due.begin(), due.end());
        due_orders out;
        for (std::size_t i = 0; i < due.size() && i < limit; ++i)
          out.order_ids.push_back(due[i].second);
        return out;
      });
    },
    [=](session_atom, get_atom, const std::string& id) {
      return serve<stored_session>(self,
                                   [&](memory_store_data& d) -> caf::result<stored_session> {
                                     const auto it = d.sessions.find(id);
                                     if (it == d.sessions.end())
                                       return stored_session{};
                                     return stored_session{it->second};
                                   });
    },
  };
}

store_actor spawn_memory_store(caf::actor_system& sys, data_ptr data) {
  return caf::actor_cast<store_actor>(sys.spawn(memory_store, std::move(data)));
}

} // namespace ordo::actors
