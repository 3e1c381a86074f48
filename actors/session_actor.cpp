#include "actors/session_actor.hpp"

#include <caf/all.hpp>

#include <functional>
#include <vector>

#include "actors/atoms.hpp"
#include "actors/errors.hpp"
#include "auth/fingerprint.hpp"
#include "actors/order_actor.hpp"
#include "actors/order_protocol.hpp"
#include "actors/permissions.hpp"
#include "auth/secure_random.hpp"
#include "actors/session_protocol.hpp"
#include "auth/token.hpp"
#include "domain/order_id.hpp"
#include "messages/request_limits.hpp"

namespace ordo::actors {

namespace {

// One request from `requester` (the front's actor, which subscribe makes a push target).
struct incoming {
  session_request req;
  caf::actor requester;
  caf::response_promise promise;
};

struct session_actor_state {
  context_ptr ctx;
  session_directory_actor directory;
  std::string id;
  std::optional<session_record> record;
  bool loaded = false;
  bool loading = false;
  std::vector<incoming> waiting; // while loading
  std::size_t in_flight = 0;
  std::vector<caf::actor> subscribers;
  bool joined = false;
  // The customer's membership as this session last read or set it, so that a place costs no
  // store round trip for it; the store refuses a place whose membership changed meanwhile.
  std::optional<bool> member;
  static inline const char* name = "ordo.session";
};

using session_self = caf::stateful_actor<session_actor_state>*;

session_result result_of(const session_record& r) {
  return session_result{r.id, r.subject, r.role, r.expires_at_ms};
}

bool live(const session_actor_state& st) {
  return st.record && st.ctx->now_ms() < st.record->expires_at_ms;
}

void retire_if_unused(session_self self) {
  auto& st = self->state;
  if (!st.record && st.in_flight == 0 && st.waiting.empty())
    self->send(st.directory, retire_atom::value, st.id);
}

// Handlers for one outstanding reply of type Value, counted so the session is not
// passivated under it.
template <class Value, class MakeReply>
auto settle(session_self self, caf::response_promise rp, MakeReply make_reply) {
  ++self->state.in_flight;
  return std::make_pair(
    [=](Value& value) mutable {
      --self->state.in_flight;
      rp.deliver(ordo::reply_body{make_reply(value)});
    },
    [=](caf::error& err) mutable {
      --self->state.in_flight;
      rp.deliver(std::move(err));
    });
}

// Lets a caller take over an error before ask_order answers it; true means taken.
using error_hook = std::function<bool(const caf::error&)>;

void ask_order(session_self self, order_request req, caf::response_promise rp,
               bool retried = false, error_hook hook = nullptr) {
  auto& st = self->state;
  ++st.in_flight;
  const auto& shard = st.ctx->orders.pick(req.order_id);
  // No timer: an order actor answers every command once the store has (which answers within
  // its own timeout); one that fails answers from its exception handler, and CAF bounces what
  // a terminated actor's mailbox still held. The bridge's timeout guards the client anyway.
  self->request(shard, caf::infinite, order_atom::value, req)
    .then(
      [=](ordo::order& o) mutable {
        --self->state.in_flight;
        rp.deliver(ordo::reply_body{order_result{std::move(o)}});
      },
      [=](caf::error& err) mutable {
        --self->state.in_flight;
        if (hook && hook(err))
          return;
        // The order actor died before it took the request: ask its restarted self once.
        if (err == caf::sec::request_receiver_down && !retried)
          ask_order(self, std::move(req), std::move(rp), true, std::move(hook));
        else
          rp.deliver(std::move(err));
      });
}

caller caller_of(const session_record& r) {
  return caller{r.subject, r.role};
}

void hello(session_self self, const hello_request& req, caf::response_promise rp) {
  auto& st = self->state;
  auto claims = auth::verify_token(req.token, st.ctx->auth_key, st.ctx->now_ms());
  if (!claims) {
    rp.deliver(make_error(claims.error()));
    retire_if_unused(self);
    return;
  }
  session_record record{st.id, claims->subject, claims->role, claims->expires_at_s * 1000};
  ++st.in_flight;
  self->request(st.ctx->store, caf::infinite, session_atom::value, put_atom::value, record)
    .then(
      [=](bool) mutable {
        --self->state.in_flight;
        self->state.record = record;
        rp.deliver(ordo::reply_body{result_of(record)});
      },
      [=](caf::error& err) mutable {
        --self->state.in_flight;
        rp.deliver(make_error(errc::unavailable, to_ordo_error(err).message));
        retire_if_unused(self);
      });
}

void place(session_self self, const place_request& req, caf::response_promise rp,
           bool refreshed = false);

void place_as(session_self self, const place_request& req, bool member,
              caf::response_promise rp, bool refreshed) {
  auto& st = self->state;
  const auto order_id = domain::make_order_id(st.ctx->now_ms(), auth::order_id_entropy(),
                                              domain::customer_tag(st.record->subject));
  const auto who = caller_of(*st.record);
  idem_claim claim{who.subject, req.idem, auth::fingerprint_of(req)};
  domain::place_order cmd{order_id, who.subject, member, req.lines};
  // A conflict may mean the cached membership is stale: read it again and place once more.
  error_hook reread_membership = [=](const caf::error& err) {
    if (refreshed || to_ordo_error(err).code != errc::conflict)
      return false;
    self->state.member.reset();
    place(self, req, rp, true);
    return true;
  };
  ask_order(self, order_request{order_id, who, domain::command{std::move(cmd)}, claim, true},
            std::move(rp), false, std::move(reread_membership));
}

void place(session_self self, const place_request& req, caf::response_promise rp,
           bool refreshed) {
  auto& st = self->state;
  if (st.member) {
    place_as(self, req, *st.member, std::move(rp), refreshed);
    return;
  }
  ++st.in_flight;
  self->request(st.ctx->store, caf::infinite, member_atom::value, get_atom::value,
                st.record->subject)
    .then(
      [=](bool member) mutable {
        --self->state.in_flight;
        self->state.member = member;
        place_as(self, req, member, std::move(rp), refreshed);
      },
      [=](caf::error& err) mutable {
        --self->state.in_flight;
        rp.deliver(make_error(errc::unavailable, to_ordo_error(err).message));
      });
}

void subscribe(session_self self, const caf::actor& subscriber, caf::response_promise rp) {
  auto& st = self->state;
  if (!st.joined) {
    self->join(self->system().groups().get_local(order_push_group(st.record->subject)));
    st.joined = true;
  }
  if (subscriber && std::find(st.subscribers.begin(), st.subscribers.end(), subscriber) ==
                      st.subscribers.end()) {
    self->monitor(subscriber);
    st.subscribers.push_back(subscriber);
  }
  rp.deliver(ordo::reply_body{subscribed_result{}});
}

template <class Request>
order_request order_command(const session_record& r, const Request& req, domain::command cmd) {
  std::optional<idem_claim> claim;
  if constexpr (requires { req.idem; })
    claim = idem_claim{r.subject, req.idem, auth::fingerprint_of(req)};
  return order_request{req.order, caller_of(r), std::move(cmd), std::move(claim), false};
}

void serve(session_self self, incoming in) {
  auto& req = in.req;
  auto& rp = in.promise;
  auto& st = self->state;
  if (auto bad = check_limits(req.body)) {
    rp.deliver(make_error(*bad));
    return;
  }
  if (const auto* h = std::get_if<hello_request>(&req.body)) {
    hello(self, *h, std::move(rp));
    return;
  }
  if (std::holds_alternative<ping_request>(req.body)) {
    rp.deliver(ordo::reply_body{pong_result{}});
    return;
  }
  if (!live(st)) {
    rp.deliver(make_error(errc::unauthenticated, "no such session, or it has expired"));
    st.record.reset();
    retire_if_unused(self);
    return;
  }
  const auto& record = *st.record;
  if (!role_may(record.role, req.body)) {
    rp.deliver(make_error(errc::forbidden, "a " + std::string{to_string(record.role)} +
                                             " may not " + std::string{op_name(req.body)}));
    return;
  }
  std::visit(
    [&](auto& body) {
      using T = std::decay_t<decltype(body)>;
      if constexpr (std::is_same_v<T, resume_request>) {
        rp.deliver(ordo::reply_body{result_of(record)});
      } else if constexpr (std::is_same_v<T, place_request>) {
        place(self, body, std::move(rp));
      } else if constexpr (std::is_same_v<T, get_request>) {
        ask_order(self, order_request{body.order, caller_of(record), read_order{}, {}, false},
                  std::move(rp));
      } else if constexpr (std::is_same_v<T, list_request>) {
        auto [ok, err] = settle<order_page>(self, rp, [](order_page& page) {
          return orders_result{std::move(page.orders)};
        });
        self
          ->request(st.ctx->orders.pick(record.subject), st.ctx->order_request_timeout,
                    list_atom::value, list_query{record.subject, body.limit, body.before})
          .then(ok, err);
      } else if constexpr (std::is_same_v<T, cancel_request>) {
        ask_order(self, order_command(record, body, domain::cancel_order{body.lines}),
                  std::move(rp));
      } else if constexpr (std::is_same_v<T, ship_request>) {
        ask_order(self, order_command(record, body, domain::ship_order{body.tracking}),
                  std::move(rp));
      } else if constexpr (std::is_same_v<T, deliver_request>) {
        ask_order(self, order_command(record, body, domain::deliver_order{}), std::move(rp));
      } else if constexpr (std::is_same_v<T, return_request>) {
        ask_order(self, order_command(record, body, domain::request_return{body.lines}),
                  std::move(rp));
      } else if constexpr (std::is_same_v<T, refund_request>) {
        ask_order(self, order_command(record, body, domain::refund_return{}), std::move(rp));
      } else if constexpr (std::is_same_v<T, membership_request>) {
        auto [ok, err] = settle<bool>(self, rp, [self](bool member) {
          self->state.member = member;
          return membership_result{member};
        });
        self
          ->request(st.ctx->store, caf::infinite, member_atom::value, put_atom::value,
                    record.subject, body.member)
          .then(ok, err);
      } else if constexpr (std::is_same_v<T, subscribe_request>) {
        subscribe(self, in.requester, std::move(rp));
      } else {
        rp.deliver(make_error(errc::bad_request, "unexpected op"));
      }
    },
    req.body);
}

void load(session_self self) {
  auto& st = self->state;
  st.loading = true;
  self->request(st.ctx->store, caf::infinite, session_atom::value, get_atom::value, st.id)
    .then(
      [=](stored_session& stored) {
        auto& s = self->state;
        s.loading = false;
        s.loaded = true;
        s.record = std::move(stored.session);
        auto waiting = std::move(s.waiting);
        for (auto& in : waiting)
          serve(self, std::move(in));
        retire_if_unused(self);
      },
      [=](caf::error& err) {
        auto& s = self->state;
        s.loading = false;
        auto waiting = std::move(s.waiting);
        for (auto& in : waiting)
          in.promise.deliver(make_error(errc::unavailable, to_ordo_error(err).message));
        retire_if_unused(self);
      });
}

caf::behavior session_actor(session_self self, context_ptr ctx, session_directory_actor directory,
                            std::string session_id, bool opening) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.directory = std::move(directory);
  st.id = std::move(session_id);
  st.loaded = opening;
  self->set_down_handler([self](caf::down_msg& down) {
    auto& subs = self->state.subscribers;
    subs.erase(std::remove_if(subs.begin(), subs.end(),
                              [&](const caf::actor& a) { return a.address() == down.source; }),
               subs.end());
  });
  self->set_exception_handler([self](caf::scheduled_actor*, std::exception_ptr&) -> caf::error {
    self->send(self->state.directory, crashed_atom::value, self->state.id);
    return caf::exit_reason::unhandled_exception;
  });
  return {
    [=](request_atom, session_request& req) {
      // Taken before the promise, which takes the sender out of the message.
      auto requester = caf::actor_cast<caf::actor>(self->current_sender());
      auto rp = self->make_response_promise();
      auto& s = self->state;
      incoming in{std::move(req), std::move(requester), rp};
      if (s.loaded) {
        serve(self, std::move(in));
      } else {
        s.waiting.push_back(std::move(in));
        if (!s.loading)
          load(self);
      }
      return rp;
    },
    [=](push_atom, const ordo::order& o) {
      for (const auto& subscriber : self->state.subscribers)
        self->send(subscriber, push_atom::value, o);
    },
    [=](passivate_atom) {
      const auto& s = self->state;
      const bool done = !s.loading && s.in_flight == 0 && s.waiting.empty() &&
                        s.subscribers.empty();
      auto rp = self->make_response_promise();
      rp.deliver(done);
      if (done)
        self->quit();
      return rp;
    },
  };
}

} // namespace

caf::actor spawn_session_actor(caf::local_actor* parent, context_ptr ctx,
                               session_directory_actor directory, std::string session_id,
                               bool opening) {
  return parent->spawn(session_actor, std::move(ctx), std::move(directory), std::move(session_id),
                       opening);
}

} // namespace ordo::actors
