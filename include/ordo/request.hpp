// Every request of docs/PROTOCOL.md as a plain value. The gateway decodes frames into these;
// the C++ client encodes them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ordo/limits.hpp"

namespace ordo {

struct hello_request {
  std::string token;
  friend bool operator==(const hello_request&, const hello_request&) = default;
};

struct resume_request {
  std::string session;
  friend bool operator==(const resume_request&, const resume_request&) = default;
};

struct ping_request {
  friend bool operator==(const ping_request&, const ping_request&) = default;
};

// A line as the customer orders it.
struct line_item {
  std::string sku;
  std::uint32_t qty = 0;
  std::int64_t price = 0;
  friend bool operator==(const line_item&, const line_item&) = default;
};

// A quantity of one line to cancel or return.
struct line_quantity {
  std::string sku;
  std::uint32_t qty = 0;
  friend bool operator==(const line_quantity&, const line_quantity&) = default;
};

struct place_request {
  std::string idem;
  std::vector<line_item> lines;
  friend bool operator==(const place_request&, const place_request&) = default;
};

struct get_request {
  std::string order;
  friend bool operator==(const get_request&, const get_request&) = default;
};

struct list_request {
  std::uint32_t limit = limits::default_list_limit;
  std::optional<std::string> before;
  friend bool operator==(const list_request&, const list_request&) = default;
};

// Absent lines mean "all of them".
struct cancel_request {
  std::string order;
  std::string idem;
  std::optional<std::vector<line_quantity>> lines;
  friend bool operator==(const cancel_request&, const cancel_request&) = default;
};

struct ship_request {
  std::string order;
  std::string tracking;
  friend bool operator==(const ship_request&, const ship_request&) = default;
};

struct deliver_request {
  std::string order;
  friend bool operator==(const deliver_request&, const deliver_request&) = default;
};

// Absent lines mean "all of them".
struct return_request {
  std::string order;
  std::string idem;
  std::optional<std::vector<line_quantity>> lines;
  friend bool operator==(const return_request&, const return_request&) = default;
};

struct refund_request {
  std::string order;
  friend bool operator==(const refund_request&, const refund_request&) = default;
};

struct membership_request {
  bool member = false;
  friend bool operator==(const membership_request&, const membership_request&) = default;
};

struct subscribe_request {
  friend bool operator==(const subscribe_request&, const subscribe_request&) = default;
};

using request_body =
  std::variant<hello_request, resume_request, ping_request, place_request, get_request,
               list_request, cancel_request, ship_request, deliver_request, return_request,
               refund_request, membership_request, subscribe_request>;

struct request {
  std::uint64_t rid = 0;
  request_body body;
  friend bool operator==(const request&, const request&) = default;
};

// The wire name of the body's op, e.g. "place".
std::string_view op_name(const request_body& body) noexcept;

} // namespace ordo
