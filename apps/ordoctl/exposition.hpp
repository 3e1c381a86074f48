// Prometheus' text exposition format (version 0.0.4) as ordoctl stats reads it from a node's
// /metrics: every sample line, and the families its # TYPE lines declare. Pure; no I/O.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ordo/error.hpp"

namespace ordo::ctl {

using labels = std::map<std::string, std::string>;

// One line `name{label="value",...} value [timestamp]`; the timestamp is checked and dropped.
struct sample {
  std::string name;
  ordo::ctl::labels labels;
  double value = 0;
};

struct exposition {
  std::vector<sample> samples;
  std::map<std::string, std::string> types; // family -> counter, gauge, histogram, ...
};

// The exposition in `text`, or a bad_request error naming the first malformed line by its
// number (from 1).
result<exposition> parse_exposition(std::string_view text);

// A sample value or a histogram's `le`: a decimal or exponent float, +Inf, -Inf or NaN.
std::optional<double> parse_sample_value(std::string_view text);

} // namespace ordo::ctl
