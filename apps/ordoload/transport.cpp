#include "transport.hpp"

#include <sys/epoll.h>
#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <unordered_map>

#include <ordo/engine.hpp>

#include "clients/client.hpp"

namespace ordo::load {

namespace {

// Channels (one per simulated customer or operator) share `connections` TCP connections,
// channel i on connection i % connections; by default each channel has its own. A
// connection carries one session at a time (docs/PROTOCOL.md): to send for another channel's session
// it sends `resume` first and holds that channel's requests until the resume is answered.
// Requests already in flight keep the session they were sent under. A connection that
// drops fails what it carried with unavailable (its fate unknown) and is opened again, its
// sessions resumed (they live in Redis, so this works across an ordod restart) and its
// subscriptions renewed; until then requests on it fail at once. One epoll set watches
// every connection: poll() over a thousand descriptors per wake-up cost the load generator
// a third of its CPU, which it takes from the engine it measures when both share a machine.
class tcp final : public transport {
public:
  tcp(std::vector<runtime::host_port> targets, std::size_t connections)
      : targets_(std::move(targets)), wanted_connections_(connections),
        epoll_(::epoll_create1(EPOLL_CLOEXEC)) {}

  ~tcp() override {
    if (epoll_ >= 0)
      ::close(epoll_);
  }

  tcp(const tcp&) = delete;
  tcp& operator=(const tcp&) = delete;

  result<bool> open(const std::vector<std::string>& tokens, std::size_t subscribers) override {
    if (epoll_ < 0)
      return error{errc::internal, "epoll_create1 failed"};
    const auto count = wanted_connections_ == 0 ? tokens.size()
                                                : std::min(wanted_connections_, tokens.size());
    subscribers_ = subscribers;
    for (std::size_t i = 0; i < count; ++i) {
      const auto& target = targets_[i % targets_.size()];
      auto c = client::connect(target.host, target.port);
      if (!c)
        return error{c.error().code, target.host + ":" + std::to_string(target.port) + ": " +
                                       c.error().message};
      connections_.push_back(std::make_unique<connection>(std::move(*c)));
      connections_.back()->target = i % targets_.size();
      if (auto watched = watch(connections_.size() - 1); !watched)
        return watched;
    }
    for (std::size_t channel = 0; channel < tokens.size(); ++channel) {
      auto& conn = *connections_[channel % connections_.size()];
      conn.channels.push_back(channel);
      auto opened = conn.link.call_as<session_result>(hello_request{tokens[channel]});
      if (!opened)
        return std::move(opened).error();
      sessions_.push_back(opened->session);
      conn.current = channel;
      if (channel < subscribers) {
        if (auto subscribed = conn.link.call(subscribe_request{}); !subscribed)
          return std::move(subscribed).error();
      }
    }
    return true;
  }

  void submit(std::size_t channel, request_body body, done_callback done) override {
    ++in_flight_;
    auto& conn = *connections_[channel % connections_.size()];
    conn.held.push_back({channel, std::move(body), std::move(done)});
    send_held(conn);
  }

  void pump(std::chrono::milliseconds max_wait) override {
    reopen_lost();
    constexpr int max_events = 256;
    epoll_event events[max_events];
    const int ready = ::epoll_wait(epoll_, events, max_events, static_cast<int>(max_wait.count()));
    for (int i = 0; i < ready; ++i) {
      auto& conn = *connections_[events[i].data.u64];
      for (;;) {
        auto message = conn.link.receive(std::chrono::milliseconds{0});
        if (!message) {
          if (!conn.link.open())
            lose(conn, message.error());
          break;
        }
        if (auto* push = std::get_if<order_push>(&*message)) {
          if (on_push)
            on_push(push->order);
          continue;
        }
        auto* rep = std::get_if<reply>(&*message);
        auto it = conn.waiting.find(rep->rid);
        if (it == conn.waiting.end())
          continue;
        auto done = std::move(it->second);
        conn.waiting.erase(it);
        if (const auto* err = as_error(rep->body))
          done(error{err->code, err->message});
        else
          done(std::move(rep->body));
      }
    }
  }

  std::size_t in_flight() const override { return in_flight_; }
  std::uint64_t connections_lost() const override { return lost_; }

private:
  struct held_request {
    std::size_t channel;
    request_body body;
    done_callback done;
  };

  struct connection {
    explicit connection(client c) : link(std::move(c)) {}
    client link;
    std::unordered_map<std::uint64_t, done_callback> waiting; // by rid
    std::size_t current = 0;                                  // whose session it carries
    bool switching = false;                                   // a resume is in flight
    std::deque<held_request> held;                            // not sent yet, in order
    std::vector<std::size_t> channels;                        // whose sessions it carries
    std::size_t target = 0;                                   // which node it talks to
    bool lost = false;
    std::chrono::steady_clock::time_point reopen_at{};
  };

  result<bool> watch(std::size_t index) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = index;
    if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, connections_[index]->link.native_handle(), &ev) != 0)
      return error{errc::internal, "epoll_ctl failed"};
    return true;
  }

  void lose(connection& conn, const error& why) {
    ++lost_;
    conn.lost = true;
    conn.reopen_at = std::chrono::steady_clock::now();
    fail_all(conn, error{errc::unavailable, "connection lost: " + why.message});
  }

  // Opens lost connections again, resuming their sessions, at most every 200 ms each.
  void reopen_lost() {
    const auto now = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < connections_.size(); ++i) {
      auto& conn = *connections_[i];
      if (!conn.lost || now < conn.reopen_at)
        continue;
      conn.reopen_at = now + std::chrono::milliseconds{200};
      const auto& target = targets_[conn.target];
      auto c = client::connect(target.host, target.port);
      if (!c) {
        conn.target = (conn.target + 1) % targets_.size(); // that node is gone: the next one
        continue;
      }
      // Short waits: the whole load waits while a connection is re-opened.
      constexpr std::chrono::milliseconds reopen_wait{1'000};
      bool resumed = true;
      for (const auto channel : conn.channels) {
        resumed =
          c->call_as<session_result>(resume_request{sessions_[channel]}, reopen_wait).ok() &&
          (channel >= subscribers_ || c->call(subscribe_request{}, reopen_wait).ok());
        if (!resumed)
          break;
      }
      if (!resumed) {
        conn.target = (conn.target + 1) % targets_.size();
        continue;
      }
      conn.link = std::move(*c);
      conn.current = conn.channels.back();
      if (watch(i).ok())
        conn.lost = false;
    }
  }

  // Sends what it can, in order: requests for the connection's current session at once; for
  // another session, a resume first.
  void send_held(connection& conn) {
    while (!conn.switching && !conn.held.empty()) {
      auto& next = conn.held.front();
      if (next.channel == conn.current) {
        auto h = std::move(next);
        conn.held.pop_front();
        send(conn, std::move(h.body), [this, done = std::move(h.done)](result<reply_body> r) mutable {
          --in_flight_;
          done(std::move(r));
        });
        continue;
      }
      conn.switching = true;
      const auto channel = next.channel;
      send(conn, resume_request{sessions_[channel]}, [this, &conn, channel](result<reply_body> r) {
        conn.switching = false;
        if (r) {
          conn.current = channel;
        } else {
          // The channel's held requests cannot be sent under its session: they fail with why.
          while (!conn.held.empty() && conn.held.front().channel == channel) {
            auto h = std::move(conn.held.front());
            conn.held.pop_front();
            --in_flight_;
            h.done(r.error());
          }
        }
        send_held(conn);
      });
    }
  }

  void send(connection& conn, request_body body, done_callback done) {
    auto rid = conn.link.send(std::move(body));
    if (!rid) {
      done(std::move(rid).error());
      return;
    }
    conn.waiting.emplace(*rid, std::move(done));
  }

  void fail_all(connection& conn, const error& why) {
    auto waiting = std::move(conn.waiting);
    conn.waiting.clear();
    for (auto& [rid, done] : waiting)
      done(why);
    auto held = std::move(conn.held);
    conn.held.clear();
    for (auto& h : held) {
      --in_flight_;
      h.done(why);
    }
  }

  std::vector<runtime::host_port> targets_;
  std::size_t wanted_connections_;
  int epoll_;
  std::vector<std::unique_ptr<connection>> connections_;
  std::vector<std::string> sessions_; // by channel
  std::size_t subscribers_ = 0;
  std::size_t in_flight_ = 0;
  std::uint64_t lost_ = 0;
};

class inproc final : public transport {
public:
  explicit inproc(std::unique_ptr<engine> e) : engine_(std::move(e)) {}

  ~inproc() override { engine_->stop(); }

  result<bool> open(const std::vector<std::string>& tokens, std::size_t subscribers) override {
    for (const auto& token : tokens) {
      auto opened = engine_->hello(token).get();
      if (!opened)
        return std::move(opened).error();
      if (sessions_.size() < subscribers) {
        auto state = state_;
        auto sub = engine_->subscribe(opened->session, [state](const order& o) {
          std::lock_guard<std::mutex> guard{state->mutex};
          state->pushes.push_back(o);
          state->ready.notify_one();
        }).get();
        if (!sub)
          return std::move(sub).error();
        subscriptions_.push_back(std::move(*sub));
      }
      sessions_.push_back(opened->session);
    }
    return true;
  }

  void submit(std::size_t channel, request_body body, done_callback done) override {
    ++in_flight_;
    auto state = state_;
    engine_->call(sessions_[channel], std::move(body),
                  [state, done = std::move(done)](result<reply_body> r) mutable {
                    std::lock_guard<std::mutex> guard{state->mutex};
                    state->completed.emplace_back(std::move(done), std::move(r));
                    state->ready.notify_one();
                  });
  }

  void pump(std::chrono::milliseconds max_wait) override {
    std::deque<std::pair<done_callback, result<reply_body>>> batch;
    std::deque<order> pushes;
    {
      std::unique_lock<std::mutex> lock{state_->mutex};
      state_->ready.wait_for(lock, max_wait, [this] {
        return !state_->completed.empty() || !state_->pushes.empty();
      });
      batch.swap(state_->completed);
      pushes.swap(state_->pushes);
    }
    in_flight_ -= batch.size();
    for (auto& [done, r] : batch)
      done(std::move(r));
    for (const auto& o : pushes)
      if (on_push)
        on_push(o);
  }

  std::size_t in_flight() const override { return in_flight_; }

private:
  struct shared {
    std::mutex mutex;
    std::condition_variable ready;
    std::deque<std::pair<done_callback, result<reply_body>>> completed;
    std::deque<order> pushes;
  };
  std::unique_ptr<engine> engine_;
  std::shared_ptr<shared> state_ = std::make_shared<shared>();
  std::vector<std::string> sessions_;
  std::vector<engine::subscription> subscriptions_;
  std::size_t in_flight_ = 0;
};

} // namespace

std::unique_ptr<transport> tcp_transport(std::vector<runtime::host_port> targets,
                                         std::size_t connections) {
  return std::make_unique<tcp>(std::move(targets), connections);
}

result<std::unique_ptr<transport>> inproc_transport(engine_options opts) {
  auto e = engine::start(std::move(opts));
  if (!e)
    return std::move(e).error();
  return std::unique_ptr<transport>{std::make_unique<inproc>(std::move(*e))};
}

} // namespace ordo::load
