#include "runtime/log.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace ordo::runtime {

namespace {

std::string timestamp() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  ::gmtime_r(&secs, &utc);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(ms % 1000));
  return text;
}

std::string quoted_if_needed(const std::string& value) {
  if (!value.empty() && value.find_first_of(" \"=") == std::string::npos)
    return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + '"';
}

} // namespace

void log_event(std::string_view level, std::string_view event,
               std::initializer_list<log_field> fields) {
  std::string line = "ts=" + timestamp() + " level=" + std::string{level} +
                     " event=" + std::string{event};
  for (const auto& [key, value] : fields)
    line += " " + std::string{key} + "=" + quoted_if_needed(value);
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
}

} // namespace ordo::runtime
