#include "runtime/peer_links.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>

#include "auth/node_proof.hpp"
#include "messages/codec.hpp"
#include "messages/frame.hpp"
#include "messages/peer_frames.hpp"
#include "runtime/log.hpp"
#include "runtime/options.hpp"

namespace ordo::runtime {

namespace {

constexpr std::chrono::milliseconds connect_timeout{1'000};
// A node that does not take connections yet (starting) or any more (restarting) gets this
// long before the requests for it fail.
constexpr std::chrono::milliseconds reach_patience{3'000};
constexpr std::chrono::milliseconds poll_interval{100};
constexpr std::size_t read_chunk_bytes = 64 * 1024;

std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

// A non-blocking TCP connection to `address`, or -1 (within connect_timeout).
int connect_to(const std::string& address) {
  const auto hp = parse_host_port(address);
  if (!hp)
    return -1;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (::getaddrinfo(hp->host.c_str(), std::to_string(hp->port).c_str(), &hints, &found) != 0)
    return -1;
  int fd = -1;
  for (auto* ai = found; ai != nullptr && fd < 0; ai = ai->ai_next) {
    fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
      continue;
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
      ::close(fd);
      fd = -1;
      continue;
    }
    pollfd p{fd, POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof err;
    if (::poll(&p, 1, static_cast<int>(connect_timeout.count())) != 1 ||
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  if (fd >= 0) {
    const int on = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  }
  return fd;
}

} // namespace

// One node's link: requests wait in `outbox` until the link's thread writes them; answers
// are matched to their requests by the relay id the link gave each.
class peer_links::link {
public:
  link(std::string address, const peer_links_options& opts, std::function<void(completion)> done,
       std::function<void(ordo::order)> pushed)
      : address_(std::move(address)), opts_(opts), done_(std::move(done)),
        pushed_(std::move(pushed)), wake_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
        splitter_(opts.max_frame_bytes) {
    thread_ = std::thread{[this] { run(); }};
  }

  ~link() {
    stopping_ = true;
    wake();
    thread_.join();
    fail_all("this node stopped forwarding to " + address_);
    if (wake_ >= 0)
      ::close(wake_);
  }

  link(const link&) = delete;
  link& operator=(const link&) = delete;

  void forward(std::uint64_t connection, std::uint64_t rid, std::string session,
               ordo::request_body body) {
    {
      std::lock_guard lock{mutex_};
      const auto relay = next_relay_++;
      pending_.emplace(relay, waiting{connection, rid,
                                      std::chrono::steady_clock::now() + opts_.timeout});
      std::string request;
      encode_request(ordo::request{relay, std::move(body)}, request);
      const auto header = begin_frame(outbox_);
      encode_peer_frame(forwarded_request{std::move(session), std::move(request)}, outbox_);
      end_frame(outbox_, header);
    }
    wake();
  }

private:
  struct waiting {
    std::uint64_t connection;
    std::uint64_t rid;
    std::chrono::steady_clock::time_point deadline;
  };

  void wake() {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto n = ::write(wake_, &one, sizeof one);
  }

  void run() {
    while (!stopping_) {
      if (fd_ < 0 && !open()) {
        const auto now = std::chrono::steady_clock::now();
        if (!unreachable_since_)
          unreachable_since_ = now;
        if (now - *unreachable_since_ >= reach_patience)
          fail_all("cannot reach node " + address_);
        wait_for_wake(std::chrono::milliseconds{100});
        continue;
      }
      unreachable_since_.reset();
      {
        std::lock_guard lock{mutex_};
        out_.append(outbox_);
        outbox_.clear();
      }
      pollfd polled[2] = {{fd_, static_cast<short>(POLLIN | (out_.empty() ? 0 : POLLOUT)), 0},
                          {wake_, POLLIN, 0}};
      ::poll(polled, 2, static_cast<int>(poll_interval.count()));
      if (polled[1].revents & POLLIN)
        drain_wake();
      bool alive = !(polled[0].revents & (POLLERR | POLLHUP | POLLNVAL));
      if (alive && (polled[0].revents & POLLIN))
        alive = read_some();
      if (alive && !out_.empty())
        alive = write_some();
      if (!alive)
        drop("link to node " + address_ + " lost");
      expire_overdue();
    }
    if (fd_ >= 0)
      ::close(fd_);
  }

  bool open() {
    fd_ = connect_to(address_);
    if (fd_ < 0)
      return false;
    const auto now = unix_ms();
    out_.clear();
    const auto header = begin_frame(out_);
    encode_peer_frame(node_hello{opts_.node, now, auth::mint_node_proof(opts_.node, now, opts_.auth_key)},
                      out_);
    end_frame(out_, header);
    splitter_ = frame_splitter{opts_.max_frame_bytes};
    return true;
  }

  void wait_for_wake(std::chrono::milliseconds limit) {
    pollfd p{wake_, POLLIN, 0};
    ::poll(&p, 1, static_cast<int>(limit.count()));
    drain_wake();
  }

  void drain_wake() {
    std::uint64_t count = 0;
    [[maybe_unused]] const auto n = ::read(wake_, &count, sizeof count);
  }

  bool write_some() {
    while (!out_.empty()) {
      const auto n = ::send(fd_, out_.data(), out_.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
      out_.erase(0, static_cast<std::size_t>(n));
    }
    return true;
  }

  bool read_some() {
    char buffer[read_chunk_bytes];
    const auto n = ::recv(fd_, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n == 0)
      return false;
    if (n < 0)
      return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    splitter_.append({buffer, static_cast<std::size_t>(n)});
    for (auto e = splitter_.next(); e.status != frame_status::need_more; e = splitter_.next()) {
      if (e.status != frame_status::frame)
        return false;
      auto message = decode_server_message(e.payload);
      if (!message)
        return false;
      if (auto* push = std::get_if<order_push>(&*message)) {
        pushed_(std::move(push->order));
        continue;
      }
      answer(std::get<reply>(std::move(*message)));
    }
    return true;
  }

  void answer(reply r) {
    std::optional<waiting> w;
    {
      std::lock_guard lock{mutex_};
      const auto it = pending_.find(r.rid);
      if (it == pending_.end())
        return; // timed out already
      w = it->second;
      pending_.erase(it);
    }
    done_(completion{w->connection, w->rid, std::move(r.body)});
  }

  void drop(const std::string& why) {
    ::close(fd_);
    fd_ = -1;
    out_.clear();
    fail_all(why);
  }

  void fail_all(const std::string& why) {
    std::unordered_map<std::uint64_t, waiting> failed;
    {
      std::lock_guard lock{mutex_};
      failed.swap(pending_);
      outbox_.clear();
    }
    for (const auto& [relay, w] : failed)
      done_(completion{w.connection, w.rid, ordo::error{errc::unavailable, why}});
  }

  void expire_overdue() {
    const auto now = std::chrono::steady_clock::now();
    std::vector<waiting> overdue;
    {
      std::lock_guard lock{mutex_};
      for (auto it = pending_.begin(); it != pending_.end();) {
        if (it->second.deadline <= now) {
          overdue.push_back(it->second);
          it = pending_.erase(it);
        } else {
          ++it;
        }
      }
    }
    for (const auto& w : overdue)
      done_(completion{w.connection, w.rid,
                       ordo::error{errc::unavailable, "node " + address_ + " did not answer in time"}});
  }

  const std::string address_;
  const peer_links_options& opts_;
  std::function<void(completion)> done_;
  std::function<void(ordo::order)> pushed_;
  int wake_ = -1;
  int fd_ = -1; // the link thread's alone
  frame_splitter splitter_;
  std::string out_; // the link thread's alone: bytes not yet written
  std::mutex mutex_;
  std::string outbox_; // frames forward() queued
  std::unordered_map<std::uint64_t, waiting> pending_;
  std::uint64_t next_relay_ = 1;
  std::atomic<bool> stopping_{false};
  std::optional<std::chrono::steady_clock::time_point> unreachable_since_; // the link thread's
  std::thread thread_;
};

peer_links::peer_links(peer_links_options opts, std::function<void(completion)> done,
                       std::function<void(ordo::order)> pushed)
    : opts_(std::move(opts)), done_(std::move(done)), pushed_(std::move(pushed)) {}

peer_links::~peer_links() {
  std::map<std::string, std::shared_ptr<link>> links;
  {
    std::lock_guard lock{mutex_};
    links.swap(links_);
  }
}

std::shared_ptr<peer_links::link> peer_links::link_to(const std::string& address) {
  auto& l = links_[address];
  if (!l)
    l = std::make_shared<link>(address, opts_, done_, pushed_);
  return l;
}

void peer_links::forward(const std::string& address, std::uint64_t connection, std::uint64_t rid,
                         std::string session, ordo::request_body body) {
  std::shared_ptr<link> l;
  {
    std::lock_guard lock{mutex_};
    l = link_to(address);
    ++forwarded_;
  }
  l->forward(connection, rid, std::move(session), std::move(body));
}

void peer_links::keep(const std::vector<std::string>& addresses) {
  const std::set<std::string> wanted(addresses.begin(), addresses.end());
  std::vector<std::shared_ptr<link>> closing;
  {
    std::lock_guard lock{mutex_};
    for (const auto& address : wanted)
      link_to(address);
    for (auto it = links_.begin(); it != links_.end();) {
      if (wanted.count(it->first) == 0) {
        closing.push_back(std::move(it->second));
        it = links_.erase(it);
      } else {
        ++it;
      }
    }
  }
  // Joined outside the lock: forward() on another thread need not wait for them.
}

std::uint64_t peer_links::forwarded() const {
  std::lock_guard lock{mutex_};
  return forwarded_;
}

} // namespace ordo::runtime
