// The process' own figures for the metrics, read from /proc when Prometheus scrapes.
#pragma once

#include <cstdint>

namespace ordo::runtime {

struct process_figures {
  double cpu_seconds = 0;           // user + system, all threads
  std::int64_t resident_bytes = 0;
  double start_time_seconds = 0;    // Unix time
};

// Zeros for what /proc does not tell (not Linux, or /proc not mounted).
process_figures read_process_figures();

} // namespace ordo::runtime
