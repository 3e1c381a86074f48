#include "warehouse/archive_writer.hpp"

#include "messages/order_json.hpp"
#include "warehouse/schema.hpp"

namespace ordo::warehouse {

namespace {

// Times travel as Unix ms and become timestamptz in SQL, by exact interval arithmetic: a
// redelivered event lands on the very same `at`, which its primary key holds.
constexpr const char* staging_sql = R"sql(
CREATE TEMP TABLE IF NOT EXISTS ordo_staging (
  order_id text COLLATE "C", version integer, type text, customer text, at_ms bigint,
  state jsonb, status text, subtotal bigint, shipping_fee bigint, total bigint,
  refunded bigint, created_at_ms bigint, updated_at_ms bigint, member boolean,
  delivered_at_ms bigint, charged bigint
) ON COMMIT DELETE ROWS
)sql";

constexpr const char* copy_sql = "COPY ordo_staging FROM STDIN";

constexpr const char* merge_events_sql = R"sql(
INSERT INTO ordo_events (order_id, version, type, customer, at, state)
SELECT order_id, version, type, customer,
       timestamptz 'epoch' + at_ms * interval '1 millisecond', state
FROM ordo_staging
ON CONFLICT DO NOTHING
)sql";

constexpr const char* merge_orders_sql = R"sql(
INSERT INTO ordo_orders (order_id, customer, status, subtotal, shipping_fee, total, refunded,
                         version, created_at, updated_at, state, member, delivered_at, charged)
SELECT DISTINCT ON (order_id)
       order_id, customer, status, subtotal, shipping_fee, total, refunded, version,
       timestamptz 'epoch' + created_at_ms * interval '1 millisecond',
       timestamptz 'epoch' + updated_at_ms * interval '1 millisecond',
       state, member,
       CASE WHEN delivered_at_ms = 0 THEN NULL
            ELSE timestamptz 'epoch' + delivered_at_ms * interval '1 millisecond' END,
       charged
FROM ordo_staging
ORDER BY order_id, version DESC
ON CONFLICT (order_id) DO UPDATE SET
  customer = EXCLUDED.customer, status = EXCLUDED.status, subtotal = EXCLUDED.subtotal,
  shipping_fee = EXCLUDED.shipping_fee, total = EXCLUDED.total, refunded = EXCLUDED.refunded,
  version = EXCLUDED.version, created_at = EXCLUDED.created_at,
  updated_at = EXCLUDED.updated_at, state = EXCLUDED.state, member = EXCLUDED.member,
  delivered_at = EXCLUDED.delivered_at, charged = EXCLUDED.charged
WHERE ordo_orders.version < EXCLUDED.version
)sql";

void field(std::string& out, std::string_view value) {
  append_copy_field(out, value);
  out += '\t';
}

void number(std::string& out, std::int64_t value) {
  out += std::to_string(value);
  out += '\t';
}

} // namespace

std::string copy_rows(const std::vector<archived_event>& batch) {
  std::string out;
  out.reserve(batch.size() * 512);
  for (const auto& e : batch) {
    const auto& o = e.state.order;
    field(out, o.id);
    number(out, static_cast<std::int64_t>(o.version));
    field(out, e.type);
    field(out, o.customer);
    number(out, e.at);
    field(out, order_json(o));
    field(out, to_string(o.status));
    number(out, o.subtotal);
    number(out, o.shipping_fee);
    number(out, o.total);
    number(out, o.refunded);
    number(out, o.created_at);
    number(out, o.updated_at);
    field(out, e.state.member ? "t" : "f");
    number(out, e.state.delivered_at);
    out += std::to_string(e.state.charged);
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
  const auto rows = copy_rows(batch);
  const auto abandon = [this](error why) -> result<bool> {
    pg_->exec("ROLLBACK");
    return why;
  };
  if (auto begun = pg_->exec("BEGIN"); !begun)
    return abandon(std::move(begun).error());
  if (auto copied = pg_->copy_in(copy_sql, rows); !copied)
    return abandon(std::move(copied).error());
  for (const char* merge : {merge_events_sql, merge_orders_sql})
    if (auto merged = pg_->exec(merge); !merged)
      return abandon(std::move(merged).error());
  if (auto committed = pg_->exec("COMMIT"); !committed)
    return std::move(committed).error();
  return true;
}

} // namespace ordo::warehouse
