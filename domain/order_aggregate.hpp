// The order aggregate: decide() judges a command against the state and yields the event it
// causes, or an error; apply_event() folds an event into the state. The order actor runs both for
// live commands; nothing else changes an order. Pure: no CAF, no I/O, the caller's clock.
#pragma once

#include <cstdint>
#include <optional>

#include "domain/commands.hpp"
#include "domain/events.hpp"
#include "domain/order_state.hpp"
#include "ordo/error.hpp"

namespace ordo::domain {

// `state` is empty for an order that does not exist yet. Every command of docs/DOMAIN.md
// yields exactly one event.
result<event> decide(const std::optional<order_state>& state, const command& cmd,
                     std::int64_t now_ms);

// Folds one event in; `state` may be empty only for order_placed. The result keeps every
// invariant (checked, aborting otherwise) and has version + 1.
order_state apply_event(const std::optional<order_state>& state, const event& e);

} // namespace ordo::domain
