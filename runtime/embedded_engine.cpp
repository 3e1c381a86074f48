// ordo::engine (include/ordo/engine.hpp): runtime::engine on an actor system of its own,
// reached through the same bridge as the TCP gateway, so both share every rule. As a node
// of an engine of several, it sends a request about another node's tag on over a node link,
// as the gateway does; with node_listen it runs a gateway of its own for the other nodes.

#include "ordo/engine.hpp"

#include <caf/all.hpp>

#include <atomic>
#include <mutex>
#include <unordered_map>

#include "actors/errors.hpp"
#include "auth/secure_random.hpp"
#include "auth/token.hpp"
#include "runtime/bridge.hpp"
#include "runtime/cluster_node.hpp"
#include "runtime/config.hpp"
#include "runtime/engine.hpp"
#include "runtime/gateway.hpp"
#include "runtime/peer_links.hpp"
#include "runtime/request_tag.hpp"

namespace ordo {

namespace {


constexpr std::size_t max_remembered_sessions = 1'000'000;

error stopping() {
  return {errc::unavailable, "the engine is stopping"};
}

template <class T, class Extract>
std::future<result<T>> typed(engine& e, const std::string& session, request_body body,
                             Extract extract) {
  auto promise = std::make_shared<std::promise<result<T>>>();
  auto future = promise->get_future();
  e.call(session, std::move(body), [promise, extract](result<reply_body> r) {
    if (!r) {
      promise->set_value(std::move(r).error());
      return;
    }
    promise->set_value(extract(*r));
  });
  return future;
}

template <class Result>
const Result* as(reply_body& body) {
  return std::get_if<Result>(&body);
}

result<order> order_of(reply_body& body) {
  if (auto* r = as<order_result>(body))
    return std::move(r->order);
  return error{errc::internal, "unexpected reply"};
}

} // namespace

std::string mint_token(role r, const std::string& subject, std::int64_t expires_at_s,
                       const std::string& auth_key) {
  return auth::mint_token(r, subject, expires_at_s, auth_key);
}

struct engine::impl {
  runtime::config cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::unique_ptr<runtime::engine> core;
  caf::actor bridge;
  std::unique_ptr<runtime::peer_links> peers;
  std::unique_ptr<runtime::gateway> gate; // with node_listen

  std::mutex mutex;
  bool stopped = false;
  std::uint64_t next_ticket = 1;
  caf::actor retrier; // sends a request again, served_elsewhere_retry after it was refused
  // A request in flight: kept whole, to go again when the node it reached does not serve
  // its tag (a hand-off under way), until the request timeout.
  struct call {
    reply_callback done;
    std::string session;
    request_body body;
    std::uint64_t subscriber = 0;
    std::chrono::steady_clock::time_point started;
  };
  std::unordered_map<std::uint64_t, call> pending; // by ticket
  std::unordered_map<std::uint64_t, push_callback> subscribers;   // by subscription
  std::unordered_map<std::string, std::string> customers;         // session -> its customer
  std::chrono::steady_clock::time_point next_keep{};

  void complete(runtime::completion c) {
    if (auto* push = std::get_if<order_push>(&c.what)) {
      push_callback on_push;
      {
        std::lock_guard<std::mutex> guard{mutex};
        if (auto it = subscribers.find(c.connection); it != subscribers.end())
          on_push = it->second;
      }
      if (on_push)
        on_push(push->order);
      return;
    }
    reply_callback done;
    {
      std::lock_guard<std::mutex> guard{mutex};
      auto it = pending.find(c.rid);
      if (it == pending.end())
        return; // answered unavailable by stop()
      if (goes_again(it->second, c)) {
        caf::delayed_anon_send(retrier, runtime::served_elsewhere_retry, c.rid);
        return;
      }
      done = std::move(it->second.done);
      pending.erase(it);
    }
    const auto* body = std::get_if<reply_body>(&c.what);
    if (auto* opened = body ? std::get_if<session_result>(body) : nullptr;
        opened != nullptr && opened->role == role::customer) {
      std::lock_guard<std::mutex> guard{mutex};
      // Bounded: a session forgotten here places through this node, whose order actor then
      // answers unavailable if the customer's tag is another node's; a resume teaches it again.
      if (customers.size() >= max_remembered_sessions)
        customers.clear();
      customers[opened->session] = opened->subject;
    }
    if (auto* err = std::get_if<error>(&c.what))
      done(std::move(*err));
    else if (auto* e = as<error_result>(std::get<reply_body>(c.what)))
      done(error{e->code, e->message});
    else
      done(std::move(std::get<reply_body>(c.what)));
  }

  // Registers `done` and hands the request to the bridge; `subscriber` names the push target.
  void submit(std::string session, request_body body, reply_callback done,
              std::uint64_t subscriber = 0) {
    std::uint64_t ticket = 0;
    {
      std::lock_guard<std::mutex> guard{mutex};
      if (!stopped) {
        ticket = next_ticket++;
        pending.emplace(ticket, call{std::move(done), session, body, subscriber,
                                     std::chrono::steady_clock::now()});
      }
    }
    if (ticket == 0) {
      done(stopping());
      return;
    }
    route(ticket, std::move(session), std::move(body), subscriber);
  }

  void route(std::uint64_t ticket, std::string session, request_body body,
             std::uint64_t subscriber) {
    keep_links();
    if (auto owner = owner_of(session, body)) {
      peers->forward(*owner, subscriber, ticket, std::move(session), std::move(body));
      return;
    }
    runtime::bridge_submit(bridge, subscriber, ticket, std::move(session), std::move(body));
  }

  bool goes_again(const call& waiting, const runtime::completion& c) const {
    const auto* body = std::get_if<reply_body>(&c.what);
    const auto* refused = body ? std::get_if<error_result>(body) : nullptr;
    return refused && runtime::served_elsewhere(refused->code, refused->message) &&
           std::chrono::steady_clock::now() - waiting.started <
             std::chrono::milliseconds{cfg.opts.request_timeout_ms};
  }

  void send_again(std::uint64_t ticket) {
    std::string session;
    request_body body;
    std::uint64_t subscriber = 0;
    {
      std::lock_guard<std::mutex> guard{mutex};
      auto it = pending.find(ticket);
      if (it == pending.end())
        return; // answered unavailable by stop()
      session = it->second.session;
      body = it->second.body;
      subscriber = it->second.subscriber;
    }
    route(ticket, std::move(session), std::move(body), subscriber);
  }

  // Links to the other nodes bring their pushes for this engine's subscribers; they are
  // looked after on the callers' requests, at most every 100 ms.
  void keep_links() {
    const auto now = std::chrono::steady_clock::now();
    {
      std::lock_guard<std::mutex> guard{mutex};
      if (now < next_keep)
        return;
      next_keep = now + std::chrono::milliseconds{100};
    }
    peers->keep(core->node().peer_addresses());
  }

  // The node a request goes to, when another one serves what it is about.
  std::optional<std::string> owner_of(const std::string& session, const request_body& body) {
    std::string customer;
    {
      std::lock_guard<std::mutex> guard{mutex};
      if (auto it = customers.find(session); it != customers.end())
        customer = it->second;
    }
    const auto tag = runtime::request_tag(body, customer);
    return tag ? core->node().forward_address(*tag) : std::nullopt;
  }

  void unsubscribe(std::uint64_t id) {
    {
      std::lock_guard<std::mutex> guard{mutex};
      subscribers.erase(id);
    }
    runtime::bridge_closed(bridge, id);
  }

  void stop() {
    std::unordered_map<std::uint64_t, call> unanswered;
    {
      std::lock_guard<std::mutex> guard{mutex};
      if (stopped)
        return;
      stopped = true;
      unanswered.swap(pending);
      subscribers.clear();
    }
    for (auto& [ticket, waiting] : unanswered)
      waiting.done(stopping());
    if (gate) {
      core->leave(std::chrono::milliseconds{2'000});
      gate->drain(std::chrono::milliseconds{2'000});
      gate.reset();
    }
    peers.reset();
    caf::anon_send_exit(bridge, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(retrier, caf::exit_reason::user_shutdown);
    core->stop();
  }
};

result<std::unique_ptr<engine>> engine::start(engine_options opts) {
  const auto problems = runtime::validate(opts);
  if (!problems.empty())
    return error{errc::bad_request, problems.front()};
  auto i = std::make_shared<impl>();
  static_cast<engine_options&>(i->cfg.opts) = std::move(opts);
  actors::add_error_category(i->cfg);
  i->cfg.apply_scheduler_threads();
  i->sys = std::make_unique<caf::actor_system>(i->cfg);
  const auto& o = i->cfg.opts;
  auto core = runtime::engine::start(*i->sys, o, nullptr, o.node_listen.empty() ? "-" : o.node_listen);
  if (!core)
    return std::move(core).error();
  i->core = std::move(*core);
  std::weak_ptr<impl> weak = i;
  const auto node = &i->core->node();
  const auto engine_core = i->core.get();
  i->peers = std::make_unique<runtime::peer_links>(
    runtime::peer_links_options{o.node.empty() ? node->owner() : o.node, o.auth_key,
                                std::chrono::milliseconds{o.request_timeout_ms}},
    [weak](runtime::completion c) {
      if (auto strong = weak.lock())
        strong->complete(std::move(c));
    },
    [engine_core](order pushed) { engine_core->deliver_push(std::move(pushed)); });
  if (!o.node_listen.empty()) {
    runtime::gateway_options gw;
    gw.listen = *runtime::parse_host_port(o.node_listen);
    gw.request_timeout = std::chrono::milliseconds{o.request_timeout_ms};
    gw.node = o.node.empty() ? node->owner() : o.node;
    gw.auth_key = o.auth_key;
    gw.route = [node](std::size_t tag) { return node->forward_address(tag); };
    gw.nodes = [node] { return node->peer_addresses(); };
    gw.pushed = [engine_core](order pushed) { engine_core->deliver_push(std::move(pushed)); };
    auto listening = runtime::gateway::start(*i->sys, i->core->tree().sessions, gw);
    if (!listening) {
      i->core->stop();
      return std::move(listening).error();
    }
    i->gate = std::move(*listening);
  }
  i->retrier = i->sys->spawn([weak]() -> caf::behavior {
    return {[weak](std::uint64_t ticket) {
      if (auto strong = weak.lock())
        strong->send_again(ticket);
    }};
  });
  i->bridge = runtime::spawn_bridge(
    *i->sys, i->core->tree().sessions,
    [weak](runtime::completion c) {
      if (auto strong = weak.lock())
        strong->complete(std::move(c));
    },
    std::chrono::milliseconds{i->cfg.opts.request_timeout_ms});
  return std::unique_ptr<engine>{new engine{std::move(i)}};
}

engine::engine(std::shared_ptr<impl> i) : impl_(std::move(i)) {}

engine::~engine() {
  stop();
  // Handles first, then the system, which waits for every actor of this engine.
  impl_->core.reset();
  impl_->bridge = nullptr;
  impl_->retrier = nullptr;
  impl_->sys.reset();
}

void engine::stop() {
  impl_->stop();
}

void engine::call(const std::string& session, request_body body, reply_callback done) {
  impl_->submit(session, std::move(body), std::move(done));
}

std::future<result<reply_body>> engine::call(const std::string& session, request_body body) {
  auto promise = std::make_shared<std::promise<result<reply_body>>>();
  auto future = promise->get_future();
  call(session, std::move(body), [promise](result<reply_body> r) { promise->set_value(std::move(r)); });
  return future;
}

std::future<result<session_result>> engine::hello(std::string token) {
  return typed<session_result>(*this, auth::make_session_id(), hello_request{std::move(token)},
                               [](reply_body& b) -> result<session_result> {
                                 if (auto* r = as<session_result>(b))
                                   return *r;
                                 return error{errc::internal, "unexpected reply"};
                               });
}

std::future<result<session_result>> engine::resume(std::string session) {
  const auto id = session;
  return typed<session_result>(*this, id, resume_request{std::move(session)},
                               [](reply_body& b) -> result<session_result> {
                                 if (auto* r = as<session_result>(b))
                                   return *r;
                                 return error{errc::internal, "unexpected reply"};
                               });
}

std::future<result<order>> engine::place(const std::string& session, place_request req) {
  return typed<order>(*this, session, std::move(req), order_of);
}

std::future<result<order>> engine::get(const std::string& session, std::string order_id) {
  return typed<order>(*this, session, get_request{std::move(order_id)}, order_of);
}

std::future<result<std::vector<order>>> engine::list(const std::string& session,
                                                     list_request req) {
  return typed<std::vector<order>>(*this, session, std::move(req),
                                   [](reply_body& b) -> result<std::vector<order>> {
                                     if (auto* r = as<orders_result>(b))
                                       return std::move(r->orders);
                                     return error{errc::internal, "unexpected reply"};
                                   });
}

std::future<result<order>> engine::cancel(const std::string& session, cancel_request req) {
  return typed<order>(*this, session, std::move(req), order_of);
}

std::future<result<order>> engine::ship(const std::string& session, ship_request req) {
  return typed<order>(*this, session, std::move(req), order_of);
}

std::future<result<order>> engine::deliver(const std::string& session, std::string order_id) {
  return typed<order>(*this, session, deliver_request{std::move(order_id)}, order_of);
}

std::future<result<order>> engine::return_order(const std::string& session, return_request req) {
  return typed<order>(*this, session, std::move(req), order_of);
}

std::future<result<order>> engine::refund(const std::string& session, std::string order_id) {
  return typed<order>(*this, session, refund_request{std::move(order_id)}, order_of);
}

std::future<result<bool>> engine::membership(const std::string& session, bool member) {
  return typed<bool>(*this, session, membership_request{member}, [](reply_body& b) -> result<bool> {
    if (auto* r = as<membership_result>(b))
      return r->member;
    return error{errc::internal, "unexpected reply"};
  });
}

std::future<result<engine::subscription>> engine::subscribe(const std::string& session,
                                                            push_callback on_push) {
  std::uint64_t id = 0;
  {
    std::lock_guard<std::mutex> guard{impl_->mutex};
    id = impl_->next_ticket++;
    impl_->subscribers.emplace(id, std::move(on_push));
  }
  auto promise = std::make_shared<std::promise<result<subscription>>>();
  auto future = promise->get_future();
  std::weak_ptr<void> owner = impl_;
  auto weak_impl = std::weak_ptr<impl>{impl_};
  impl_->submit(
    session, subscribe_request{},
    [promise, owner, id, weak_impl](result<reply_body> r) {
      if (!r) {
        if (auto i = weak_impl.lock())
          i->unsubscribe(id);
        promise->set_value(std::move(r).error());
        return;
      }
      promise->set_value(subscription{owner, id});
    },
    id);
  return future;
}

engine::subscription::subscription(subscription&& other) noexcept
  : owner_(std::move(other.owner_)), id_(std::exchange(other.id_, 0)) {}

engine::subscription& engine::subscription::operator=(subscription&& other) noexcept {
  if (this != &other) {
    cancel();
    owner_ = std::move(other.owner_);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

engine::subscription::~subscription() {
  cancel();
}

void engine::subscription::cancel() noexcept {
  if (id_ == 0)
    return;
  if (auto owner = owner_.lock())
    std::static_pointer_cast<engine::impl>(owner)->unsubscribe(id_);
  id_ = 0;
}

} // namespace ordo
