// A private PostgreSQL 15 for one test: initdb in its own temp dir, a free loopback port,
// trust authentication for the superuser "ordo". initdb and postgres refuse to run as root,
// so under root (CI) both run as Debian's `postgres` user. pg_ctl starts the server (it
// detaches, so it cannot die with the test process): the destructor stops it by the pid in
// postmaster.pid and removes the dir.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace ordo::test {

class postgres_server {
public:
  postgres_server();
  ~postgres_server();
  postgres_server(const postgres_server&) = delete;
  postgres_server& operator=(const postgres_server&) = delete;

  std::uint16_t port() const { return port_; }
  // A libpq connection string for the server's `postgres` database.
  std::string conninfo() const;

  void start();
  void stop();  // pg_ctl -m fast: a clean shutdown
  void crash(); // pg_ctl -m immediate: no checkpoint, recovery at the next start
  pid_t pid() const;

  // Runs SQL with psql and returns its unaligned, tuples-only output; throws on an error.
  std::string sql(const std::string& statement) const;

private:
  std::string as_postgres(const std::string& command) const;
  void pg_ctl(const std::string& args) const;

  std::string dir_;
  std::uint16_t port_ = 0;
  bool running_ = false;
};

} // namespace ordo::test
