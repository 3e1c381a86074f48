// What the actors hand back to the gateway's epoll thread: replies and pushes for one
// connection. Thread-safe; an eventfd wakes the epoll loop when something arrives.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <variant>
#include <vector>

#include "ordo/error.hpp"
#include "ordo/reply.hpp"

namespace ordo::runtime {

struct completion {
  std::uint64_t connection = 0;
  std::uint64_t rid = 0;
  // A reply, a failure to turn into an error reply, or a push (no rid).
  std::variant<ordo::reply_body, ordo::error, ordo::order_push> what;
};

class completion_queue {
public:
  // Fails (the process is out of descriptors) with the reason.
  static result<std::shared_ptr<completion_queue>> open();

  explicit completion_queue(int event_fd) : event_fd_(event_fd) {}
  ~completion_queue();
  completion_queue(const completion_queue&) = delete;
  completion_queue& operator=(const completion_queue&) = delete;

  void push(completion c);
  std::vector<completion> take_all();
  int wake_fd() const { return event_fd_; }

private:
  std::mutex mutex_;
  std::vector<completion> items_;
  int event_fd_ = -1;
};

} // namespace ordo::runtime
