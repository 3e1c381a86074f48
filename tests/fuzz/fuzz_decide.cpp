// The domain on decoded commands: the input is a sequence of frames (4-byte length, then a
// request payload); each that decodes to an order command, and each byte of engine outcome
// (authorize, decline, expire) between them, is judged by decide and, when allowed,
// applied. After every event the order's invariants must hold (money never negative,
// totals add up, version monotonic): a violation aborts.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "domain/order_aggregate.hpp"
#include "domain/order_id.hpp"
#include "messages/codec.hpp"

namespace {

using namespace ordo;

constexpr std::int64_t t0 = 1'764'000'000'000;

std::optional<domain::command> command_of(const request_body& body, bool member) {
  const auto id = domain::make_order_id(t0, {}, domain::customer_tag("fuzz"));
  if (const auto* r = std::get_if<place_request>(&body))
    return domain::place_order{id, "fuzz", member, r->lines};
  if (const auto* r = std::get_if<cancel_request>(&body))
    return domain::cancel_order{r->lines};
  if (const auto* r = std::get_if<ship_request>(&body))
    return domain::ship_order{r->tracking};
  if (std::holds_alternative<deliver_request>(body))
    return domain::deliver_order{};
  if (const auto* r = std::get_if<return_request>(&body))
    return domain::request_return{r->lines};
  if (std::holds_alternative<refund_request>(body))
    return domain::refund_return{};
  return std::nullopt;
}

std::optional<domain::command> engine_outcome(std::uint8_t byte) {
  switch (byte % 4) {
    case 0: return domain::authorize_payment{};
    case 1: return domain::decline_payment{};
    case 2: return domain::expire_payment{};
    default: return std::nullopt;
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest{reinterpret_cast<const char*>(data), size};
  std::optional<domain::order_state> state;
  std::int64_t now = t0;
  std::uint64_t version = 0;
  bool member = false;
  while (rest.size() >= 5) {
    const auto* b = reinterpret_cast<const std::uint8_t*>(rest.data());
    const std::size_t n = (std::size_t{b[0]} << 8 | b[1]) % (rest.size() - 4 + 1);
    const auto outcome = engine_outcome(b[2]);
    member = (b[3] & 1) != 0;
    now += std::int64_t{b[3]} * 3'600'000; // up to ~10 days per step: the return window
    const auto payload = rest.substr(4, n);
    rest.remove_prefix(4 + n);
    std::optional<domain::command> cmd;
    if (auto decoded = decode_request(payload))
      cmd = command_of(decoded->body, member);
    for (const auto& c : {cmd, outcome}) {
      if (!c)
        continue;
      auto e = domain::decide(state, *c, now);
      if (!e)
        continue;
      state = domain::apply_event(state, *e);
      if (domain::find_invariant_violation(*state))
        std::abort();
      if (state->order.version <= version)
        std::abort();
      version = state->order.version;
    }
  }
  return 0;
}
