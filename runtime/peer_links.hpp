// This node's connections to the other nodes (docs/CLUSTER.md, "Forwarding"): one per
// node, opened with a node_hello, carrying the client requests this node forwards to a
// tag's owner and bringing back their replies, and the pushes of every order the other
// node changes. Each link has a thread of its own that connects, writes and reads, so the
// gateway's epoll thread never waits on another node.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ordo/order.hpp"
#include "ordo/request.hpp"
#include "runtime/completion_queue.hpp"

namespace ordo::runtime {

struct peer_links_options {
  std::string node;     // this node's name, proven with the auth key
  std::string auth_key;
  std::chrono::milliseconds timeout{10'000}; // a forwarded request unanswered by then: unavailable
  std::size_t max_frame_bytes = 16 * 1024 * 1024;
};

class peer_links {
public:
  // `done` receives the answer to every forwarded request (exactly once, `unavailable` when
  // the link fails or the timeout passes); `pushed` every push another node sends. Both are
  // called on a link's thread.
  peer_links(peer_links_options opts, std::function<void(completion)> done,
             std::function<void(ordo::order)> pushed);
  ~peer_links();
  peer_links(const peer_links&) = delete;
  peer_links& operator=(const peer_links&) = delete;

  // Forwards one client request, sent under `session`, to the node at `address`; its answer
  // comes back to `done` as the completion of (connection, rid).
  void forward(const std::string& address, std::uint64_t connection, std::uint64_t rid,
               std::string session, ordo::request_body body);

  // Keeps a link open to each of these nodes, for their pushes, and closes the others.
  void keep(const std::vector<std::string>& addresses);

  std::uint64_t forwarded() const;

private:
  class link;
  std::shared_ptr<link> link_to(const std::string& address);

  peer_links_options opts_;
  std::function<void(completion)> done_;
  std::function<void(ordo::order)> pushed_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<link>> links_; // by address
  std::uint64_t forwarded_ = 0;
};

} // namespace ordo::runtime
