// `ordoload --plot FILE.png`: the run's per-second series drawn by gnuplot into one PNG,
// throughput and errors above, p50/p99 latency below. cli.cpp checks the path before the
// load starts (a typo should not cost a run) and draws after the report.
#pragma once

#include <optional>
#include <string>

#include "simulation.hpp"

namespace ordo::load {

// Why `path` cannot take the plot (not a .png name, no such directory, not writable), or
// nothing when it can.
std::optional<std::string> plot_path_problem(const std::string& path);

// Draws `r.per_second` under `title` into `png_path`; returns why it could not (gnuplot
// missing or failing, temporary files), or nothing once the PNG is written.
std::optional<std::string> draw_plot(const load_result& r, const std::string& title,
                                     const std::string& png_path);

} // namespace ordo::load
