// Durable payment deadlines: unpaid orders' deadlines live in the store, so an engine that
// restarts honours them. At start the scanner wakes every unpaid order in the background
// (each asks for its payment again and arms its own timer; start-up does not wait for this);
// then it polls for deadlines that fell due and wakes those orders, which cancel themselves
// with payment_timeout. Orders resident in this engine usually beat the poll with their own
// timers; the poll catches the rest.
#pragma once

#include <caf/fwd.hpp>

#include <chrono>

#include "actors/engine_context.hpp"

namespace ordo::actors {

struct deadline_scanner_options {
  std::chrono::milliseconds poll_interval{1'000};
  std::uint32_t batch = 1'000; // orders woken per scan; a full batch scans again at once
};

caf::actor spawn_deadline_scanner(caf::actor_system& sys, context_ptr ctx,
                                  deadline_scanner_options opts);

} // namespace ordo::actors
