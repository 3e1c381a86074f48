// A real ordod for one test: started on a free loopback port with the given Redis, ready
// when it prints its ready line, stopped by pid. Killed with the test process if that dies.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace ordo::test {

class ordod_process {
public:
  // `extra` flags are added to --listen, --redis, --auth-key and --key-prefix.
  ordod_process(std::string redis_address, std::vector<std::string> extra = {},
                std::uint16_t port = 0);
  ~ordod_process();
  ordod_process(const ordod_process&) = delete;
  ordod_process& operator=(const ordod_process&) = delete;

  std::uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  pid_t pid() const { return pid_; }
  static constexpr const char* auth_key = "integration-test-key";

  // How long ordod took from exec to its ready line.
  std::chrono::milliseconds ready_after() const { return ready_after_; }
  const std::string& ready_line() const { return ready_line_; }

  // SIGTERM and wait; returns the exit code (-1 if it did not exit normally).
  int terminate();
  void kill9();
  // stderr so far (the log lines).
  std::string log() const;

private:
  std::string redis_;
  std::vector<std::string> extra_;
  std::uint16_t port_;
  pid_t pid_ = -1;
  std::string log_path_;
  std::string ready_line_;
  std::chrono::milliseconds ready_after_{0};
};

std::int64_t unix_now_ms();

} // namespace ordo::test
