#include "runtime/process_figures.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace ordo::runtime {

namespace {

// The fields of /proc/self/stat after the command name, which may itself hold spaces and
// parentheses: everything after the last ')'. Field 3 of proc(5) is index 0 here.
std::vector<std::string> stat_fields() {
  std::ifstream in{"/proc/self/stat"};
  std::string line;
  std::getline(in, line);
  const auto close = line.rfind(')');
  std::vector<std::string> fields;
  if (close == std::string::npos)
    return fields;
  std::istringstream rest{line.substr(close + 1)};
  for (std::string f; rest >> f;)
    fields.push_back(f);
  return fields;
}

double boot_time_seconds() {
  std::ifstream in{"/proc/stat"};
  for (std::string key; in >> key;) {
    if (key == "btime") {
      double t = 0;
      in >> t;
      return t;
    }
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

} // namespace

process_figures read_process_figures() {
  process_figures out;
  const auto fields = stat_fields();
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  constexpr std::size_t utime = 11, stime = 12, starttime = 19; // proc(5) fields 14, 15, 22
  if (fields.size() > starttime && ticks > 0) {
    // strtod: a field that does not parse reads as 0 instead of throwing on a scrape thread.
    auto number = [](const std::string& f) { return std::strtod(f.c_str(), nullptr); };
    out.cpu_seconds = (number(fields[utime]) + number(fields[stime])) / ticks;
    out.start_time_seconds = boot_time_seconds() + number(fields[starttime]) / ticks;
  }
  std::ifstream statm{"/proc/self/statm"};
  std::int64_t size_pages = 0, resident_pages = 0;
  if (statm >> size_pages >> resident_pages)
    out.resident_bytes = resident_pages * ::sysconf(_SC_PAGESIZE);
  return out;
}

} // namespace ordo::runtime
