#include "http_get.hpp"

#include <httplib.h>

#include <sstream>

namespace ordo::test {

std::optional<http_answer> http_get(std::uint16_t port, const std::string& path) {
  httplib::Client client{"127.0.0.1", port};
  client.set_connection_timeout(5);
  client.set_read_timeout(5);
  auto answer = client.Get(path);
  if (!answer)
    return std::nullopt;
  return http_answer{answer->status, answer->body};
}

std::optional<double> sample_value(const std::string& exposition, const std::string& series) {
  std::istringstream lines{exposition};
  for (std::string line; std::getline(lines, line);)
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ')
      return std::stod(line.substr(series.size() + 1));
  return std::nullopt;
}

} // namespace ordo::test
