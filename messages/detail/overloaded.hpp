// The usual visitor helper for std::visit over several lambdas.
#pragma once

namespace ordo::messages::detail {

template <class... Fs>
struct overloaded : Fs... {
  using Fs::operator()...;
};

template <class... Fs>
overloaded(Fs...) -> overloaded<Fs...>;

} // namespace ordo::messages::detail
