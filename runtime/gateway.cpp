#include "runtime/gateway.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <caf/actor_system.hpp>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include "auth/node_proof.hpp"
#include "auth/secure_random.hpp"
#include "messages/codec.hpp"
#include "messages/frame.hpp"
#include "messages/peer_frames.hpp"
#include "runtime/completion_queue.hpp"
#include "runtime/bridge.hpp"
#include "runtime/log.hpp"
#include "runtime/metrics.hpp"
#include "runtime/peer_links.hpp"
#include "runtime/request_tag.hpp"

namespace ordo::runtime {

namespace {

constexpr std::size_t read_chunk_bytes = 64 * 1024;
constexpr int reads_per_wakeup = 4; // then other connections get their turn
constexpr int max_events = 256;
constexpr std::uint64_t listener_tag = ~std::uint64_t{0};
constexpr std::uint64_t wakeup_tag = ~std::uint64_t{0} - 1;
// Marks the completions of forwarded requests: their `connection` is a forward id.
constexpr std::uint64_t forwarded_flag = std::uint64_t{1} << 62;

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::steady_clock::now().time_since_epoch())
    .count();
}

struct connection {
  connection(int f, std::uint64_t i, std::size_t max_frame, std::int64_t now)
    : fd(f), id(i), splitter(max_frame), opened_ms(now) {}

  int fd;
  std::uint64_t id;
  frame_splitter splitter;
  std::string out;
  std::size_t out_offset = 0;
  std::size_t in_flight = 0;
  std::string session;
  bool authenticated = false;
  bool node = false; // another node's link (node_hello), not a client
  // Who the session is, from its hello or resume reply: a customer's place goes to the
  // node serving the customer's tag.
  std::string subject;
  ordo::role role = ordo::role::customer;
  bool reading = true;
  bool writing = false; // EPOLLOUT armed
  bool close_after_flush = false;
  std::int64_t opened_ms;

  std::size_t pending_bytes() const { return out.size() - out_offset; }
};

result<int> listen_on(const host_port& address) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const auto port = std::to_string(address.port);
  if (const int rc = ::getaddrinfo(address.host.c_str(), port.c_str(), &hints, &found); rc != 0)
    return error{errc::bad_request, "cannot resolve " + address.host + ": " + ::gai_strerror(rc)};
  std::string why = "no address";
  for (auto* ai = found; ai != nullptr; ai = ai->ai_next) {
    const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
      continue;
    const int on = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd, SOMAXCONN) == 0) {
      ::freeaddrinfo(found);
      return fd;
    }
    why = std::strerror(errno);
    ::close(fd);
  }
  ::freeaddrinfo(found);
  return error{errc::unavailable,
               "cannot listen on " + address.host + ":" + port + ": " + why};
}

std::string local_address(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  char host[INET6_ADDRSTRLEN] = {};
  std::uint16_t port = 0;
  if (addr.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<sockaddr_in6*>(&addr);
    ::inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
    port = ntohs(a->sin6_port);
    return "[" + std::string{host} + "]:" + std::to_string(port);
  }
  const auto* a = reinterpret_cast<sockaddr_in*>(&addr);
  ::inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
  port = ntohs(a->sin_port);
  return std::string{host} + ":" + std::to_string(port);
}

std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

bool watch(int epoll, int fd, std::uint32_t events, std::uint64_t tag) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = tag;
  return ::epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &ev) == 0;
}

} // namespace

class gateway::loop {
public:
  // Takes the listener and the epoll set, with the listener and `done` registered in it.
  loop(caf::actor_system& sys, actors::session_router sessions, gateway_options opts, int listener,
       int epoll, std::shared_ptr<completion_queue> done)
    : opts_(std::move(opts)), listener_(listener), epoll_(epoll), done_(std::move(done)) {
    bridge_ = spawn_bridge(
      sys, std::move(sessions), [done = done_](completion c) { done->push(std::move(c)); },
      opts_.request_timeout, opts_.requests);
    if (opts_.route)
      peers_ = std::make_unique<peer_links>(
        peer_links_options{opts_.node, opts_.auth_key, opts_.request_timeout, opts_.max_frame_bytes},
        [done = done_](completion c) { done->push(std::move(c)); }, opts_.pushed);
    bound_ = local_address(listener_);
    thread_ = std::thread{[this] { run(); }};
  }

  ~loop() {
    stopping_ = true;
    thread_.join();
    for (auto& [id, conn] : connections_) {
      ::close(conn.fd);
      if (opts_.connections)
        opts_.connections->closed();
    }
    if (listener_ >= 0)
      ::close(listener_);
    ::close(epoll_);
    caf::anon_send_exit(bridge_, caf::exit_reason::user_shutdown);
  }

  const std::string& bound() const { return bound_; }

  void drain(std::chrono::milliseconds limit) {
    draining_ = true;
    std::unique_lock<std::mutex> lock{drain_mutex_};
    drained_cv_.wait_for(lock, limit, [this] { return drained_; });
  }

  gateway::stats current() const {
    return {connection_count_.load(), in_flight_count_.load()};
  }

private:
  // A connection epoll cannot watch (the kernel is out of memory, or of epoll watches) would
  // never be served: it is closed once the current batch of events is handled.
  void rearm(connection& c) {
    epoll_event ev{};
    ev.events = (c.reading ? EPOLLIN : 0u) | (c.writing ? EPOLLOUT : 0u);
    ev.data.u64 = c.id;
    if (::epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &ev) != 0) {
      log_event("warning", "connection_dropped",
                {{"reason", "epoll_ctl failed: " + std::string{std::strerror(errno)}}});
      unwatchable_.push_back(c.id);
    }
  }

  void close_unwatchable() {
    for (auto id : unwatchable_)
      if (auto it = connections_.find(id); it != connections_.end())
        close(it->second);
    unwatchable_.clear();
  }

  void run() {
    epoll_event events[max_events];
    std::int64_t last_sweep = steady_ms();
    std::int64_t last_keep = last_sweep;
    while (!stopping_) {
      const int n = ::epoll_wait(epoll_, events, max_events, retries_.empty() ? 100 : 20);
      for (int i = 0; i < n; ++i) {
        const auto tag = events[i].data.u64;
        if (tag == listener_tag)
          accept_all();
        else if (tag == wakeup_tag)
          complete_all();
        else
          serve(tag, events[i].events);
      }
      close_unwatchable();
      const auto now = steady_ms();
      if (!retries_.empty())
        forward_again(now);
      if (now - last_sweep >= 1000) {
        close_unauthenticated(now);
        last_sweep = now;
      }
      // Links to new nodes open soon after they are seen: until then their subscribers miss
      // this node's pushes.
      if (peers_ && opts_.nodes && now - last_keep >= 100) {
        peers_->keep(opts_.nodes());
        last_keep = now;
      }
      if (draining_)
        drain_step();
    }
  }

  void accept_all() {
    for (;;) {
      const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0)
        return;
      if (connections_.size() >= opts_.max_connections) {
        if (opts_.connections)
          opts_.connections->refused();
        ::close(fd);
        continue;
      }
      const int on = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
      const auto id = next_id_++;
      if (!watch(epoll_, fd, EPOLLIN, id)) {
        log_event("warning", "connection_refused",
                  {{"reason", "epoll_ctl failed: " + std::string{std::strerror(errno)}}});
        if (opts_.connections)
          opts_.connections->refused();
        ::close(fd);
        continue;
      }
      connections_.emplace(id, connection{fd, id, opts_.max_frame_bytes, steady_ms()});
      ++connection_count_;
      if (opts_.connections)
        opts_.connections->opened();
    }
  }

  void serve(std::uint64_t id, std::uint32_t events) {
    auto it = connections_.find(id);
    if (it == connections_.end())
      return;
    auto& c = it->second;
    if (events & (EPOLLHUP | EPOLLERR)) {
      close(c);
      return;
    }
    if ((events & EPOLLIN) && c.reading && !read_from(c))
      return;
    if (events & EPOLLOUT)
      flush(c);
  }

  // Returns false when the connection was closed.
  bool read_from(connection& c) {
    char buffer[read_chunk_bytes];
    for (int i = 0; i < reads_per_wakeup && c.reading; ++i) {
      const auto n = ::read(c.fd, buffer, sizeof buffer);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        close(c);
        return false;
      }
      if (n < 0)
        return true;
      c.splitter.append(std::string_view{buffer, static_cast<std::size_t>(n)});
      if (!take_frames(c))
        return false;
    }
    return true;
  }

  bool take_frames(connection& c) {
    for (auto e = c.splitter.next(); e.status != frame_status::need_more; e = c.splitter.next()) {
      if (e.status == frame_status::frame) {
        handle(c, e.payload);
      } else if (e.status == frame_status::empty) {
        answered_here(unknown_op, errc::bad_request);
        send_error(c, 0, errc::bad_request, "empty frame");
      } else {
        answered_here(unknown_op, errc::frame_too_large);
        send_error(c, 0, errc::frame_too_large,
                   "frame of " + std::to_string(e.declared_bytes) + " bytes exceeds " +
                     std::to_string(opts_.max_frame_bytes));
        c.reading = false;
        c.close_after_flush = true;
        break;
      }
    }
    return flush(c);
  }

  // A frame on another node's link: its node_hello first, then forwarded requests, served
  // here as the client's own would be, under the session each names.
  void handle_peer(connection& c, std::string_view payload) {
    auto frame = decode_peer_frame(payload);
    if (!frame) {
      send_error(c, 0, errc::bad_request, frame.error().message);
      return;
    }
    if (const auto* hello = std::get_if<node_hello>(&*frame)) {
      auto proven = auth::verify_node_proof(hello->node, hello->at_ms, hello->proof,
                                            opts_.auth_key, unix_ms());
      if (!proven || c.authenticated) {
        log_event("warning", "node_refused",
                  {{"node", hello->node},
                   {"reason", proven ? "a second hello" : proven.error().message}});
        c.reading = false;
        c.close_after_flush = true;
        send_error(c, 0, errc::unauthenticated, proven ? "already authenticated" : proven.error().message);
        return;
      }
      c.node = true;
      c.authenticated = true;
      bridge_relay_pushes(bridge_, c.id);
      log_event("info", "node_linked", {{"node", hello->node}});
      return;
    }
    if (!c.node) {
      send_error(c, 0, errc::unauthenticated, "send node_hello first");
      return;
    }
    auto& forwarded = std::get<forwarded_request>(*frame);
    auto decoded = decode_request(forwarded.request);
    if (!decoded) {
      send_error(c, decoded.error().rid, decoded.error().error.code, decoded.error().error.message);
      return;
    }
    submit(c, decoded->rid, std::move(forwarded.session), std::move(decoded->body));
  }

  void submit(connection& c, std::uint64_t rid, std::string session, request_body body) {
    ++c.in_flight;
    ++in_flight_count_;
    if (opts_.requests)
      opts_.requests->entered();
    bridge_submit(bridge_, c.id, rid, std::move(session), std::move(body));
  }

  void handle(connection& c, std::string_view payload) {
    if (is_peer_frame(payload)) {
      handle_peer(c, payload);
      return;
    }
    if (c.node) {
      send_error(c, 0, errc::bad_request, "a node's link carries peer frames only");
      return;
    }
    auto decoded = decode_request(payload);
    if (!decoded) {
      answered_here(decoded.error().op.value_or(unknown_op), decoded.error().error.code);
      send_error(c, decoded.error().rid, decoded.error().error.code,
                 decoded.error().error.message);
      return;
    }
    auto& req = *decoded;
    const auto op = op_index(req.body);
    if (std::holds_alternative<ping_request>(req.body)) {
      answered_here(op, std::nullopt);
      send_reply(c, reply{req.rid, pong_result{}});
      return;
    }
    const bool opens = std::holds_alternative<hello_request>(req.body) ||
                       std::holds_alternative<resume_request>(req.body);
    if (!c.authenticated && !opens) {
      answered_here(op, errc::unauthenticated);
      send_error(c, req.rid, errc::unauthenticated, "send hello or resume first");
      return;
    }
    if (c.in_flight >= opts_.max_in_flight_per_connection) {
      answered_here(op, errc::overloaded);
      send_error(c, req.rid, errc::overloaded,
                 "more than " + std::to_string(opts_.max_in_flight_per_connection) +
                   " requests in flight on this connection");
      return;
    }
    std::string session;
    if (std::holds_alternative<hello_request>(req.body))
      session = auth::make_session_id();
    else if (const auto* resume = std::get_if<resume_request>(&req.body))
      session = resume->session;
    else
      session = c.session;
    if (peers_) {
      const auto customer = c.role == ordo::role::customer ? std::string_view{c.subject} : "";
      if (const auto tag = request_tag(req.body, customer))
        if (auto owner = opts_.route(*tag)) {
          ++c.in_flight;
          ++in_flight_count_;
          if (opts_.requests) {
            opts_.requests->entered();
            opts_.requests->forwarded();
          }
          const auto id = next_forward_++;
          auto& f = forwards_[id];
          f = forward{c.id, req.rid, std::move(session), std::move(req.body), steady_ms(), *tag};
          peers_->forward(*owner, forwarded_flag | id, 0, f.session, f.body);
          return;
        }
    }
    submit(c, req.rid, std::move(session), std::move(req.body));
  }

  // The answer to a forwarded request. The node it went to may not serve the tag (yet, or
  // any more: a hand-off under way, a view of the nodes a beat old): then it goes again, to
  // where the tag is to be served now, until the request timeout; else to its client.
  bool forward_answered(completion& done) {
    const auto it = forwards_.find(done.connection & ~forwarded_flag);
    if (it == forwards_.end())
      return false;
    auto& f = it->second;
    const auto* body = std::get_if<reply_body>(&done.what);
    const auto* refused = body ? std::get_if<error_result>(body) : nullptr;
    const bool elsewhere = refused && served_elsewhere(refused->code, refused->message);
    // A link that closed under a request (its node stopped) leaves it unknown whether it was
    // applied: only a read, or a change under an idempotency key, may simply go again.
    const auto* cut = std::get_if<ordo::error>(&done.what);
    const bool repeatable = std::holds_alternative<get_request>(f.body) ||
                            std::holds_alternative<place_request>(f.body) ||
                            std::holds_alternative<cancel_request>(f.body) ||
                            std::holds_alternative<return_request>(f.body);
    const bool lost = cut && cut->code == errc::unavailable && repeatable;
    if ((elsewhere || lost) && steady_ms() - f.started_ms < opts_.request_timeout.count()) {
      f.retry_at_ms = steady_ms() + served_elsewhere_retry.count();
      retries_.push_back(it->first);
      return false;
    }
    done.connection = f.connection;
    done.rid = f.rid;
    forwards_.erase(it);
    return true;
  }

  void forward_again(std::int64_t now) {
    std::vector<std::uint64_t> later;
    for (const auto id : retries_) {
      const auto it = forwards_.find(id);
      if (it == forwards_.end())
        continue;
      auto& f = it->second;
      if (f.retry_at_ms > now) {
        later.push_back(id);
        continue;
      }
      if (auto owner = opts_.route(f.tag)) {
        peers_->forward(*owner, forwarded_flag | id, 0, f.session, f.body);
        continue;
      }
      // Served here now: to the actors, answered as this node's own request.
      bridge_submit(bridge_, f.connection, f.rid, std::move(f.session), std::move(f.body));
      forwards_.erase(it);
    }
    retries_ = std::move(later);
  }

  void complete_all() {
    for (auto& done : done_->take_all()) {
      if ((done.connection & forwarded_flag) != 0 && !forward_answered(done))
        continue;
      auto it = connections_.find(done.connection);
      if (it == connections_.end()) {
        if (!std::holds_alternative<order_push>(done.what))
          left_actors();
        continue;
      }
      auto& c = it->second;
      std::visit(
        [&](auto& what) {
          using T = std::decay_t<decltype(what)>;
          if constexpr (std::is_same_v<T, order_push>) {
            const auto header = begin_frame(c.out);
            encode_push(what, c.out);
            end_frame(c.out, header);
          } else {
            --c.in_flight;
            left_actors();
            if constexpr (std::is_same_v<T, ordo::error>) {
              send_error(c, done.rid, what.code, what.message);
            } else {
              if (const auto* opened = std::get_if<session_result>(&what)) {
                c.session = opened->session;
                c.subject = opened->subject;
                c.role = opened->role;
                c.authenticated = true;
              }
              send_reply(c, reply{done.rid, std::move(what)});
            }
          }
        },
        done.what);
      flush(c);
    }
  }

  // A request handed to the actors came back (its connection may be gone by now).
  void left_actors() {
    --in_flight_count_;
    if (opts_.requests)
      opts_.requests->left();
  }

  // A request the gateway answers itself, without the actors.
  void answered_here(std::size_t op, std::optional<errc> failure) {
    if (opts_.requests)
      opts_.requests->answered_at_once(op, failure);
  }

  void send_reply(connection& c, const reply& r) {
    const auto header = begin_frame(c.out);
    encode_reply(r, c.out);
    end_frame(c.out, header);
  }

  void send_error(connection& c, std::uint64_t rid, errc code, std::string message) {
    send_reply(c, reply{rid, error_result{code, std::move(message)}});
  }

  // Writes what it can; returns false when the connection was closed.
  bool flush(connection& c) {
    while (c.pending_bytes() > 0) {
      const auto n = ::write(c.fd, c.out.data() + c.out_offset, c.pending_bytes());
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK)
          break;
        if (errno == EINTR)
          continue;
        close(c);
        return false;
      }
      c.out_offset += static_cast<std::size_t>(n);
    }
    if (c.pending_bytes() == 0) {
      c.out.clear();
      c.out_offset = 0;
      if (c.close_after_flush) {
        close(c);
        return false;
      }
    } else if (c.pending_bytes() > opts_.max_write_buffer_bytes) {
      // The client does not read: drop it rather than grow without bound.
      close(c);
      return false;
    } else if (c.out_offset > c.out.size() / 2) {
      c.out.erase(0, c.out_offset);
      c.out_offset = 0;
    }
    const bool want_write = c.pending_bytes() > 0;
    if (want_write != c.writing) {
      c.writing = want_write;
      rearm(c);
    }
    return true;
  }

  void close(connection& c) {
    // Closing the socket removes it from the set anyway; DEL only makes that explicit.
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, c.fd, nullptr);
    ::close(c.fd);
    bridge_closed(bridge_, c.id);
    connections_.erase(c.id);
    --connection_count_;
    if (opts_.connections)
      opts_.connections->closed();
  }

  void close_unauthenticated(std::int64_t now) {
    std::vector<std::uint64_t> expired;
    for (auto& [id, c] : connections_)
      if (!c.authenticated && c.in_flight == 0 && now - c.opened_ms > opts_.auth_timeout.count())
        expired.push_back(id);
    for (auto id : expired)
      close(connections_.at(id));
  }

  void drain_step() {
    if (listener_ >= 0) {
      ::epoll_ctl(epoll_, EPOLL_CTL_DEL, listener_, nullptr);
      ::close(listener_);
      listener_ = -1;
      // Other nodes' links stay read: what they still forward here is answered (with a
      // pointer elsewhere for a tag this node has handed off) instead of cut off unread.
      for (auto& [id, c] : connections_) {
        if (c.node)
          continue;
        c.reading = false;
        rearm(c);
      }
    }
    bool idle = in_flight_count_ == 0;
    for (auto& [id, c] : connections_)
      idle = idle && c.pending_bytes() == 0;
    if (idle) {
      std::lock_guard<std::mutex> guard{drain_mutex_};
      drained_ = true;
      drained_cv_.notify_all();
    }
  }

  gateway_options opts_;
  int listener_;
  int epoll_ = -1;
  std::string bound_;
  std::shared_ptr<completion_queue> done_;
  caf::actor bridge_;
  std::unique_ptr<peer_links> peers_; // when there are other nodes to forward to
  // Requests sent on to other nodes, by forward id, until their answer reaches the client.
  struct forward {
    std::uint64_t connection = 0;
    std::uint64_t rid = 0;
    std::string session;
    request_body body;
    std::int64_t started_ms = 0;
    std::size_t tag = 0;
    std::int64_t retry_at_ms = 0;
  };
  std::vector<std::uint64_t> retries_; // forwards to send again at their retry_at_ms
  std::unordered_map<std::uint64_t, forward> forwards_;
  std::uint64_t next_forward_ = 0;
  std::unordered_map<std::uint64_t, connection> connections_;
  std::vector<std::uint64_t> unwatchable_;
  std::uint64_t next_id_ = 0;
  std::atomic<std::size_t> connection_count_{0};
  std::atomic<std::size_t> in_flight_count_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> draining_{false};
  std::mutex drain_mutex_;
  std::condition_variable drained_cv_;
  bool drained_ = false;
  std::thread thread_;
};

gateway::gateway(std::unique_ptr<loop> l) : loop_(std::move(l)) {}

gateway::~gateway() = default;

result<std::unique_ptr<gateway>> gateway::start(caf::actor_system& sys,
                                                actors::session_router sessions,
                                                gateway_options opts) {
  auto listener = listen_on(opts.listen);
  if (!listener)
    return std::move(listener).error();
  auto opened = completion_queue::open();
  if (!opened) {
    ::close(*listener);
    return error{errc::internal, "cannot set up the gateway: " + opened.error().message};
  }
  auto done = std::move(*opened);
  const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll < 0 || !watch(epoll, *listener, EPOLLIN, listener_tag) ||
      !watch(epoll, done->wake_fd(), EPOLLIN, wakeup_tag)) {
    error failure{errc::internal,
                  "cannot set up the gateway's epoll set: " + std::string{std::strerror(errno)}};
    if (epoll >= 0)
      ::close(epoll);
    ::close(*listener);
    return failure;
  }
  return std::unique_ptr<gateway>{new gateway{std::make_unique<loop>(
    sys, std::move(sessions), std::move(opts), *listener, epoll, std::move(done))}};
}

std::string gateway::bound_address() const {
  return loop_->bound();
}

void gateway::drain(std::chrono::milliseconds limit) {
  loop_->drain(limit);
}

gateway::stats gateway::current() const {
  return loop_->current();
}

} // namespace ordo::runtime
