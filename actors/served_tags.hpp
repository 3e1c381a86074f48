// Which customer shard tags this engine may serve now, as the order actors see it. When
// several nodes share one store, each tag belongs to one of them through a lease
// (docs/CLUSTER.md); the cluster member in runtime/ implements this interface from the
// leases it holds. An engine without one (engine_context::tags null) owns every tag
// and commits unfenced.
//
// Called from actors on any scheduler thread for every request, so implementations answer
// from memory without blocking.
#pragma once

#include <cstddef>
#include <optional>

#include "actors/store.hpp"

namespace ordo::actors {

class served_tags {
public:
  virtual ~served_tags() = default;

  // The lease under which this node may serve `tag` and commit for it right now, or none:
  // not this node's, not yet acquired, handed off, or too close to its end to be sure.
  virtual std::optional<commit_fence> lease_of(std::size_t tag) const = 0;

  // Whether this node is about to serve `tag`: it is the tag's owner among the nodes it
  // sees and is acquiring it, or a hand-off to it is under way. A request for such a tag
  // waits; one for a tag another node serves is answered unavailable at once.
  virtual bool awaiting(std::size_t tag) const = 0;

  // The store refused a commit under `epoch` as fenced: the lease is gone, whatever this
  // node's clock said. The node stops serving the tag at once.
  virtual void fenced(std::size_t tag, std::uint64_t epoch) = 0;

  // The lease to commit under, counting the commit in flight until end_commit; none when
  // lease_of has none. A hand-off releases the lease only once no commit is in flight, so
  // the next owner reads every change this node acknowledged.
  virtual std::optional<commit_fence> begin_commit(std::size_t tag) = 0;
  virtual void end_commit(std::size_t tag) = 0;
};

} // namespace ordo::actors
