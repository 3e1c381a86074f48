#include "redis_server.hpp"

#include "process.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <thread>

namespace ordo::test {

namespace {

constexpr auto ready_timeout = std::chrono::seconds{10};

bool accepts_connections(std::uint16_t port) {
  const int fd = connect_loopback(port);
  if (fd < 0)
    return false;
  ::close(fd);
  return true;
}

// Redis 7.0 loads an AOF that a crash cut short (aof-load-truncated) by truncating it after
// its last whole command, even inside a MULTI block: the next crash and start then replay
// that transaction's first commands together with the next one (seen here as an order
// without its idempotency record). redis-check-aof --fix cuts before the MULTI instead, so a
// restart after a crash runs it first, as docs/OPERATIONS.md tells operators to.
void repair_aof(const std::string& dir) {
  const auto manifest = dir + "/appendonlydir/appendonly.aof.manifest";
  if (!std::filesystem::exists(manifest))
    return;
  const auto command = "echo y | redis-check-aof --fix '" + manifest + "' >/dev/null 2>&1";
  if (std::system(command.c_str()) != 0)
    throw std::runtime_error("redis-check-aof --fix failed on " + manifest);
}

} // namespace

int connect_loopback(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::uint16_t free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw std::runtime_error("cannot bind a loopback port");
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

redis_server::redis_server() : redis_server(options{}) {}

redis_server::redis_server(options opts) : opts_(std::move(opts)) {
  char dir[] = "/tmp/ordo-redis-XXXXXX";
  if (::mkdtemp(dir) == nullptr)
    throw std::runtime_error("cannot create a temp dir for redis-server");
  dir_ = dir;
  // A free port can be taken between choosing it and redis binding it: choose again.
  for (int attempt = 1;; ++attempt) {
    port_ = free_loopback_port();
    try {
      start();
      return;
    } catch (const std::runtime_error&) {
      kill();
      if (attempt == 3)
        throw;
    }
  }
}

redis_server::~redis_server() {
  if (pid_ > 0) {
    ::kill(pid_, SIGCONT);
    kill();
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void redis_server::start() {
  if (opts_.append_only)
    repair_aof(dir_);
  const std::string port = std::to_string(port_);
  std::vector<std::string> args = {"redis-server", "--port", port, "--bind", "127.0.0.1",
                                   "--dir", dir_, "--save", "", "--daemonize", "no",
                                   "--logfile", dir_ + "/redis.log",
                                   "--appendonly", opts_.append_only ? "yes" : "no",
                                   "--appendfsync", opts_.appendfsync};
  pid_ = spawn_child(std::move(args), -1, -1);
  wait_until_ready();
}

void redis_server::wait_until_ready() {
  const auto deadline = std::chrono::steady_clock::now() + ready_timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (accepts_connections(port_) && cli({"PING"}).find("PONG") != std::string::npos)
      return;
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("redis-server exited at start on port " + std::to_string(port_));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  throw std::runtime_error("redis-server did not start on port " + std::to_string(port_));
}

void redis_server::stop() {
  if (pid_ <= 0)
    return;
  ::kill(pid_, SIGTERM);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void redis_server::kill() {
  if (pid_ <= 0)
    return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void redis_server::pause() {
  ::kill(pid_, SIGSTOP);
}

void redis_server::resume() {
  ::kill(pid_, SIGCONT);
}

std::string redis_server::cli(const std::vector<std::string>& args) const {
  std::string command = "redis-cli -h 127.0.0.1 -p " + std::to_string(port_);
  for (const auto& a : args) {
    std::string quoted = "'";
    for (char c : a)
      quoted += c == '\'' ? std::string{"'\\''"} : std::string(1, c);
    command += " " + quoted + "'";
  }
  command += " 2>&1";
  std::string out;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    std::array<char, 4096> chunk{};
    while (const auto n = std::fread(chunk.data(), 1, chunk.size(), pipe))
      out.append(chunk.data(), n);
    ::pclose(pipe);
  }
  return out;
}

} // namespace ordo::test
