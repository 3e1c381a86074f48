#include "warehouse/pg_connection.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <cassert>

namespace ordo::warehouse {

namespace {

// libpq's messages run over several lines (a hint on the second, tab-indented): one line
// for a log or an error reply.
std::string one_line(const char* message) {
  std::string out;
  for (const char* c = message; c && *c; ++c) {
    if (*c == '\n' || *c == '\t' || *c == '\r') {
      if (!out.empty() && out.back() != ' ')
        out += ' ';
    } else {
      out += *c;
    }
  }
  while (!out.empty() && out.back() == ' ')
    out.pop_back();
  return out;
}

} // namespace

pg_rows::pg_rows(pg_result* res) {
  const int rows = PQntuples(res);
  const int columns = PQnfields(res);
  columns_ = static_cast<std::size_t>(columns);
  cells_.reserve(static_cast<std::size_t>(rows) * columns_);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < columns; ++c)
      cells_.push_back(PQgetisnull(res, r, c) ? std::nullopt
                                              : std::optional<std::string>{PQgetvalue(res, r, c)});
}

std::size_t pg_rows::size() const {
  return columns_ == 0 ? 0 : cells_.size() / columns_;
}

const std::optional<std::string>& pg_rows::at(std::size_t row, std::size_t column) const {
  assert(column < columns_ && row < size());
  return cells_[row * columns_ + column];
}

const std::string& pg_rows::text(std::size_t row, std::size_t column) const {
  static const std::string none;
  const auto& cell = at(row, column);
  return cell ? *cell : none;
}

result<std::unique_ptr<pg_connection>> pg_connection::connect(const std::string& conninfo,
                                                             std::chrono::milliseconds statement_timeout) {
  // Bounds on a server that vanished without closing the connection (a blackholed host),
  // before the caller's own settings, which override them: a connection string's values
  // come after these.
  const char* keywords[] = {"connect_timeout", "keepalives", "keepalives_idle", "keepalives_interval",
                            "keepalives_count", "tcp_user_timeout", "dbname", nullptr};
  const char* values[] = {"5", "1", "5", "2", "3", "10000", conninfo.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, 1);
  if (conn == nullptr)
    return error{errc::unavailable, "postgres: out of memory"};
  if (PQstatus(conn) != CONNECTION_OK) {
    const auto why = one_line(PQerrorMessage(conn));
    PQfinish(conn);
    return error{errc::unavailable, "postgres: " + why};
  }
  // Notices (a partition that exists already, say) are for people, not the archive's logs.
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  std::unique_ptr<pg_connection> out{new pg_connection{conn}};
  if (statement_timeout.count() > 0) {
    auto set = out->exec("SET statement_timeout = " + std::to_string(statement_timeout.count()));
    if (!set)
      return std::move(set).error();
  }
  return out;
}

pg_connection::~pg_connection() {
  PQfinish(conn_);
}

bool pg_connection::healthy() const {
  return PQstatus(conn_) == CONNECTION_OK;
}

error pg_connection::failure(const std::string& what, PGresult* res) {
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  sqlstate_ = state ? state : "";
  const auto why = one_line(PQerrorMessage(conn_));
  return error{healthy() ? errc::internal : errc::unavailable, "postgres: " + what + ": " + why};
}

namespace {

struct result_guard {
  PGresult* res;
  ~result_guard() { PQclear(res); }
};

} // namespace

// PQexec, not PQexecParams: it takes several statements in one string (the schema's DDL).
result<pg_rows> pg_connection::exec(const std::string& sql) {
  result_guard guard{PQexec(conn_, sql.c_str())};
  const auto status = guard.res ? PQresultStatus(guard.res) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    return failure(sql.substr(0, sql.find_first_of(" \n")), guard.res);
  return pg_rows{guard.res};
}

result<pg_rows> pg_connection::exec(const std::string& sql,
                                    const std::vector<std::optional<std::string>>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params)
    values.push_back(p ? p->c_str() : nullptr);
  result_guard guard{PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                  values.data(), nullptr, nullptr, 0)};
  const auto status = guard.res ? PQresultStatus(guard.res) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    return failure(sql.substr(0, sql.find_first_of(" \n")), guard.res);
  return pg_rows{guard.res};
}

result<bool> pg_connection::copy_in(const std::string& copy_sql, std::string_view data) {
  {
    result_guard start{PQexec(conn_, copy_sql.c_str())};
    if (!start.res || PQresultStatus(start.res) != PGRES_COPY_IN)
      return failure("COPY", start.res);
  }
  // In pieces: PQputCopyData takes an int length, and a batch may pass 2 GiB.
  constexpr std::size_t piece = 1 << 20;
  for (std::size_t at = 0; at < data.size(); at += piece)
    if (PQputCopyData(conn_, data.data() + at, static_cast<int>(std::min(piece, data.size() - at))) != 1)
      return failure("COPY data");
  if (PQputCopyEnd(conn_, nullptr) != 1)
    return failure("COPY data");
  std::optional<error> refused;
  while (PGresult* res = PQgetResult(conn_)) {
    if (PQresultStatus(res) != PGRES_COMMAND_OK && !refused)
      refused = failure("COPY", res);
    PQclear(res);
  }
  if (refused)
    return std::move(*refused);
  return true;
}

std::optional<std::string> conninfo_problem(const std::string& conninfo) {
  char* why = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(conninfo.c_str(), &why);
  if (parsed) {
    PQconninfoFree(parsed);
    return std::nullopt;
  }
  std::string out = why ? why : "out of memory";
  PQfreemem(why);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
    out.pop_back();
  return out;
}

void append_copy_field(std::string& out, std::string_view value) {
  // Runs of plain bytes in one append: this is the archiver's inner loop.
  std::size_t from = 0;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    const char* escaped = c == '\\' ? "\\\\" : c == '\t' ? "\\t" : c == '\n' ? "\\n" : c == '\r' ? "\\r" : nullptr;
    if (escaped == nullptr)
      continue;
    out.append(value.data() + from, i - from);
    out.append(escaped);
    from = i + 1;
  }
  out.append(value.data() + from, value.size() - from);
}

} // namespace ordo::warehouse
