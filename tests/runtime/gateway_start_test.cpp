// The gateway's start-up when the process is out of file descriptors: an error that says
// why, never a gateway whose epoll set or wake-up descriptor does not exist.

#include <algorithm>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <gtest/gtest.h>

#include "runtime/gateway.hpp"

namespace ordo::runtime {
namespace {

// Holds every descriptor the process may still open, but `spare`, until destroyed; the
// descriptor limit is lowered meanwhile so that this takes few descriptors.
class descriptors_used_up {
 public:
  explicit descriptors_used_up(int spare) {
    ::getrlimit(RLIMIT_NOFILE, &saved_);
    rlimit low = saved_;
    low.rlim_cur = std::min<rlim_t>(saved_.rlim_cur, 512);
    ::setrlimit(RLIMIT_NOFILE, &low);
    for (int fd; (fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;)
      held_.push_back(fd);
    for (int i = 0; i < spare && !held_.empty(); ++i) {
      ::close(held_.back());
      held_.pop_back();
    }
  }
  ~descriptors_used_up() {
    for (int fd : held_)
      ::close(fd);
    ::setrlimit(RLIMIT_NOFILE, &saved_);
  }

 private:
  rlimit saved_{};
  std::vector<int> held_;
};

gateway_options on_any_loopback_port() {
  gateway_options opts;
  opts.listen = host_port{"127.0.0.1", 0};
  return opts;
}

class gateway_start : public ::testing::Test {
 protected:
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
};

TEST_F(gateway_start, without_a_descriptor_for_its_epoll_set_it_fails_with_the_reason) {
  result<std::unique_ptr<gateway>> started{error{errc::internal, "not tried"}};
  {
    descriptors_used_up limit{2}; // the listener and the wake-up descriptor, no more
    started = gateway::start(sys, actors::session_router{}, on_any_loopback_port());
  }
  ASSERT_FALSE(started.ok()) << "a gateway started without an epoll set";
  EXPECT_NE(started.error().message.find("epoll"), std::string::npos) << started.error().message;
}

TEST_F(gateway_start, without_a_descriptor_for_its_wake_up_it_fails_with_the_reason) {
  result<std::unique_ptr<gateway>> started{error{errc::internal, "not tried"}};
  {
    descriptors_used_up limit{1}; // the listener only
    started = gateway::start(sys, actors::session_router{}, on_any_loopback_port());
  }
  ASSERT_FALSE(started.ok()) << "a gateway started without its wake-up descriptor";
  EXPECT_NE(started.error().message.find("cannot set up the gateway"), std::string::npos)
      << started.error().message;
}

TEST_F(gateway_start, with_descriptors_to_spare_it_listens) {
  auto started = gateway::start(sys, actors::session_router{}, on_any_loopback_port());
  ASSERT_TRUE(started.ok()) << started.error().message;
  EXPECT_NE((*started)->bound_address().find("127.0.0.1:"), std::string::npos);
}

} // namespace
} // namespace ordo::runtime
