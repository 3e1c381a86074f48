#include "warehouse/archive_writer.hpp"

#include <cstdio>
#include <ctime>
#include <map>
#include <string_view>

#include "messages/order_json.hpp"
#include "warehouse/schema.hpp"

namespace ordo::warehouse {

namespace {

// A batch goes into ordo_events by a plain COPY: the fast way, and the usual case. A batch
// holding an event that is there already (redelivered after a crash) fails that COPY with a
// unique violation; it then goes through a staging table and INSERT ... ON CONFLICT DO
// NOTHING instead. ordo_orders takes each order's latest event of the batch through a
// staging table and an upsert that only ever moves an order to a higher version.
constexpr const char* staging_sql = R"sql(
CREATE TEMP TABLE IF NOT EXISTS ordo_staging_events (
  order_id text COLLATE "C", version integer, type text, customer text, at timestamptz,
  state jsonb
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS ordo_staging_orders (
  order_id text COLLATE "C", customer text, status text, subtotal bigint, shipping_fee bigint,
  total bigint, refunded bigint, version integer, created_at timestamptz,
  updated_at timestamptz, state jsonb, member boolean, delivered_at timestamptz, charged bigint
) ON COMMIT DELETE ROWS
)sql";

constexpr const char* copy_events_sql =
  "COPY ordo_events (order_id, version, type, customer, at, state) FROM STDIN";
constexpr const char* copy_staged_events_sql = "COPY ordo_staging_events FROM STDIN";
constexpr const char* merge_events_sql =
  "INSERT INTO ordo_events SELECT * FROM ordo_staging_events ON CONFLICT DO NOTHING";
constexpr const char* copy_orders_sql = "COPY ordo_staging_orders FROM STDIN";

constexpr const char* merge_orders_sql = R"sql(
INSERT INTO ordo_orders SELECT * FROM ordo_staging_orders
ON CONFLICT (order_id) DO UPDATE SET
  customer = EXCLUDED.customer, status = EXCLUDED.status, subtotal = EXCLUDED.subtotal,
  shipping_fee = EXCLUDED.shipping_fee, total = EXCLUDED.total, refunded = EXCLUDED.refunded,
  version = EXCLUDED.version, created_at = EXCLUDED.created_at,
  updated_at = EXCLUDED.updated_at, state = EXCLUDED.state, member = EXCLUDED.member,
  delivered_at = EXCLUDED.delivered_at, charged = EXCLUDED.charged
WHERE ordo_orders.version < EXCLUDED.version
)sql";

constexpr const char* unique_violation = "23505";

// A Unix time in ms as timestamptz text, exactly: a redelivered event lands on the very
// same `at`, which the primary key holds.
void timestamp(std::string& out, std::int64_t ms) {
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  ::gmtime_r(&secs, &utc);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d:%02d.%03d+00\t", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(ms % 1000));
  out += text;
}

void field(std::string& out, std::string_view value) {
  append_copy_field(out, value);
  out += '\t';
}

void number(std::string& out, std::int64_t value) {
  out += std::to_string(value);
  out += '\t';
}

} // namespace

std::string event_rows(const std::vector<archived_event>& batch) {
  std::string out;
  out.reserve(batch.size() * 512);
  for (const auto& e : batch) {
    const auto& o = e.state.order;
    field(out, o.id);
    number(out, static_cast<std::int64_t>(o.version));
    field(out, e.type);
    field(out, o.customer);
    timestamp(out, e.at);
    append_copy_field(out, order_json(o));
    out += '\n';
  }
  return out;
}

std::string order_rows(const std::vector<archived_event>& batch) {
  std::map<std::string_view, const archived_event*> latest;
  for (const auto& e : batch) {
    auto& slot = latest[e.state.order.id];
    if (!slot || slot->state.order.version < e.state.order.version)
      slot = &e;
  }
  std::string out;
  out.reserve(latest.size() * 512);
  for (const auto& [id, e] : latest) {
    const auto& o = e->state.order;
    field(out, o.id);
    field(out, o.customer);
    field(out, to_string(o.status));
    number(out, o.subtotal);
    number(out, o.shipping_fee);
    number(out, o.total);
    number(out, o.refunded);
    number(out, static_cast<std::int64_t>(o.version));
    timestamp(out, o.created_at);
    timestamp(out, o.updated_at);
    field(out, order_json(o));
    field(out, e->state.member ? "t" : "f");
    if (e->state.delivered_at == 0)
      out += "\\N\t";
    else
      timestamp(out, e->state.delivered_at);
    out += std::to_string(e->state.charged);
    out += '\n';
  }
  return out;
}

result<archive_writer> archive_writer::open(std::unique_ptr<pg_connection> pg,
                                            std::int64_t now_ms) {
  if (auto made = ensure_schema(*pg, now_ms); !made)
    return std::move(made).error();
  if (auto staged = pg->exec(staging_sql); !staged)
    return std::move(staged).error();
  archive_writer writer{std::move(pg)};
  const auto month = month_of(now_ms);
  for (int ahead = 0; ahead <= 2; ++ahead)
    writer.months_.insert(month + ahead);
  return writer;
}

result<bool> archive_writer::write(const std::vector<archived_event>& batch) {
  if (batch.empty())
    return true;
  for (const auto& e : batch) {
    const auto month = month_of(e.at);
    if (months_.count(month))
      continue;
    if (auto made = ensure_partition(*pg_, e.at, 1); !made)
      return std::move(made).error();
    months_.insert(month);
    months_.insert(month + 1);
  }
  const auto events = event_rows(batch);
  const auto abandon = [this](error why) -> result<bool> {
    pg_->exec("ROLLBACK");
    return why;
  };
  for (const char* step : {"BEGIN", "SAVEPOINT events"})
    if (auto done = pg_->exec(step); !done)
      return abandon(std::move(done).error());
  if (auto copied = pg_->copy_in(copy_events_sql, events); !copied) {
    if (pg_->last_sqlstate() != unique_violation)
      return abandon(std::move(copied).error());
    if (auto back = pg_->exec("ROLLBACK TO SAVEPOINT events"); !back)
      return abandon(std::move(back).error());
    if (auto staged = pg_->copy_in(copy_staged_events_sql, events); !staged)
      return abandon(std::move(staged).error());
    if (auto merged = pg_->exec(merge_events_sql); !merged)
      return abandon(std::move(merged).error());
  }
  if (auto staged = pg_->copy_in(copy_orders_sql, order_rows(batch)); !staged)
    return abandon(std::move(staged).error());
  if (auto merged = pg_->exec(merge_orders_sql); !merged)
    return abandon(std::move(merged).error());
  if (auto committed = pg_->exec("COMMIT"); !committed)
    return std::move(committed).error();
  return true;
}

} // namespace ordo::warehouse
