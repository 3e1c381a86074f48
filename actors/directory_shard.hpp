// One shard of a directory of virtual actors (orders or sessions), Orleans style: it
// activates an actor on first use, routes requests to it, passivates it when idle or when
// the shard holds more than its bound (least recently used first), and supervises it: an
// actor that crashes is restarted on its next request from its last durable state, at most
// `max_restarts` times per `restart_period` (OTP's intensity), then stays down for the rest
// of the period. Shards split the key space so that no actor is a bottleneck for unrelated
// keys.
//
// A directory whose Traits name a `parked` type keeps passivated actors' state compactly
// (sent as (park_atom, key, parked) by an actor about to passivate) and starts the key's
// next activation from it; at most `max_parked_per_shard` are kept, the excess dropped at
// random (a dropped key is read from the store again on its next use).
//
// Implementation header: include it only from the .cpp that instantiates a directory.
// Traits provide: handle (the shard's typed interface, actors/directory_handles.hpp),
// request, reply, route_atom, directory_name, kind (its figures in actor_metrics), key_of(request),
// spawn(self, ctx, key, first request[, std::optional<parked>]) and
// extra(self, ctx) -> a std::tuple of the handlers the directory adds; optionally `parked`.
#pragma once

#include <caf/all.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <variant>
#include <vector>

#include "actors/atoms.hpp"
#include "actors/engine_context.hpp"
#include "actors/errors.hpp"
#include "actors/resident_set.hpp"
#include "actors/restart_limiter.hpp"

namespace ordo::actors::detail {

template <class Traits>
concept parks = requires { typename Traits::parked; };

template <class Traits>
struct parked_of {
  using type = std::monostate;
};

template <parks Traits>
struct parked_of<Traits> {
  using type = typename Traits::parked;
};

// Idle passivations started per sweep message, so that a sweep never holds the shard for
// long; a full batch sends the next sweep message at once.
constexpr std::size_t sweep_batch = 512;

template <class Traits>
struct directory_state {
  using request = typename Traits::request;

  struct waiting_request {
    request req;
    caf::response_promise promise;
  };

  struct entry {
    caf::actor handle;
    bool passivating = false;
    std::vector<waiting_request> waiting; // arrived while a passivation was being decided
  };

  context_ptr ctx;
  std::size_t max_resident = 0;
  std::unordered_map<std::string, entry> entries;
  std::map<caf::actor_addr, std::string> keys_by_address;
  resident_set resident;
  std::unordered_map<std::string, restart_limiter> crashes;
  std::unordered_map<std::string, typename parked_of<Traits>::type> parked;
  std::size_t eviction_cursor = 0;
  static inline const char* name = Traits::directory_name;
};

template <class Traits>
using directory_self =
  typename Traits::handle::template stateful_pointer<directory_state<Traits>>;

template <class Traits>
void route(directory_self<Traits> self, typename Traits::request req, caf::response_promise rp);

// This directory's figures, or null when the engine counts nothing.
template <class Traits>
directory_figures* figures(directory_self<Traits> self) {
  const auto& metrics = self->state.ctx->metrics;
  return metrics ? &metrics->of(Traits::kind) : nullptr;
}

template <class Traits>
void forget(directory_self<Traits> self, const std::string& key) {
  auto& st = self->state;
  auto it = st.entries.find(key);
  if (it == st.entries.end())
    return;
  st.keys_by_address.erase(it->second.handle.address());
  auto waiting = std::move(it->second.waiting);
  st.entries.erase(it);
  st.resident.erase(key);
  if (auto* f = figures<Traits>(self))
    add(f->resident, -1);
  for (auto& w : waiting)
    route<Traits>(self, std::move(w.req), std::move(w.promise));
}

template <class Traits>
void record_crash(directory_self<Traits> self, const std::string& key) {
  auto& st = self->state;
  const auto period = st.ctx->restart_period.count();
  auto [it, added] = st.crashes.try_emplace(key, st.ctx->max_restarts, period);
  it->second.record_crash(st.ctx->now_ms());
  if (auto* f = figures<Traits>(self))
    bump(f->restarts);
}

template <class Traits>
void finish_passivation(directory_self<Traits> self, const std::string& key,
                        const caf::actor& handle, bool gone) {
  auto& st = self->state;
  auto it = st.entries.find(key);
  if (it == st.entries.end() || it->second.handle != handle)
    return;
  if (gone) {
    if (auto* f = figures<Traits>(self))
      bump(f->passivations);
    forget<Traits>(self, key);
    return;
  }
  it->second.passivating = false;
  st.resident.touch(key, st.ctx->now_ms());
  auto waiting = std::move(it->second.waiting);
  for (auto& w : waiting)
    route<Traits>(self, std::move(w.req), std::move(w.promise));
}

// Asks the actor whether it can go; it refuses while it has work or waits on a payment.
template <class Traits>
void start_passivation(directory_self<Traits> self, const std::string& key) {
  auto& st = self->state;
  auto it = st.entries.find(key);
  if (it == st.entries.end() || it->second.passivating)
    return;
  it->second.passivating = true;
  // Out of the resident set while the actor decides, so that sweeps and the bound pick
  // others meanwhile; a refusal puts it back.
  st.resident.erase(key);
  auto handle = it->second.handle;
  // No timeout: the actor answers at once, and CAF bounces the request if it is gone.
  self->request(handle, caf::infinite, passivate_atom::value)
    .then([=](bool done) { finish_passivation<Traits>(self, key, handle, done); },
          [=](caf::error&) { finish_passivation<Traits>(self, key, handle, true); });
}

template <class Traits>
void enforce_bound(directory_self<Traits> self, const std::string& newest) {
  auto& st = self->state;
  if (st.resident.size() <= st.max_resident)
    return;
  for (const auto& key : st.resident.least_recent(st.resident.size() - st.max_resident))
    if (key != newest)
      start_passivation<Traits>(self, key);
}

template <class Traits>
void route(directory_self<Traits> self, typename Traits::request req, caf::response_promise rp) {
  auto& st = self->state;
  const std::string key = Traits::key_of(req);
  const auto now = st.ctx->now_ms();
  auto it = st.entries.find(key);
  if (it == st.entries.end()) {
    if (auto crashed = st.crashes.find(key); crashed != st.crashes.end()) {
      if (!crashed->second.allows_start(now)) {
        rp.deliver(make_error(errc::internal, key + " keeps failing; its restarts are suspended"));
        return;
      }
      if (crashed->second.forgotten(now))
        st.crashes.erase(crashed);
    }
    caf::actor handle;
    if constexpr (parks<Traits>) {
      std::optional<typename Traits::parked> parked;
      if (auto found = st.parked.find(key); found != st.parked.end()) {
        parked = std::move(found->second);
        st.parked.erase(found);
        if (auto* f = figures<Traits>(self))
          add(f->parked, -1);
      }
      handle = Traits::spawn(self, st.ctx, key, req, std::move(parked));
    } else {
      handle = Traits::spawn(self, st.ctx, key, req);
    }
    self->monitor(handle);
    st.keys_by_address.emplace(handle.address(), key);
    it = st.entries.emplace(key, typename directory_state<Traits>::entry{handle, false, {}}).first;
    st.resident.touch(key, now);
    if (auto* f = figures<Traits>(self)) {
      bump(f->activations);
      add(f->resident, 1);
    }
    enforce_bound<Traits>(self, key);
    it = st.entries.find(key);
  } else {
    st.resident.touch(key, now);
  }
  auto& e = it->second;
  if (e.passivating) {
    e.waiting.push_back({std::move(req), std::move(rp)});
    return;
  }
  rp.delegate(e.handle, typename Traits::route_atom{}, std::move(req));
}

// Drops parked states beyond the bound from pseudo-random buckets: no bookkeeping per
// parked key, which would cost as much memory as the compact state itself.
template <class Traits>
void enforce_parked_bound(directory_self<Traits> self) {
  auto& st = self->state;
  while (st.parked.size() > st.ctx->max_parked_per_shard) {
    // Jump, then walk to the next non-empty bucket: a jump alone could cycle over empty
    // buckets forever when the bucket count divides it.
    const auto buckets = st.parked.bucket_count();
    st.eviction_cursor = (st.eviction_cursor + 7'919) % buckets;
    while (st.parked.bucket_size(st.eviction_cursor) == 0)
      st.eviction_cursor = (st.eviction_cursor + 1) % buckets;
    st.parked.erase(st.parked.begin(st.eviction_cursor)->first);
    if (auto* f = figures<Traits>(self))
      add(f->parked, -1);
  }
}

template <class Traits>
void sweep_idle(directory_self<Traits> self) {
  auto& s = self->state;
  const auto cutoff = s.ctx->now_ms() - s.ctx->passivate_after.count();
  const auto idle = s.resident.idle_since(cutoff, sweep_batch);
  for (const auto& key : idle)
    start_passivation<Traits>(self, key);
  if (idle.size() == sweep_batch)
    self->send(self, sweep_atom::value, false);
}

// Often enough that each sweep passivates a small slice of the orders (every passivation
// costs a few messages and an actor teardown; a sweep every few seconds under load made
// bursts of thousands and latency spikes of 100+ ms).
template <class Traits>
std::chrono::milliseconds sweep_interval(const context_ptr& ctx) {
  return std::clamp(ctx->passivate_after / 4, std::chrono::milliseconds{10},
                    std::chrono::milliseconds{250});
}

template <class Traits>
typename Traits::handle::behavior_type directory_shard(directory_self<Traits> self,
                                                       context_ptr ctx, std::size_t max_resident) {
  auto& st = self->state;
  st.ctx = ctx;
  st.max_resident = std::max<std::size_t>(1, max_resident);
  self->set_down_handler([self](caf::down_msg& down) {
    auto& s = self->state;
    auto found = s.keys_by_address.find(down.source);
    if (found == s.keys_by_address.end())
      return; // passivated or already reported as crashed
    const auto key = found->second;
    if (down.reason && down.reason != caf::exit_reason::user_shutdown)
      record_crash<Traits>(self, key);
    forget<Traits>(self, key);
  });
  self->set_exit_handler([self](caf::exit_msg& msg) {
    for (auto& [key, e] : self->state.entries)
      self->send_exit(e.handle, msg.reason);
    self->quit(msg.reason);
  });
  self->delayed_send(self, sweep_interval<Traits>(ctx), sweep_atom::value, true);
  auto routing = std::make_tuple(
    [=](typename Traits::route_atom, typename Traits::request& req) {
      auto rp = self->template make_response_promise<typename Traits::reply>();
      route<Traits>(self, std::move(req), rp);
      return rp;
    },
    [=](retire_atom, const std::string& key) { start_passivation<Traits>(self, key); },
    [=](crashed_atom, const std::string& key) {
      auto& s = self->state;
      auto it = s.entries.find(key);
      const auto sender = caf::actor_cast<caf::actor_addr>(self->current_sender());
      if (it == s.entries.end() || it->second.handle.address() != sender)
        return;
      record_crash<Traits>(self, key);
      forget<Traits>(self, key);
    },
    [=](sweep_atom, bool periodic) {
      sweep_idle<Traits>(self);
      if (!periodic)
        return;
      auto& s = self->state;
      for (auto it = s.crashes.begin(); it != s.crashes.end();)
        it = it->second.forgotten(s.ctx->now_ms()) ? s.crashes.erase(it) : std::next(it);
      self->delayed_send(self, sweep_interval<Traits>(s.ctx), sweep_atom::value, true);
    },
    [=](resident_atom) { return self->state.resident.size(); });
  auto parking = [&] {
    if constexpr (parks<Traits>) {
      return std::make_tuple(
        [=](park_atom, const std::string& key, typename Traits::parked& parked) {
          auto& s = self->state;
          auto it = s.entries.find(key);
          const auto sender = caf::actor_cast<caf::actor_addr>(self->current_sender());
          if (it == s.entries.end() || it->second.handle.address() != sender)
            return;
          const bool added = s.parked.insert_or_assign(key, std::move(parked)).second;
          if (auto* f = figures<Traits>(self); f && added)
            add(f->parked, 1);
          enforce_parked_bound<Traits>(self);
        },
        [=](park_atom) { return self->state.parked.size(); });
    } else {
      return std::tuple<>{};
    }
  };
  return std::apply(
    [](auto&&... handlers) {
      return typename Traits::handle::behavior_type{std::forward<decltype(handlers)>(handlers)...};
    },
    std::tuple_cat(std::move(routing), parking(), Traits::extra(self, ctx)));
}

} // namespace ordo::actors::detail
