#include "runtime/archive_reader.hpp"

#include "runtime/log.hpp"
#include "warehouse/pg_connection.hpp"

namespace ordo::runtime {

namespace {

constexpr std::chrono::seconds reconnect_interval{1};

} // namespace

archive_reader::archive_reader(std::string conninfo, std::chrono::milliseconds timeout,
                               std::size_t threads)
  : conninfo_(std::move(conninfo)), timeout_(timeout) {
  for (std::size_t i = 0; i < threads; ++i)
    threads_.emplace_back([this] { run(); });
}

archive_reader::~archive_reader() {
  stop();
}

void archive_reader::stop() {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_)
    if (t.joinable())
      t.join();
  std::deque<queued> left;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    left.swap(queue_);
  }
  for (auto& q : left)
    q.run(error{errc::unavailable, "the engine is stopping"});
}

void archive_reader::submit(job j, std::chrono::steady_clock::time_point deadline) {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    if (!stopping_) {
      queue_.push_back({std::move(j), deadline});
      wake_.notify_one();
      return;
    }
  }
  j(error{errc::unavailable, "the engine is stopping"});
}

void archive_reader::run() {
  std::unique_ptr<warehouse::pg_connection> pg;
  std::string down_why;
  for (;;) {
    job next;
    {
      std::unique_lock<std::mutex> lock{mutex_};
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_)
        return;
      auto front = std::move(queue_.front());
      queue_.pop_front();
      if (std::chrono::steady_clock::now() >= front.deadline) {
        lock.unlock();
        front.run(error{errc::unavailable, "the archive did not answer in time"});
        continue;
      }
      next = std::move(front.run);
    }
    if (pg && !pg->healthy())
      pg.reset();
    if (!pg) {
      bool attempt = false;
      {
        std::lock_guard<std::mutex> guard{mutex_};
        const auto now = std::chrono::steady_clock::now();
        if (now >= next_connect_) {
          attempt = true;
          next_connect_ = now + reconnect_interval;
        }
      }
      if (attempt) {
        auto connected = warehouse::pg_connection::connect(conninfo_, timeout_);
        if (connected) {
          pg = std::move(*connected);
          std::lock_guard<std::mutex> guard{mutex_};
          next_connect_ = {};
        } else if (connected.error().message != down_why) {
          down_why = connected.error().message;
          log_event("warning", "archive_down", {{"why", down_why}});
        }
      }
    }
    if (!pg) {
      next(error{errc::unavailable,
                 "the archive is unreachable" + (down_why.empty() ? "" : ": " + down_why)});
      continue;
    }
    down_why.clear();
    next(pg.get());
  }
}

} // namespace ordo::runtime
