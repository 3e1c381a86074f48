#include "archive_process.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "process.hpp"

namespace ordo::test {

archive_process::archive_process(const std::string& redis_address, const std::string& conninfo,
                                 std::vector<std::string> extra, bool wait_running) {
  char path[] = "/tmp/ordoarchive-log-XXXXXX";
  const int log_fd = ::mkstemp(path);
  log_path_ = path;
  int out[2];
  if (::pipe(out) != 0)
    throw std::runtime_error("pipe failed");
  std::vector<std::string> args = {ORDOARCHIVE_PATH, "--redis=" + redis_address,
                                   "--postgres=" + conninfo, "--key-prefix=it:"};
  args.insert(args.end(), extra.begin(), extra.end());
  pid_ = spawn_child(std::move(args), out[1], log_fd);
  ::close(out[1]);
  ::close(log_fd);
  out_fd_ = out[0];
  if (wait_running && !await_running())
    throw std::runtime_error("ordoarchive did not start: '" + seen_ + "'; log: " + log());
}

archive_process::~archive_process() {
  kill9();
  if (out_fd_ >= 0)
    ::close(out_fd_);
  ::unlink(log_path_.c_str());
}

bool archive_process::await_running() {
  const auto started = std::chrono::steady_clock::now();
  pollfd p{out_fd_, POLLIN, 0};
  while (seen_.find("ordoarchive running\n") == std::string::npos &&
         std::chrono::steady_clock::now() - started < std::chrono::seconds{60}) {
    if (::poll(&p, 1, 100) <= 0)
      continue;
    char chunk[256];
    const auto n = ::read(out_fd_, chunk, sizeof chunk);
    if (n <= 0)
      break;
    seen_.append(chunk, static_cast<std::size_t>(n));
  }
  return seen_.find("ordoarchive running\n") != std::string::npos;
}

int archive_process::terminate() {
  if (pid_ <= 0)
    return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void archive_process::kill9() {
  if (pid_ <= 0)
    return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::string archive_process::log() const {
  std::ifstream in{log_path_};
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

} // namespace ordo::test
