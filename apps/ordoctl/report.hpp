// ordoctl report: the warehouse's daily figures (warehouse/archive_queries.hpp) as a table
// or JSON. Rates are shares of the day's placed orders, 0 to 1.
#pragma once

#include <string>
#include <vector>

#include "warehouse/archive_queries.hpp"

namespace ordo::ctl {

std::string report_table(const std::vector<warehouse::report_day>& days);
std::string report_json(const std::vector<warehouse::report_day>& days);

// Whether `text` is a calendar date YYYY-MM-DD.
bool is_date(const std::string& text);

} // namespace ordo::ctl
