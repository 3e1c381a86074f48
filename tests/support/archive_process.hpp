// A real ordoarchive for one test: started with the given Redis and PostgreSQL, ready once it
// prints "ordoarchive running" (or, with wait_running = false, at once: PostgreSQL may be down
// on purpose), stopped by pid. Killed with the test process if that dies.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace ordo::test {

class archive_process {
public:
  // `extra` flags are added to --redis, --postgres and --key-prefix=it:.
  archive_process(const std::string& redis_address, const std::string& conninfo,
                  std::vector<std::string> extra = {}, bool wait_running = true);
  ~archive_process();
  archive_process(const archive_process&) = delete;
  archive_process& operator=(const archive_process&) = delete;

  pid_t pid() const { return pid_; }
  // Waits (up to 60 s) for the ready line; false if it never came.
  bool await_running();
  int terminate(); // SIGTERM and wait; the exit code, -1 if it did not exit normally
  void kill9();
  std::string log() const;

private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string seen_;
  std::string log_path_;
};

} // namespace ordo::test
