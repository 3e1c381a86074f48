#include "warehouse/schema.hpp"

#include <cstdio>
#include <ctime>

namespace ordo::warehouse {

namespace {

// Any number, the same in every archiver: the DDL of two archivers never interleaves.
constexpr const char* ddl_lock = "SELECT pg_advisory_xact_lock(7290431)";

// ordo_events' primary key holds `at` too: PostgreSQL wants the partition key in every
// unique index of a partitioned table. An event's `at` never changes (redelivered, it is
// the same entry), so (order_id, version) is unique all the same. order_id sorts
// bytewise (COLLATE "C"), as the engine's ids and Redis' index do.
constexpr const char* tables = R"sql(
CREATE TABLE IF NOT EXISTS ordo_events (
  order_id text COLLATE "C" NOT NULL,
  version integer NOT NULL,
  type text NOT NULL,
  customer text NOT NULL,
  at timestamptz NOT NULL,
  state jsonb NOT NULL,
  PRIMARY KEY (order_id, version, at)
) PARTITION BY RANGE (at);
CREATE TABLE IF NOT EXISTS ordo_orders (
  order_id text COLLATE "C" PRIMARY KEY,
  customer text NOT NULL,
  status text NOT NULL,
  subtotal bigint NOT NULL,
  shipping_fee bigint NOT NULL,
  total bigint NOT NULL,
  refunded bigint NOT NULL,
  version integer NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  state jsonb NOT NULL,
  member boolean NOT NULL,
  delivered_at timestamptz,
  charged bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS ordo_orders_by_customer ON ordo_orders (customer, order_id);
CREATE INDEX IF NOT EXISTS ordo_orders_by_created_at ON ordo_orders (created_at);
)sql";

std::string month_start(std::int64_t month) {
  char text[64];
  std::snprintf(text, sizeof text, "%04lld-%02lld-01 00:00:00+00",
                static_cast<long long>(1970 + month / 12), static_cast<long long>(month % 12 + 1));
  return text;
}

result<bool> in_locked_transaction(pg_connection& pg, const std::string& sql) {
  for (const char* step : {"BEGIN", ddl_lock}) {
    auto done = pg.exec(step);
    if (!done) {
      pg.exec("ROLLBACK");
      return std::move(done).error();
    }
  }
  auto done = pg.exec(sql);
  if (!done) {
    pg.exec("ROLLBACK");
    return std::move(done).error();
  }
  auto committed = pg.exec("COMMIT");
  if (!committed)
    return std::move(committed).error();
  return true;
}

std::string partitions_sql(std::int64_t first, std::int64_t last) {
  std::string sql;
  for (auto m = first; m <= last; ++m)
    sql += "CREATE TABLE IF NOT EXISTS " + partition_name(m) + " PARTITION OF ordo_events FOR VALUES FROM ('" +
           month_start(m) + "') TO ('" + month_start(m + 1) + "');\n";
  return sql;
}

} // namespace

std::int64_t month_of(std::int64_t at_ms) {
  const std::time_t secs = static_cast<std::time_t>(at_ms / 1000 - (at_ms % 1000 < 0 ? 1 : 0));
  std::tm utc{};
  ::gmtime_r(&secs, &utc);
  return static_cast<std::int64_t>(utc.tm_year - 70) * 12 + utc.tm_mon;
}

std::string partition_name(std::int64_t month) {
  char text[64];
  std::snprintf(text, sizeof text, "ordo_events_%04lld_%02lld",
                static_cast<long long>(1970 + month / 12), static_cast<long long>(month % 12 + 1));
  return text;
}

result<bool> ensure_schema(pg_connection& pg, std::int64_t now_ms, int months_ahead) {
  const auto month = month_of(now_ms);
  return in_locked_transaction(pg, std::string{tables} + partitions_sql(month, month + months_ahead));
}

result<bool> ensure_partition(pg_connection& pg, std::int64_t at_ms, int months_ahead) {
  const auto month = month_of(at_ms);
  return in_locked_transaction(pg, partitions_sql(month, month + months_ahead));
}

} // namespace ordo::warehouse
