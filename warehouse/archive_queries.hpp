// What the engine and ordoctl read back from the warehouse: an order at its latest archived
// version, a customer's archived orders, and the daily report.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/order_state.hpp"
#include "ordo/error.hpp"
#include "warehouse/pg_connection.hpp"

namespace ordo::warehouse {

result<std::optional<domain::order_state>> find_order(pg_connection& pg, const std::string& order_id);

// Newest first by id (ids sort by creation time), strictly older than `before` when it is
// not empty, at most `limit`.
result<std::vector<domain::order_state>> list_orders(pg_connection& pg, const std::string& customer,
                                                     const std::string& before, std::uint32_t limit);

struct report_day {
  std::string day; // YYYY-MM-DD, UTC
  std::int64_t placed = 0;
  std::int64_t gross_merchandise_value = 0; // price x qty of every line as placed, in KRW
  std::int64_t cancelled = 0;               // of the day's orders, cancelled now
  std::int64_t returned = 0;                // of the day's orders, with a return requested or made
  std::int64_t by_members = 0;              // of the day's orders, placed by members
};

// Every day from `from` to `to` (YYYY-MM-DD, both included) that has orders, by the day
// they were placed.
result<std::vector<report_day>> daily_report(pg_connection& pg, const std::string& from,
                                             const std::string& to);

} // namespace ordo::warehouse
