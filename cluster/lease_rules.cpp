#include "cluster/lease_rules.hpp"

#include <algorithm>
#include <cassert>

namespace ordo::cluster {

bool is_live(const lease& l, std::int64_t now_ms) {
  return !l.owner.empty() && now_ms < l.expires_at_ms;
}

lease_answer acquire(const lease& l, std::string_view owner, std::int64_t now_ms,
                     std::int64_t lease_ms, std::uint64_t floor) {
  assert(!owner.empty() && lease_ms > 0);
  if (is_live(l, now_ms)) {
    if (l.owner != owner)
      return {false, l};
    return {true, {l.owner, l.epoch, now_ms + lease_ms}};
  }
  return {true, {std::string{owner}, std::max(l.epoch, floor) + 1, now_ms + lease_ms}};
}

lease_answer renew(const lease& l, std::string_view owner, std::uint64_t epoch, std::int64_t now_ms,
                   std::int64_t lease_ms) {
  assert(!owner.empty() && lease_ms > 0);
  if (!is_live(l, now_ms) || l.owner != owner || l.epoch != epoch)
    return {false, l};
  return {true, {l.owner, l.epoch, now_ms + lease_ms}};
}

lease release(const lease& l, std::string_view owner, std::uint64_t epoch) {
  assert(!owner.empty());
  if (l.owner != owner || l.epoch != epoch)
    return l;
  return {std::string{}, l.epoch, 0};
}

bool may_commit(const lease& l, std::string_view owner, std::uint64_t epoch, std::int64_t now_ms) {
  return is_live(l, now_ms) && l.owner == owner && l.epoch == epoch;
}

} // namespace ordo::cluster
