#include "postgres_server.hpp"

#include "process.hpp"
#include "redis_server.hpp"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace ordo::test {

namespace {

const std::string bindir = "/usr/lib/postgresql/15/bin";

std::string shell_quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text)
    out += c == '\'' ? std::string{"'\\''"} : std::string(1, c);
  return out + "'";
}

} // namespace

postgres_server::postgres_server() {
  char dir[] = "/tmp/ordo-pg-XXXXXX";
  if (::mkdtemp(dir) == nullptr)
    throw std::runtime_error("cannot create a temp dir for postgres");
  dir_ = dir;
  if (::geteuid() == 0) {
    const auto owned = run_command("chown postgres:postgres " + shell_quoted(dir_));
    if (owned.exit_code != 0)
      throw std::runtime_error("cannot hand " + dir_ + " to the postgres user: " + owned.err);
  }
  const auto made = run_command(as_postgres(bindir + "/initdb -D " + shell_quoted(dir_ + "/data") +
                                            " -U ordo -A trust --no-sync -E UTF8 --locale=C.UTF-8"));
  if (made.exit_code != 0)
    throw std::runtime_error("initdb failed: " + made.out + made.err);
  for (int attempt = 1;; ++attempt) {
    port_ = free_loopback_port();
    try {
      start();
      return;
    } catch (const std::runtime_error&) {
      if (attempt == 3)
        throw;
    }
  }
}

postgres_server::~postgres_server() {
  if (running_) {
    const auto p = pid();
    if (p > 0)
      ::kill(p, SIGQUIT); // the immediate shutdown: the dir goes away anyway
    for (int i = 0; i < 500 && p > 0 && ::kill(p, 0) == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string postgres_server::as_postgres(const std::string& command) const {
  if (::geteuid() != 0)
    return command;
  return "runuser -u postgres -- sh -c " + shell_quoted(command);
}

void postgres_server::pg_ctl(const std::string& args) const {
  const auto done = run_command(as_postgres(bindir + "/pg_ctl -D " + shell_quoted(dir_ + "/data") + " " + args));
  if (done.exit_code != 0)
    throw std::runtime_error("pg_ctl " + args + " failed: " + done.out + done.err);
}

std::string postgres_server::conninfo() const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=ordo dbname=postgres connect_timeout=2";
}

void postgres_server::start() {
  const auto options = "-p " + std::to_string(port_) + " -k " + dir_ +
                       " -c listen_addresses=127.0.0.1 -c max_connections=50";
  pg_ctl("-w -t 60 -l " + shell_quoted(dir_ + "/postgres.log") + " -o " + shell_quoted(options) + " start");
  running_ = true;
}

void postgres_server::stop() {
  pg_ctl("-w -t 60 -m fast stop");
  running_ = false;
}

void postgres_server::crash() {
  pg_ctl("-w -t 60 -m immediate stop");
  running_ = false;
}

pid_t postgres_server::pid() const {
  std::ifstream in{dir_ + "/data/postmaster.pid"};
  pid_t p = -1;
  in >> p;
  return p;
}

std::string postgres_server::sql(const std::string& statement) const {
  const auto done = run_command("psql -X -q -A -t -v ON_ERROR_STOP=1 " + shell_quoted(conninfo()) + " -c " +
                                shell_quoted(statement));
  if (done.exit_code != 0)
    throw std::runtime_error("psql failed: " + done.err);
  return done.out;
}

} // namespace ordo::test
