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

// One epoll set over every customer's connection: poll() over a thousand descriptors per
// wake-up cost the load generator a third of its CPU, which it takes from the engine it
// measures when both share a machine.
class tcp final : public transport {
public:
  explicit tcp(runtime::host_port target)
      : target_(std::move(target)), epoll_(::epoll_create1(EPOLL_CLOEXEC)) {}

  ~tcp() override {
    if (epoll_ >= 0)
      ::close(epoll_);
  }

  tcp(const tcp&) = delete;
  tcp& operator=(const tcp&) = delete;

  result<bool> open(const std::vector<std::string>& tokens, std::size_t subscribers) override {
    if (epoll_ < 0)
      return error{errc::internal, "epoll_create1 failed"};
    for (const auto& token : tokens) {
      auto c = client::connect(target_.host, target_.port);
      if (!c)
        return std::move(c).error();
      auto opened = c->call_as<session_result>(hello_request{token});
      if (!opened)
        return std::move(opened).error();
      if (channels_.size() < subscribers) {
        if (auto subscribed = c->call(subscribe_request{}); !subscribed)
          return std::move(subscribed).error();
      }
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = channels_.size();
      if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, c->native_handle(), &ev) != 0)
        return error{errc::internal, "epoll_ctl failed"};
      channels_.push_back({std::move(*c), {}});
    }
    return true;
  }

  void submit(std::size_t channel, request_body body, done_callback done) override {
    auto& ch = channels_[channel];
    auto rid = ch.conn.send(std::move(body));
    if (!rid) {
      done(std::move(rid).error());
      return;
    }
    ch.waiting.emplace(*rid, std::move(done));
    ++in_flight_;
  }

  void pump(std::chrono::milliseconds max_wait) override {
    constexpr int max_events = 256;
    epoll_event events[max_events];
    const int ready = ::epoll_wait(epoll_, events, max_events, static_cast<int>(max_wait.count()));
    for (int i = 0; i < ready; ++i) {
      auto& ch = channels_[events[i].data.u64];
      for (;;) {
        auto message = ch.conn.receive(std::chrono::milliseconds{0});
        if (!message) {
          if (!ch.conn.open())
            fail_all(ch, message.error());
          break;
        }
        if (auto* push = std::get_if<order_push>(&*message)) {
          if (on_push)
            on_push(push->order);
          continue;
        }
        auto* rep = std::get_if<reply>(&*message);
        auto it = ch.waiting.find(rep->rid);
        if (it == ch.waiting.end())
          continue;
        auto done = std::move(it->second);
        ch.waiting.erase(it);
        --in_flight_;
        if (const auto* err = as_error(rep->body))
          done(error{err->code, err->message});
        else
          done(std::move(rep->body));
      }
    }
  }

  std::size_t in_flight() const override { return in_flight_; }

private:
  struct channel {
    client conn;
    std::unordered_map<std::uint64_t, done_callback> waiting;
  };

  void fail_all(channel& ch, const error& why) {
    auto waiting = std::move(ch.waiting);
    ch.waiting.clear();
    in_flight_ -= waiting.size();
    for (auto& [rid, done] : waiting)
      done(why);
  }

  runtime::host_port target_;
  int epoll_;
  std::vector<channel> channels_;
  std::size_t in_flight_ = 0;
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

std::unique_ptr<transport> tcp_transport(runtime::host_port target) {
  return std::make_unique<tcp>(std::move(target));
}

result<std::unique_ptr<transport>> inproc_transport(runtime::options opts) {
  auto e = engine::start(std::move(opts));
  if (!e)
    return std::move(e).error();
  return std::unique_ptr<transport>{std::make_unique<inproc>(std::move(*e))};
}

} // namespace ordo::load
