// ordoload's report: a table for people, the same as JSON, and a per-second CSV.
#pragma once

#include <string>

#include "simulation.hpp"
#include "verify.hpp"

namespace ordo::load {

struct run_description {
  std::string mode;
  std::string target;
  load_options opts;
};

std::string text_report(const run_description& d, const load_result& r, const verification& v);
std::string json_report(const run_description& d, const load_result& r, const verification& v);
std::string csv_series(const load_result& r);

} // namespace ordo::load
