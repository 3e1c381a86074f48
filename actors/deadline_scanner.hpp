// Durable payment deadlines: unpaid orders' deadlines live in the store, so an engine that
// restarts honours them. At start the scanner wakes every unpaid order in the background
// (each asks for its payment again, giving the payment service the time left to its
// deadline; start-up does not wait for this); then it polls for deadlines that fell due and
// wakes those orders, which cancel themselves with payment_timeout. Orders whose payment
// request is alive hear timed_out from the payment service at their deadline; the poll
// catches the rest (an engine that died, a payment service that is gone).
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
