// The warehouse's tables (docs/WAREHOUSE.md): created when missing, with the monthly
// partitions of ordo_events made ahead of need. Several archivers may start at once: the
// DDL runs under one advisory lock.
#pragma once

#include <cstdint>
#include <string>

#include "ordo/error.hpp"
#include "warehouse/pg_connection.hpp"

namespace ordo::warehouse {

// The months' partitions are made from the month of `now_ms` to `months_ahead` after it.
result<bool> ensure_schema(pg_connection& pg, std::int64_t now_ms, int months_ahead = 2);

// The partition of ordo_events holding the events of the month of `at_ms` (UTC), made when
// missing. `months_ahead` more are made after it.
result<bool> ensure_partition(pg_connection& pg, std::int64_t at_ms, int months_ahead = 0);

// Months since 1970-01 (UTC) of a Unix time in ms: how partitions are told apart.
std::int64_t month_of(std::int64_t at_ms);

// "ordo_events_2026_12" for the month of index `month` (month_of).
std::string partition_name(std::int64_t month);

} // namespace ordo::warehouse
