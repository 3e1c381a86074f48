// Child processes for tests: commands run through the shell with their output collected,
// and long-lived servers forked so that they die with the test process (PR_SET_PDEATHSIG).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace ordo::test {

struct command_result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `command` with /bin/sh and waits for it.
command_result run_command(const std::string& command);

// Starts argv[0] (looked up in PATH) with stdout and stderr sent to the given descriptors
// (-1: inherited); the child is killed if the test process dies.
pid_t spawn_child(std::vector<std::string> argv, int stdout_fd, int stderr_fd);

} // namespace ordo::test
