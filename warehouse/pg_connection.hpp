// One libpq connection, used from one thread at a time. Every call answers a value or an
// error: `unavailable` when the server cannot be reached or the connection broke (the
// caller may try again, on a new connection), `internal` for what the server refused.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ordo/error.hpp"

struct pg_conn;
struct pg_result;

namespace ordo::warehouse {

// The rows of a query's answer, as text (NULL as nullopt).
class pg_rows {
public:
  pg_rows() = default;
  explicit pg_rows(pg_result* res);

  std::size_t size() const;
  const std::optional<std::string>& at(std::size_t row, std::size_t column) const;
  // The value, or "" for NULL.
  const std::string& text(std::size_t row, std::size_t column) const;

private:
  std::size_t columns_ = 0;
  std::vector<std::optional<std::string>> cells_;
};

class pg_connection {
public:
  // With TCP keepalives and a 5 s connect timeout unless `conninfo` says otherwise, and the
  // statement timeout when it is not zero.
  static result<std::unique_ptr<pg_connection>> connect(
    const std::string& conninfo, std::chrono::milliseconds statement_timeout = std::chrono::milliseconds{0});
  ~pg_connection();
  pg_connection(const pg_connection&) = delete;
  pg_connection& operator=(const pg_connection&) = delete;

  // Whether the connection still stands; after a failure it may not.
  bool healthy() const;

  result<pg_rows> exec(const std::string& sql);
  result<pg_rows> exec(const std::string& sql, const std::vector<std::optional<std::string>>& params);

  // The SQLSTATE of the last statement the server refused ("42P01": no such table), or "".
  const std::string& last_sqlstate() const { return sqlstate_; }

  // COPY ... FROM STDIN with `data` in COPY's text format.
  result<bool> copy_in(const std::string& copy_sql, std::string_view data);

private:
  explicit pg_connection(pg_conn* conn) : conn_(conn) {}
  error failure(const std::string& what, pg_result* res = nullptr);

  pg_conn* conn_;
  std::string sqlstate_;
};

// What is wrong with a libpq connection string, or nothing; nothing is connected.
std::optional<std::string> conninfo_problem(const std::string& conninfo);

// A value escaped for a field of COPY's text format.
void append_copy_field(std::string& out, std::string_view value);

} // namespace ordo::warehouse
