#include "prometheus_server.hpp"

#include <deque>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <httplib.h>
#include <signal.h>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "http_get.hpp"
#include "process.hpp"
#include "redis_server.hpp"

namespace ordo::test {

namespace {

using namespace std::chrono_literals;

// Prometheus usually answers /-/ready within a second; on a busy 2-core machine that also
// builds, opening its TSDB can take far longer.
constexpr auto ready_timeout = 60s;
constexpr auto stop_timeout = 10s;
constexpr auto poll_interval = 100ms;
constexpr std::size_t log_tail_lines = 30;

// One scrape a second keeps tests short; the timeout may not exceed the interval.
std::string config_text(const std::vector<std::string>& targets, const std::string& job) {
  std::string quoted;
  for (const auto& target : targets)
    quoted += (quoted.empty() ? "'" : ", '") + target + "'";
  const std::string global = "global:\n"
                             "  scrape_interval: 1s\n"
                             "  scrape_timeout: 1s\n"
                             "  evaluation_interval: 1s\n";
  return global + "scrape_configs:\n  - job_name: '" + job + "'\n    static_configs:\n" +
         "      - targets: [" + quoted + "]\n";
}

bool exited(pid_t pid) {
  return ::waitpid(pid, nullptr, WNOHANG) == pid;
}

} // namespace

std::optional<double> first_value(const nlohmann::json& result) {
  if (!result.is_array() || result.empty())
    return std::nullopt;
  const auto& sample = result.front();
  if (!sample.contains("value") || !sample["value"].is_array() || sample["value"].size() != 2)
    return std::nullopt;
  // Prometheus sends sample values as strings ("1", "NaN", "+Inf").
  return std::stod(sample["value"][1].get<std::string>());
}

prometheus_server::prometheus_server(std::vector<std::string> targets, std::string job)
    : job_(std::move(job)) {
  char dir[] = "/tmp/ordo-prometheus-XXXXXX";
  if (::mkdtemp(dir) == nullptr)
    throw std::runtime_error("cannot create a temp dir for prometheus");
  dir_ = dir;
  try {
    std::ofstream{dir_ + "/prometheus.yml"} << config_text(targets, job_);
    // A free port can be taken between choosing it and Prometheus binding it: choose again.
    for (int attempt = 1; !start(); ++attempt)
      if (attempt == 3)
        throw std::runtime_error("prometheus exited at start 3 times; its log ends:\n" +
                                 log_tail());
  } catch (...) {
    // No destructor runs for a constructor that throws.
    stop();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
    throw;
  }
}

prometheus_server::~prometheus_server() {
  stop();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

bool prometheus_server::start() {
  port_ = free_loopback_port();
  const auto log_path = dir_ + "/prometheus.log";
  const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0)
    throw std::runtime_error("cannot create " + log_path);
  // Prometheus has no update check or telemetry, and with no alertmanager, remote write or
  // service discovery configured its only outbound traffic is the scrapes. Samples are read
  // back within seconds; the short retention bounds the disk of a test that runs long.
  std::vector<std::string> args = {"prometheus", "--config.file=" + dir_ + "/prometheus.yml",
                                   "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                                   "--storage.tsdb.path=" + dir_ + "/data",
                                   "--storage.tsdb.retention.time=1h"};
  pid_ = spawn_child(std::move(args), log_fd, log_fd);
  ::close(log_fd);
  return wait_until_ready();
}

bool prometheus_server::wait_until_ready() {
  const auto deadline = std::chrono::steady_clock::now() + ready_timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (const auto ready = http_get(port_, "/-/ready"); ready && ready->status == 200)
      return true;
    if (exited(pid_)) {
      pid_ = -1;
      return false;
    }
    std::this_thread::sleep_for(poll_interval);
  }
  throw std::runtime_error("prometheus did not answer /-/ready within " +
                           std::to_string(ready_timeout.count()) + " s on port " +
                           std::to_string(port_) + "; its log ends:\n" + log_tail());
}

void prometheus_server::stop() {
  if (pid_ <= 0)
    return;
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + stop_timeout;
  while (!exited(pid_)) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      break;
    }
    std::this_thread::sleep_for(10ms);
  }
  pid_ = -1;
}

nlohmann::json prometheus_server::query(const std::string& expr) const {
  httplib::Client client{"http://" + address()};
  client.set_connection_timeout(10s);
  client.set_read_timeout(10s);
  // httplib percent-encodes the parameters: PromQL is full of {}"=~+[] and spaces.
  auto answer = client.Get("/api/v1/query", httplib::Params{{"query", expr}}, httplib::Headers{});
  if (!answer)
    return {{"status", "error"},
            {"errorType", "transport"},
            {"error", httplib::to_string(answer.error())}};
  // Prometheus answers bad queries with 400 or 422 and a JSON body saying why.
  auto parsed = nlohmann::json::parse(answer->body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object())
    return {{"status", "error"},
            {"errorType", "transport"},
            {"error", "HTTP " + std::to_string(answer->status) + ", not JSON: " + answer->body}};
  return parsed;
}

bool prometheus_server::wait_for(const std::string& expr,
                                 const std::function<bool(const nlohmann::json&)>& done,
                                 std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto answer = query(expr);
    if (answer.value("status", "") == "success" && done(answer.at("data").at("result")))
      return true;
    if (std::chrono::steady_clock::now() >= deadline)
      return false;
    std::this_thread::sleep_for(poll_interval);
  }
}

std::string prometheus_server::log_tail() const {
  std::ifstream in{dir_ + "/prometheus.log"};
  std::deque<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(std::move(line));
    if (lines.size() > log_tail_lines)
      lines.pop_front();
  }
  std::string tail;
  for (const auto& line : lines)
    tail += line + "\n";
  return tail;
}

} // namespace ordo::test
