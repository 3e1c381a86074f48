#include "ordod_process.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "process.hpp"
#include "redis_server.hpp"

namespace ordo::test {

std::int64_t unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

ordod_process::ordod_process(std::string redis_address, std::vector<std::string> extra,
                             std::uint16_t port)
  : redis_(std::move(redis_address)), extra_(std::move(extra)),
    port_(port != 0 ? port : free_loopback_port()) {
  char path[] = "/tmp/ordod-log-XXXXXX";
  const int log_fd = ::mkstemp(path);
  log_path_ = path;
  int out[2];
  if (::pipe(out) != 0)
    throw std::runtime_error("pipe failed");
  std::vector<std::string> args = {ORDOD_PATH,
                                   "--listen=127.0.0.1:" + std::to_string(port_),
                                   "--redis=" + redis_,
                                   std::string{"--auth-key="} + auth_key,
                                   "--key-prefix=it:"};
  args.insert(args.end(), extra_.begin(), extra_.end());
  const auto started = std::chrono::steady_clock::now();
  pid_ = spawn_child(std::move(args), out[1], log_fd);
  ::close(out[1]);
  ::close(log_fd);
  std::string seen;
  pollfd p{out[0], POLLIN, 0};
  while (seen.find('\n') == std::string::npos &&
         std::chrono::steady_clock::now() - started < std::chrono::seconds{30}) {
    if (::poll(&p, 1, 100) <= 0)
      continue;
    char chunk[256];
    const auto n = ::read(out[0], chunk, sizeof chunk);
    if (n <= 0)
      break;
    seen.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(out[0]);
  ready_after_ = std::chrono::duration_cast<std::chrono::milliseconds>(
    std::chrono::steady_clock::now() - started);
  ready_line_ = seen.substr(0, seen.find('\n'));
  if (ready_line_.rfind("ordod listening on ", 0) != 0)
    throw std::runtime_error("ordod did not start: '" + seen + "'; log: " + log());
}

ordod_process::~ordod_process() {
  kill9();
  ::unlink(log_path_.c_str());
}

int ordod_process::terminate() {
  if (pid_ <= 0)
    return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void ordod_process::kill9() {
  if (pid_ <= 0)
    return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::string ordod_process::log() const {
  std::ifstream in{log_path_};
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

} // namespace ordo::test
