// A deterministic discrete-event simulation of lease-fenced tag ownership: 2-5 nodes with
// drifting clocks share one modelled Redis (leases by cluster/lease_rules.hpp, a version
// register per tag, a registry of heartbeats), each node driving one cluster::tag_ownership
// per tag. Clients read and write random tags through the nodes while messages to and from
// Redis are delayed, reordered and lost, and nodes stall after reading their clock, pause
// (SIGSTOP), are cut off from Redis but not from their clients, die, and come back as new
// incarnations. A run is a pure function of its seed. The checks, on virtual real time
// (which is Redis' clock): (1) Redis applies commits only inside the term of the (owner,
// epoch) that names them, terms never overlap, applied epochs never go back; (2) a read
// returns at least the newest version any client saw, written or read, before it sent the
// read; (3) an acknowledged write is in the register under its version, versions
// consecutive; (4) a node serves a tag (answers a read, sends a commit) only while Redis
// holds its lease for it, and no two nodes may serve one tag at one instant; (5) after a
// quiet tail every tag is served by its rendezvous owner among the live nodes, and a last
// write and read of each succeed. Used by simulation_test.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace ordo::cluster::sim {

// A deliberate bug, to show that the checks catch one.
enum class flaw {
  none,
  no_margin,  // nodes serve to the last ms of a lease by their own clock: nothing for drift
  skip_fence, // Redis applies a commit whose lease is not current (the version check stays)
  no_reload,  // a node serves a newly acquired tag from what it had cached before
};

struct config {
  std::uint64_t seed = 1;
  flaw broken = flaw::none;
  bool verbose = false; // print every event as it happens
};

struct result {
  std::string failure;         // the invariant broken, empty when all held
  std::string trace;           // the run's parameters and its last events before the failure
  std::size_t reads = 0;       // answered with a version
  std::size_t writes = 0;      // acknowledged
  std::size_t unavailable = 0; // answered unavailable
};

result run(const config& cfg);

} // namespace ordo::cluster::sim
