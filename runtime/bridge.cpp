#include "runtime/bridge.hpp"

#include <caf/all.hpp>

#include <deque>
#include <unordered_map>
#include <unordered_set>

#include "actors/atoms.hpp"
#include "actors/errors.hpp"
#include "actors/order_actor.hpp"
#include "actors/order_protocol.hpp"
#include "actors/session_protocol.hpp"
#include "runtime/metrics.hpp"

namespace ordo::runtime::bridge_detail {

// When the door took a request, for its latency.
using arrival = metrics_clock::time_point;

// Counts an answer for the metrics, when the engine keeps them.
struct answer_meter {
  request_metrics* metrics = nullptr;
  std::size_t op = 0;
  arrival arrived;

  void operator()(const ordo::reply_body& reply) const {
    if (!metrics)
      return;
    const auto* refused = std::get_if<error_result>(&reply);
    metrics->answered(op, refused ? std::optional{refused->code} : std::nullopt,
                      metrics_clock::now() - arrived);
  }
  void operator()(const ordo::error& e) const {
    if (metrics)
      metrics->answered(op, e.code, metrics_clock::now() - arrived);
  }
};

} // namespace ordo::runtime::bridge_detail

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ordo::runtime::bridge_detail::arrival)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ordo::runtime::bridge_detail::answer_meter)

namespace ordo::runtime {

namespace {

using bridge_detail::answer_meter;
using bridge_detail::arrival;
using submit_atom = caf::atom_constant<caf::atom("submit")>;
using closed_atom = caf::atom_constant<caf::atom("closed")>;
using expire_atom = caf::atom_constant<caf::atom("expire")>;
using relay_atom = caf::atom_constant<caf::atom("relay")>;

struct forwarder_state {
  struct waiting_subscribe {
    std::uint64_t rid;
    answer_meter meter;
  };
  std::unordered_map<std::uint64_t, waiting_subscribe> waiting; // by token
  std::uint64_t next_token = 0;
  static inline const char* name = "ordo.push_forwarder";
};

using forwarder_self = caf::stateful_actor<forwarder_state>*;

// The push target of one subscribed connection: it sends the subscribe itself, so that its
// session pushes to it. A subscribe still unanswered when the forwarder is stopped (its
// connection closed) is answered unavailable, so that the gateway's count of requests in
// flight, which a drain waits on, and the metrics see it end.
caf::behavior push_forwarder(forwarder_self self, std::uint64_t connection, completion_sink sink,
                             std::chrono::milliseconds timeout) {
  self->set_exit_handler([=](caf::exit_msg& msg) {
    for (auto& [token, w] : self->state.waiting) {
      ordo::error gone{errc::unavailable, "the connection closed before the subscribe was answered"};
      w.meter(gone);
      sink(completion{connection, w.rid, std::move(gone)});
    }
    self->state.waiting.clear();
    self->quit(msg.reason);
  });
  auto answer = [=](std::uint64_t token, auto reply) {
    auto& waiting = self->state.waiting;
    auto it = waiting.find(token);
    if (it == waiting.end())
      return;
    it->second.meter(reply);
    sink(completion{connection, it->second.rid, std::move(reply)});
    waiting.erase(it);
  };
  return {
    [=](actors::push_atom, ordo::order& o) {
      sink(completion{connection, 0, ordo::order_push{std::move(o)}});
    },
    [=](relay_atom, const caf::group& every_order) { self->join(every_order); },
    [=](submit_atom, const actors::session_directory_actor& shard, std::uint64_t rid,
        actors::session_request& req, answer_meter meter) {
      const auto token = self->state.next_token++;
      self->state.waiting.emplace(token, forwarder_state::waiting_subscribe{rid, meter});
      self->request(shard, timeout, actors::request_atom::value, std::move(req))
        .then([=](ordo::reply_body& reply) { answer(token, std::move(reply)); },
              [=](caf::error& err) { answer(token, actors::to_ordo_error(err)); });
    },
  };
}

// The bridge answers every request within its timeout. A CAF request timeout per request
// would cost a trip through CAF's clock thread each (a mutex, a wake-up, a timeout message
// later), the busiest lock in the engine; instead the requests wait in send order, which is
// deadline order since all share one timeout, and one tick expires the overdue ones.
struct awaiting {
  std::uint64_t token;
  std::chrono::steady_clock::time_point deadline;
  std::uint64_t connection;
  std::uint64_t rid;
  answer_meter meter;
};

struct bridge_state {
  actors::session_router sessions;
  completion_sink sink;
  std::chrono::milliseconds timeout{};
  std::unordered_map<std::uint64_t, caf::actor> forwarders; // by connection
  std::deque<awaiting> by_deadline;
  std::unordered_set<std::uint64_t> unanswered; // tokens of by_deadline not answered yet
  std::uint64_t next_token = 0;
  bool ticking = false;
  request_metrics* metrics = nullptr;
  static inline const char* name = "ordo.bridge";
};

using bridge_self = caf::stateful_actor<bridge_state>*;

std::chrono::milliseconds tick_interval(std::chrono::milliseconds timeout) {
  return std::max(timeout / 20, std::chrono::milliseconds{5});
}

void expire_overdue(bridge_self self) {
  auto& st = self->state;
  const auto now = std::chrono::steady_clock::now();
  while (!st.by_deadline.empty()) {
    const auto& front = st.by_deadline.front();
    const bool answered = st.unanswered.count(front.token) == 0;
    if (!answered && front.deadline > now)
      break;
    if (!answered) {
      st.unanswered.erase(front.token);
      auto failure = actors::to_ordo_error(caf::make_error(caf::sec::request_timeout));
      front.meter(failure);
      st.sink(completion{front.connection, front.rid, std::move(failure)});
    }
    st.by_deadline.pop_front();
  }
  st.ticking = !st.by_deadline.empty();
  if (st.ticking)
    self->delayed_send(self, tick_interval(st.timeout), expire_atom::value);
}

// Asks a session shard for a request of the connection and hands the answer to the sink,
// or a timeout once the bridge's timeout has passed, whichever comes first.
void ask_in_time(bridge_self self, const actors::session_directory_actor& shard,
                 std::uint64_t connection, std::uint64_t rid, actors::session_request req,
                 answer_meter meter) {
  auto& st = self->state;
  const auto token = st.next_token++;
  st.unanswered.insert(token);
  st.by_deadline.push_back(
    {token, std::chrono::steady_clock::now() + st.timeout, connection, rid, meter});
  if (!st.ticking) {
    st.ticking = true;
    self->delayed_send(self, tick_interval(st.timeout), expire_atom::value);
  }
  auto answer = [self, token, connection, rid, meter](auto reply) {
    auto& s = self->state;
    if (s.unanswered.erase(token) == 0)
      return;
    meter(reply);
    s.sink(completion{connection, rid, std::move(reply)});
  };
  self->request(shard, caf::infinite, actors::request_atom::value, std::move(req))
    .then([=](ordo::reply_body& reply) { answer(std::move(reply)); },
          [=](caf::error& err) { answer(actors::to_ordo_error(err)); });
}

caf::behavior bridge(bridge_self self, actors::session_router sessions, completion_sink sink,
                     std::chrono::milliseconds timeout, request_metrics* metrics) {
  auto& st = self->state;
  st.sessions = std::move(sessions);
  st.sink = std::move(sink);
  st.timeout = timeout;
  st.metrics = metrics;
  self->set_exit_handler([self](caf::exit_msg& msg) {
    for (auto& [connection, forwarder] : self->state.forwarders)
      self->send_exit(forwarder, msg.reason);
    self->quit(msg.reason);
  });
  return {
    [=](submit_atom, std::uint64_t connection, std::uint64_t rid, std::string& session,
        ordo::request_body& body, arrival arrived) {
      auto& s = self->state;
      const answer_meter meter{s.metrics, op_index(body), arrived};
      actors::session_request req{std::move(session), std::move(body)};
      const auto& shard = s.sessions.pick(req.session_id);
      if (!std::holds_alternative<subscribe_request>(req.body)) {
        ask_in_time(self, shard, connection, rid, std::move(req), meter);
        return;
      }
      auto& forwarder = s.forwarders[connection];
      if (!forwarder)
        forwarder = self->spawn(push_forwarder, connection, s.sink, s.timeout);
      self->send(forwarder, submit_atom::value, shard, rid, std::move(req), meter);
    },
    [=](expire_atom) { expire_overdue(self); },
    [=](relay_atom, std::uint64_t connection) {
      auto& forwarder = self->state.forwarders[connection];
      if (!forwarder)
        forwarder = self->spawn(push_forwarder, connection, self->state.sink, self->state.timeout);
      self->send(forwarder, relay_atom::value,
                 self->system().groups().get_local(actors::every_order_push_group()));
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

caf::actor spawn_bridge(caf::actor_system& sys, actors::session_router sessions,
                        completion_sink sink, std::chrono::milliseconds request_timeout,
                        request_metrics* metrics) {
  return sys.spawn(bridge, std::move(sessions), std::move(sink), request_timeout, metrics);
}

void bridge_submit(const caf::actor& bridge, std::uint64_t connection, std::uint64_t rid,
                   std::string session_id, ordo::request_body body) {
  caf::anon_send(bridge, submit_atom::value, connection, rid, std::move(session_id),
                 std::move(body), metrics_clock::now());
}

void bridge_closed(const caf::actor& bridge, std::uint64_t connection) {
  caf::anon_send(bridge, closed_atom::value, connection);
}

void bridge_relay_pushes(const caf::actor& bridge, std::uint64_t connection) {
  caf::anon_send(bridge, relay_atom::value, connection);
}

} // namespace ordo::runtime
