// Writes a batch of events into the warehouse in one transaction: a COPY, or where events
// are there already a staging table and an idempotent merge. An event already there (a redelivery) is left as it is, and
// ordo_orders only ever moves an order forward to a higher version, so writing a batch
// twice, or batches out of order, ends in the same tables as writing each event once.
#pragma once

#include <cstdint>
#include <set>
#include <vector>

#include "ordo/error.hpp"
#include "warehouse/archived_event.hpp"
#include "warehouse/pg_connection.hpp"

namespace ordo::warehouse {

class archive_writer {
public:
  // Makes the schema and the staging table; the connection is the writer's from now on.
  static result<archive_writer> open(std::unique_ptr<pg_connection> pg, std::int64_t now_ms);

  // Committed when it answers true; on an error nothing of the batch was written.
  result<bool> write(const std::vector<archived_event>& batch);

  pg_connection& connection() { return *pg_; }

private:
  explicit archive_writer(std::unique_ptr<pg_connection> pg) : pg_(std::move(pg)) {}

  std::unique_ptr<pg_connection> pg_;
  std::set<std::int64_t> months_; // whose partitions are known to exist
};

// A batch in COPY's text format: every event as ordo_events' columns, and each order's
// latest event of the batch as ordo_orders' columns.
std::string event_rows(const std::vector<archived_event>& batch);
std::string order_rows(const std::vector<archived_event>& batch);

} // namespace ordo::warehouse
