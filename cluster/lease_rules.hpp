// The rules Redis applies to the lease of one customer shard tag (the Lua script in runtime/
// implements exactly these; tests/cluster/ checks them and a simulation of the protocol).
// All times are Redis' clock in ms. Every grant to a new holder raises the epoch, and every
// commit names the epoch it was decided under, so a commit from a holder whose lease has
// lapsed is refused however late it arrives (fencing). An `owner` is a node's name plus a
// per-process incarnation ("node-a#3f9c..."): a restarted node never inherits the leases of
// its former life. The rules treat it as an opaque string; "" means nobody.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ordo::cluster {

struct lease {
  std::string owner; // "" = free
  std::uint64_t epoch = 0;
  std::int64_t expires_at_ms = 0;
};

struct lease_answer {
  bool granted = false;
  lease now; // the lease after the request, whether granted or not
};

// Owned by somebody whose time has not run out.
bool is_live(const lease& l, std::int64_t now_ms);

// A free or expired lease goes to `owner` under the next epoch. The live holder asking again
// (its earlier acquire's reply was lost) keeps its epoch and gets a fresh term; anyone else
// is refused while the lease is live.
//
// `floor` is the newest epoch the asker has held for the tag: a new epoch is above it too,
// so that epochs keep growing for every node even after Redis lost its leases (a restart
// without persistence starts them again from nothing).
lease_answer acquire(const lease& l, std::string_view owner, std::int64_t now_ms,
                     std::int64_t lease_ms, std::uint64_t floor = 0);

// A fresh term, only for the live holder under its epoch: a lapsed lease is never revived,
// it has to be acquired again (under a new epoch).
lease_answer renew(const lease& l, std::string_view owner, std::uint64_t epoch, std::int64_t now_ms,
                   std::int64_t lease_ms);

// The holder under `epoch` gives the lease up; anything else changes nothing. The epoch is
// kept: epochs never go back.
lease release(const lease& l, std::string_view owner, std::uint64_t epoch);

// Whether a commit decided by `owner` under `epoch` may be applied now.
bool may_commit(const lease& l, std::string_view owner, std::uint64_t epoch, std::int64_t now_ms);

} // namespace ordo::cluster
