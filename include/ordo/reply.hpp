// Every reply and push of docs/PROTOCOL.md as a plain value. The gateway encodes these; the
// C++ client decodes them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ordo/errc.hpp"
#include "ordo/order.hpp"

namespace ordo {

enum class role {
  customer,
  operator_, // "operator" is a C++ keyword
};

std::string_view to_string(role r) noexcept;
std::optional<role> parse_role(std::string_view name) noexcept;

// The result of hello and resume.
struct session_result {
  std::string session;
  std::string subject;
  ordo::role role = role::customer;
  std::int64_t expires_at = 0;
  friend bool operator==(const session_result&, const session_result&) = default;
};

struct pong_result {
  friend bool operator==(const pong_result&, const pong_result&) = default;
};

struct order_result {
  ordo::order order;
  friend bool operator==(const order_result&, const order_result&) = default;
};

struct orders_result {
  std::vector<ordo::order> orders;
  friend bool operator==(const orders_result&, const orders_result&) = default;
};

struct membership_result {
  bool member = false;
  friend bool operator==(const membership_result&, const membership_result&) = default;
};

struct subscribed_result {
  friend bool operator==(const subscribed_result&, const subscribed_result&) = default;
};

struct error_result {
  errc code = errc::internal;
  std::string message;
  friend bool operator==(const error_result&, const error_result&) = default;
};

using reply_body = std::variant<session_result, pong_result, order_result, orders_result,
                                membership_result, subscribed_result, error_result>;

struct reply {
  std::uint64_t rid = 0;
  reply_body body;
  friend bool operator==(const reply&, const reply&) = default;
};

// An unsolicited change of one of the subscriber's orders.
struct order_push {
  ordo::order order;
  friend bool operator==(const order_push&, const order_push&) = default;
};

// What a client can receive.
using server_message = std::variant<reply, order_push>;

} // namespace ordo
