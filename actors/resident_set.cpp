#include "actors/resident_set.hpp"

namespace ordo::actors {

void resident_set::touch(const std::string& key, std::int64_t now_ms) {
  if (auto it = index_.find(key); it != index_.end()) {
    it->second->last_used_ms = now_ms;
    order_.splice(order_.begin(), order_, it->second);
    return;
  }
  order_.push_front({key, now_ms});
  index_.emplace(key, order_.begin());
}

void resident_set::erase(const std::string& key) {
  if (auto it = index_.find(key); it != index_.end()) {
    order_.erase(it->second);
    index_.erase(it);
  }
}

std::vector<std::string> resident_set::idle_since(std::int64_t cutoff_ms,
                                                  std::size_t limit) const {
  std::vector<std::string> keys;
  for (auto it = order_.rbegin();
       it != order_.rend() && it->last_used_ms < cutoff_ms && keys.size() < limit; ++it)
    keys.push_back(it->key);
  return keys;
}

std::vector<std::string> resident_set::least_recent(std::size_t count) const {
  std::vector<std::string> keys;
  for (auto it = order_.rbegin(); it != order_.rend() && keys.size() < count; ++it)
    keys.push_back(it->key);
  return keys;
}

} // namespace ordo::actors
