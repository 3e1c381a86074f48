// Logs: one line per event on stderr, key=value fields (values with spaces are quoted),
// e.g. `ts=2026-11-25T09:00:00.123Z level=info event=listening addr=127.0.0.1:7400`.
// Nothing on the request path logs at the default level.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace ordo::runtime {

using log_field = std::pair<std::string_view, std::string>;

void log_event(std::string_view level, std::string_view event,
               std::initializer_list<log_field> fields = {});

} // namespace ordo::runtime
