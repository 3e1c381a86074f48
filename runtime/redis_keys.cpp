#include "runtime/redis_keys.hpp"

#include "domain/order_id.hpp"

namespace ordo::runtime {

std::string redis_keys::tagged(std::string_view tag) const {
  std::string key = prefix_;
  key += '{';
  key += tag;
  key += '}';
  return key;
}

std::string redis_keys::order(std::string_view order_id) const {
  const auto tag = domain::order_id_tag(order_id);
  if (tag.empty())
    return {};
  return order_prefix(tag) + std::string{order_id};
}

std::string redis_keys::order_prefix(std::string_view tag) const {
  return tagged(tag) + "o:";
}

std::string redis_keys::customer_index(std::string_view customer) const {
  return tagged(domain::customer_tag(customer)) + "c:" + std::string{customer};
}

std::string redis_keys::customer_index_prefix(std::string_view tag) const {
  return tagged(tag) + "c:";
}

std::string redis_keys::idem(std::string_view customer, std::string_view key) const {
  return tagged(domain::customer_tag(customer)) + "i:" + std::string{customer} + ":" +
         std::string{key};
}

std::string redis_keys::deadlines(std::string_view tag) const {
  return tagged(tag) + "d";
}

std::string redis_keys::member(std::string_view customer) const {
  return tagged(domain::customer_tag(customer)) + "m:" + std::string{customer};
}

std::string redis_keys::lease(std::string_view tag) const {
  return tagged(tag) + "lease";
}

std::string redis_keys::nodes() const {
  return prefix_ + "nodes";
}

std::string redis_keys::session(std::string_view session_id) const {
  return prefix_ + "s:" + std::string{session_id};
}

std::string redis_keys::events() const {
  return prefix_ + "events";
}

std::string redis_keys::event_streams() const {
  return prefix_ + "event-streams";
}

std::string redis_keys::archived(std::string_view tag) const {
  return tagged(tag) + "a";
}

std::vector<std::string> redis_keys::all_deadline_sets() const {
  std::vector<std::string> keys;
  keys.reserve(domain::customer_tags);
  for (std::size_t tag = 0; tag < domain::customer_tags; ++tag)
    keys.push_back(deadlines(domain::tag_at(tag)));
  return keys;
}

} // namespace ordo::runtime
