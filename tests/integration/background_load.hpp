// An ordoload run in the background for the integration tests: customers placing (or whole
// lifecycles) against one or several nodes, verified at the end, its report read back.
#pragma once

#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "support/ordod_process.hpp"
#include "support/process.hpp"

namespace ordo::test {

inline std::string read_file(const std::string& path) {
  std::ifstream in{path};
  return {std::istreambuf_iterator<char>{in}, {}};
}

// An ordoload run in the background (closed loop, 40 customers, 32 orders in flight),
// verified at the end.
class background_load {
public:
  background_load(const std::string& target, const std::string& redis, double seconds,
                  const std::string& name, const std::string& scenario,
                  std::vector<std::string> extra = {})
      : out_path_(::testing::TempDir() + "/" + name + ".out"),
        json_path_(::testing::TempDir() + "/" + name + ".json") {
    const int out = ::open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<std::string> args{ORDOLOAD_PATH, "--target", target, "--redis", redis, "--key-prefix", "it:",
                                  "--auth-key", ordod_process::auth_key, "--scenario", scenario,
                                  "--customers", "40", "--concurrency", "32", "--warmup", "0",
                                  "--duration", std::to_string(seconds), "--json", json_path_};
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = spawn_child(std::move(args), out, out);
    ::close(out);
  }

  // Waits for ordoload; its exit code.
  int finish() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  // Ends the run early (ordoload finishes what is in flight, reports and verifies).
  void ask_to_stop() const { ::kill(pid_, SIGTERM); }

  ~background_load() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  std::string output() const { return read_file(out_path_); }
  std::string json() const { return read_file(json_path_); }

  // A number from the JSON report, e.g. "connections_lost".
  long long number(const std::string& field) const {
    const auto text = json();
    const auto at = text.find("\"" + field + "\":");
    return at == std::string::npos ? -1 : std::stoll(text.substr(at + field.size() + 3));
  }

private:
  std::string out_path_;
  std::string json_path_;
  pid_t pid_ = -1;
};

} // namespace ordo::test
