#include "process.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <stdexcept>

namespace ordo::test {

namespace {

std::string slurp(std::FILE* file) {
  std::string text;
  std::array<char, 4096> chunk{};
  while (const auto n = std::fread(chunk.data(), 1, chunk.size(), file))
    text.append(chunk.data(), n);
  return text;
}

} // namespace

command_result run_command(const std::string& command) {
  command_result r;
  std::FILE* err = std::tmpfile();
  const auto full = command + " 2>/dev/fd/" + std::to_string(::fileno(err));
  std::FILE* pipe = ::popen(full.c_str(), "r");
  if (pipe == nullptr) {
    std::fclose(err);
    return r;
  }
  r.out = slurp(pipe);
  const int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::rewind(err);
  r.err = slurp(err);
  std::fclose(err);
  return r;
}

pid_t spawn_child(std::vector<std::string> argv, int stdout_fd, int stderr_fd) {
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent)
      ::_exit(1);
    if (stdout_fd >= 0)
      ::dup2(stdout_fd, STDOUT_FILENO);
    if (stderr_fd >= 0)
      ::dup2(stderr_fd, STDERR_FILENO);
    std::vector<char*> args;
    for (auto& a : argv)
      args.push_back(a.data());
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  if (pid < 0)
    throw std::runtime_error("cannot fork " + argv[0]);
  return pid;
}

} // namespace ordo::test
