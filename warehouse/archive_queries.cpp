#include "warehouse/archive_queries.hpp"

#include <charconv>

#include "messages/order_json.hpp"

namespace ordo::warehouse {

namespace {

// The columns an order is read back from: the ORDER map, then what the rules need besides.
constexpr const char* order_columns =
  "state::text, member, COALESCE((extract(epoch FROM delivered_at) * 1000)::bigint, 0), charged";

std::int64_t to_int(const std::string& text) {
  std::int64_t out = 0;
  std::from_chars(text.data(), text.data() + text.size(), out);
  return out;
}

result<domain::order_state> order_at(const pg_rows& rows, std::size_t row) {
  auto order = order_from_json(rows.text(row, 0));
  if (!order)
    return error{errc::internal, "archived order is unreadable: " + order.error().message};
  return domain::order_state{std::move(*order), rows.text(row, 1) == "t", to_int(rows.text(row, 2)),
                             to_int(rows.text(row, 3))};
}

// No ordo_orders yet: no archiver has run, so nothing has been archived.
bool nothing_archived(const pg_connection& pg) {
  return pg.last_sqlstate() == "42P01";
}

} // namespace

result<std::optional<domain::order_state>> find_order(pg_connection& pg, const std::string& order_id) {
  auto rows = pg.exec(std::string{"SELECT "} + order_columns + " FROM ordo_orders WHERE order_id = $1",
                      {order_id});
  if (!rows && nothing_archived(pg))
    return std::optional<domain::order_state>{};
  if (!rows)
    return std::move(rows).error();
  if (rows->size() == 0)
    return std::optional<domain::order_state>{};
  auto state = order_at(*rows, 0);
  if (!state)
    return std::move(state).error();
  return std::optional<domain::order_state>{std::move(*state)};
}

result<std::vector<domain::order_state>> list_orders(pg_connection& pg, const std::string& customer,
                                                     const std::string& before, std::uint32_t limit) {
  auto rows = pg.exec(std::string{"SELECT "} + order_columns +
                        " FROM ordo_orders WHERE customer = $1 AND ($2 = '' OR order_id < $2)"
                        " ORDER BY order_id DESC LIMIT $3",
                      {customer, before, std::to_string(limit)});
  std::vector<domain::order_state> out;
  if (!rows && nothing_archived(pg))
    return out;
  if (!rows)
    return std::move(rows).error();
  for (std::size_t i = 0; i < rows->size(); ++i) {
    auto state = order_at(*rows, i);
    if (!state)
      return std::move(state).error();
    out.push_back(std::move(*state));
  }
  return out;
}

result<std::vector<report_day>> daily_report(pg_connection& pg, const std::string& from,
                                             const std::string& to) {
  auto rows = pg.exec(R"sql(
SELECT to_char((created_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day,
       count(*),
       COALESCE(sum((SELECT sum((l->>'price')::bigint * (l->>'qty')::bigint)
                     FROM jsonb_array_elements(state->'lines') AS l)), 0),
       count(*) FILTER (WHERE status = 'cancelled'),
       count(*) FILTER (WHERE status IN ('return_requested', 'returned')),
       count(*) FILTER (WHERE member)
FROM ordo_orders
WHERE created_at >= ($1::date)::timestamp AT TIME ZONE 'UTC'
  AND created_at < ($2::date + 1)::timestamp AT TIME ZONE 'UTC'
GROUP BY 1 ORDER BY 1
)sql",
                      {from, to});
  std::vector<report_day> out;
  if (!rows && nothing_archived(pg))
    return out;
  if (!rows)
    return std::move(rows).error();
  for (std::size_t i = 0; i < rows->size(); ++i)
    out.push_back({rows->text(i, 0), to_int(rows->text(i, 1)), to_int(rows->text(i, 2)),
                   to_int(rows->text(i, 3)), to_int(rows->text(i, 4)), to_int(rows->text(i, 5))});
  return out;
}

} // namespace ordo::warehouse
