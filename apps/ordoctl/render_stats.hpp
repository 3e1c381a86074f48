// How ordoctl stats shows a node's figures: short blocks and a table by op that fit an
// 80-column terminal, or one JSON object (its keys are listed by `ordoctl stats --help`).
// No data shows as "-" in the table and as null in JSON.
#pragma once

#include <string>

#include "stats.hpp"

namespace ordo::ctl {

// `address` is the metrics endpoint the figures came from, as the operator gave it.
std::string stats_table(const node_stats& s, const std::string& address);
std::string stats_json(const node_stats& s, const std::string& address);

} // namespace ordo::ctl
