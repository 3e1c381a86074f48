#include "actors/errors.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/message.hpp>
#include <caf/sec.hpp>

namespace ordo::actors {

namespace {

constexpr caf::atom_value ordo_category = caf::atom("ordo");

// CAF reserves code 0 for "no error", so codes are shifted by one.
std::uint8_t code_of(errc code) {
  return static_cast<std::uint8_t>(static_cast<int>(code) + 1);
}

} // namespace

caf::error make_error(errc code, std::string message) {
  return caf::error{code_of(code), ordo_category, caf::make_message(std::move(message))};
}

caf::error make_error(const ordo::error& err) {
  return make_error(err.code, err.message);
}

ordo::error to_ordo_error(const caf::error& err) {
  if (err.category() == ordo_category && err.code() >= 1 &&
      err.code() <= code_of(errc::internal)) {
    std::string message;
    if (err.context().match_elements<std::string>())
      message = err.context().get_as<std::string>(0);
    return {static_cast<errc>(err.code() - 1), std::move(message)};
  }
  if (err == caf::sec::request_timeout)
    return {errc::unavailable, "the engine did not answer in time"};
  return {errc::internal, "internal error"};
}

void add_error_category(caf::actor_system_config& cfg) {
  cfg.add_error_category(ordo_category,
                         [](std::uint8_t code, caf::atom_value, const caf::message& context) {
                           std::string text{"ordo: "};
                           if (code >= 1 && code <= code_of(errc::internal))
                             text += to_string(static_cast<errc>(code - 1));
                           if (context.match_elements<std::string>())
                             text += " (" + context.get_as<std::string>(0) + ")";
                           return text;
                         });
}

} // namespace ordo::actors
