// An error as a value: a protocol code and a human-readable message. Returned by the codec
// and the domain; the actors turn it into a caf::error at their boundary.
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "ordo/errc.hpp"

namespace ordo {

struct error {
  errc code = errc::internal;
  std::string message;

  friend bool operator==(const error&, const error&) = default;
};

// A value or an error. Small on purpose: std::expected is C++23.
template <class T, class E = error>
class result {
public:
  result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  result(E err) : state_(std::in_place_index<1>, std::move(err)) {}

  bool ok() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const E& error() const& { return std::get<1>(state_); }
  E&& error() && { return std::get<1>(std::move(state_)); }

private:
  std::variant<T, E> state_;
};

} // namespace ordo
