// A private redis-server for one test: a free loopback port, its own temp dir, stopped by
// pid (never by name) and removed when the test ends, even when it fails. The child is
// killed with the test process too (PR_SET_PDEATHSIG), so a crashed test leaves nothing.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ordo::test {

class redis_server {
public:
  struct options {
    bool append_only = false;
    std::string appendfsync = "everysec"; // or "always"
  };

  redis_server();
  explicit redis_server(options opts);
  ~redis_server();
  redis_server(const redis_server&) = delete;
  redis_server& operator=(const redis_server&) = delete;

  std::uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  pid_t pid() const { return pid_; }

  void stop();    // SIGTERM and wait: a clean shutdown
  void kill();    // SIGKILL and wait: a crash
  void pause();   // SIGSTOP: up but silent
  void resume();  // SIGCONT
  void start();   // again, on the same port and dir (keeps the AOF)

  // Runs redis-cli against this server and returns its output (for test set-up and checks).
  std::string cli(const std::vector<std::string>& args) const;

private:
  void wait_until_ready();

  options opts_;
  std::uint16_t port_ = 0;
  std::string dir_;
  pid_t pid_ = -1;
};

// A TCP port on 127.0.0.1 that nothing listens on right now.
std::uint16_t free_loopback_port();

// A plain TCP socket connected to 127.0.0.1:port, or -1.
int connect_loopback(std::uint16_t port);

} // namespace ordo::test
