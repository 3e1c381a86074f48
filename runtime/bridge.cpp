#include "runtime/bridge.hpp"

#include <caf/all.hpp>

#include <unordered_map>

#include "actors/atoms.hpp"
#include "actors/errors.hpp"
#include "actors/order_protocol.hpp"
#include "actors/session_protocol.hpp"

namespace ordo::runtime {

namespace {

using submit_atom = caf::atom_constant<caf::atom("submit")>;
using closed_atom = caf::atom_constant<caf::atom("closed")>;

// Asks a session shard from `self` and hands the answer to the sink.
void ask(caf::event_based_actor* self, const caf::actor& shard, std::chrono::milliseconds timeout,
         const completion_sink& sink, std::uint64_t connection, std::uint64_t rid,
         actors::session_request req) {
  self->request(shard, timeout, actors::request_atom::value, std::move(req))
    .then([=](ordo::reply_body& reply) { sink(completion{connection, rid, std::move(reply)}); },
          [=](caf::error& err) { sink(completion{connection, rid, actors::to_ordo_error(err)}); });
}

// The push target of one subscribed connection: it sends the subscribe itself, so that its
// session pushes to it.
caf::behavior push_forwarder(caf::event_based_actor* self, std::uint64_t connection,
                             completion_sink sink, std::chrono::milliseconds timeout) {
  return {
    [=](actors::push_atom, ordo::order& o) {
      sink(completion{connection, 0, ordo::order_push{std::move(o)}});
    },
    [=](submit_atom, const caf::actor& shard, std::uint64_t rid, actors::session_request& req) {
      ask(self, shard, timeout, sink, connection, rid, std::move(req));
    },
  };
}

struct bridge_state {
  actors::shard_router sessions;
  completion_sink sink;
  std::chrono::milliseconds timeout{};
  std::unordered_map<std::uint64_t, caf::actor> forwarders; // by connection
  static inline const char* name = "ordo.bridge";
};

caf::behavior bridge(caf::stateful_actor<bridge_state>* self, actors::shard_router sessions,
                     completion_sink sink, std::chrono::milliseconds timeout) {
  auto& st = self->state;
  st.sessions = std::move(sessions);
  st.sink = std::move(sink);
  st.timeout = timeout;
  self->set_exit_handler([self](caf::exit_msg& msg) {
    for (auto& [connection, forwarder] : self->state.forwarders)
      self->send_exit(forwarder, msg.reason);
    self->quit(msg.reason);
  });
  return {
    [=](submit_atom, std::uint64_t connection, std::uint64_t rid, std::string& session,
        ordo::request_body& body) {
      auto& s = self->state;
      actors::session_request req{std::move(session), std::move(body)};
      const auto& shard = s.sessions.pick(req.session_id);
      if (!std::holds_alternative<subscribe_request>(req.body)) {
        ask(self, shard, s.timeout, s.sink, connection, rid, std::move(req));
        return;
      }
      auto& forwarder = s.forwarders[connection];
      if (!forwarder)
        forwarder = self->spawn(push_forwarder, connection, s.sink, s.timeout);
      self->send(forwarder, submit_atom::value, shard, rid, std::move(req));
    },
    [=](closed_atom, std::uint64_t connection) {
      auto& forwarders = self->state.forwarders;
      if (auto it = forwarders.find(connection); it != forwarders.end()) {
        self->send_exit(it->second, caf::exit_reason::user_shutdown);
        forwarders.erase(it);
      }
    },
  };
}

} // namespace

caf::actor spawn_bridge(caf::actor_system& sys, actors::shard_router sessions,
                        completion_sink sink, std::chrono::milliseconds request_timeout) {
  return sys.spawn(bridge, std::move(sessions), std::move(sink), request_timeout);
}

void bridge_submit(const caf::actor& bridge, std::uint64_t connection, std::uint64_t rid,
                   std::string session_id, ordo::request_body body) {
  caf::anon_send(bridge, submit_atom::value, connection, rid, std::move(session_id),
                 std::move(body));
}

void bridge_closed(const caf::actor& bridge, std::uint64_t connection) {
  caf::anon_send(bridge, closed_atom::value, connection);
}

} // namespace ordo::runtime
