// Which virtual actors of one directory shard are resident, in least-recently-used order,
// with their last use: what idle and LRU passivation pick from. Plain C++, no CAF.
#pragma once

#include <cstdint>
#include <list>
#include <string>
#include <unordered_map>
#include <vector>

namespace ordo::actors {

class resident_set {
public:
  void touch(const std::string& key, std::int64_t now_ms);
  void erase(const std::string& key);
  bool contains(const std::string& key) const { return index_.count(key) != 0; }
  std::size_t size() const noexcept { return index_.size(); }

  // Up to `limit` keys not used since `cutoff_ms`, least recent first.
  std::vector<std::string> idle_since(std::int64_t cutoff_ms, std::size_t limit) const;

  // Up to `count` keys, least recent first.
  std::vector<std::string> least_recent(std::size_t count) const;

private:
  struct entry {
    std::string key;
    std::int64_t last_used_ms;
  };
  std::list<entry> order_; // front: most recent
  std::unordered_map<std::string, std::list<entry>::iterator> index_;
};

} // namespace ordo::actors
