#include "runtime/completion_queue.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace ordo::runtime {

result<std::shared_ptr<completion_queue>> completion_queue::open() {
  const int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0)
    return error{errc::internal, std::string{"eventfd failed: "} + std::strerror(errno)};
  return std::make_shared<completion_queue>(fd);
}

completion_queue::~completion_queue() {
  ::close(event_fd_);
}

void completion_queue::push(completion c) {
  bool was_empty = false;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    was_empty = items_.empty();
    items_.push_back(std::move(c));
  }
  // One wake-up per burst: the loop takes everything queued when it wakes.
  if (was_empty) {
    const std::uint64_t one = 1;
    [[maybe_unused]] auto written = ::write(event_fd_, &one, sizeof one);
  }
}

std::vector<completion> completion_queue::take_all() {
  std::uint64_t count = 0;
  [[maybe_unused]] auto read = ::read(event_fd_, &count, sizeof count);
  std::vector<completion> out;
  std::lock_guard<std::mutex> guard{mutex_};
  out.swap(items_);
  return out;
}

} // namespace ordo::runtime
