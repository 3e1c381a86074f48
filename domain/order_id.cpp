#include "domain/order_id.hpp"

#include <cassert>

namespace ordo::domain {

namespace {

constexpr std::string_view alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

int digit_value(char c) {
  const auto pos = alphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

constexpr std::size_t ulid_chars = 26;

bool all_digits(std::string_view text) {
  for (char c : text)
    if (digit_value(c) < 0)
      return false;
  return true;
}

} // namespace

std::string customer_tag(std::string_view customer) {
  std::uint32_t hash = 2166136261u; // FNV-1a
  for (unsigned char c : customer) {
    hash ^= c;
    hash *= 16777619u;
  }
  return tag_at(hash % customer_tags);
}

std::size_t tag_index(std::string_view tag) {
  if (tag.size() != customer_tag_chars || !all_digits(tag))
    return customer_tags;
  return static_cast<std::size_t>(digit_value(tag[0]) * 32 + digit_value(tag[1]));
}

std::string tag_at(std::size_t index) {
  assert(index < customer_tags);
  return {alphabet[index / 32], alphabet[index % 32]};
}

std::string make_order_id(std::int64_t created_at_ms, const std::array<std::uint8_t, 10>& entropy,
                          std::string_view tag) {
  assert(created_at_ms >= 0 && created_at_ms < (std::int64_t{1} << 48));
  assert(tag.size() == customer_tag_chars && all_digits(tag));
  std::string id(ulid_chars, '0');
  auto time = static_cast<std::uint64_t>(created_at_ms);
  for (int i = 9; i >= 0; --i) {
    id[static_cast<std::size_t>(i)] = alphabet[time & 31];
    time >>= 5;
  }
  // 80 random bits as 16 base32 digits, 5 bits each, most significant first.
  std::size_t bit = 0;
  for (std::size_t i = 10; i < ulid_chars; ++i, bit += 5) {
    unsigned value = 0;
    for (std::size_t b = bit; b < bit + 5; ++b)
      value = (value << 1) | ((entropy[b / 8] >> (7 - b % 8)) & 1u);
    id[i] = alphabet[value];
  }
  return id.append(tag);
}

std::string_view order_id_tag(std::string_view id) {
  if (id.size() != order_id_chars || !all_digits(id))
    return {};
  return id.substr(ulid_chars);
}

std::int64_t order_id_time_ms(std::string_view id) {
  if (id.size() != order_id_chars)
    return -1;
  std::int64_t time = 0;
  for (std::size_t i = 0; i < 10; ++i) {
    const int value = digit_value(id[i]);
    if (value < 0)
      return -1;
    time = (time << 5) | value;
  }
  if (!all_digits(id))
    return -1;
  return time < (std::int64_t{1} << 48) ? time : -1;
}

} // namespace ordo::domain
