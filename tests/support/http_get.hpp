// A plain HTTP GET for tests that read a daemon's /metrics or /ready.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace ordo::test {

struct http_answer {
  int status = 0;
  std::string body;
};

// GET http://127.0.0.1:PORT/PATH; empty when nothing answers within 5 s.
std::optional<http_answer> http_get(std::uint16_t port, const std::string& path);

// The value of the sample written exactly as `series` (name and labels in the exposition's
// own order, e.g. `ordo_requests_total{code="ok",op="place"}`) in a text exposition.
std::optional<double> sample_value(const std::string& exposition, const std::string& series);

} // namespace ordo::test
