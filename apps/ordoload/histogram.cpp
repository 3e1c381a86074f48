#include "histogram.hpp"

#include <algorithm>
#include <bit>

namespace ordo::load {

int histogram::index_of(std::int64_t micros) {
  const auto v = static_cast<std::uint64_t>(std::max<std::int64_t>(micros, 0));
  if (v < sub_count)
    return static_cast<int>(v);
  const int magnitude = static_cast<int>(std::bit_width(v)) - sub_bits; // >= 1
  const int sub = static_cast<int>(v >> magnitude) - sub_count / 2;    // top bits below the leading one
  const int index = (magnitude + 1) * (sub_count / 2) + sub;
  return std::min(index, magnitudes * sub_count - 1);
}

std::int64_t histogram::upper_bound_of(int index) {
  if (index < sub_count)
    return index;
  const int magnitude = index / (sub_count / 2) - 1;
  const int sub = index % (sub_count / 2) + sub_count / 2;
  return ((static_cast<std::int64_t>(sub) + 1) << magnitude) - 1;
}

void histogram::record(std::int64_t micros) {
  ++buckets_[static_cast<std::size_t>(index_of(micros))];
  ++count_;
  sum_ += micros;
  max_ = std::max(max_, micros);
}

void histogram::merge(const histogram& other) {
  for (std::size_t i = 0; i < buckets_.size(); ++i)
    buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  max_ = std::max(max_, other.max_);
}

std::int64_t histogram::percentile(double p) const {
  if (count_ == 0)
    return 0;
  const auto rank = static_cast<std::uint64_t>(p / 100.0 * static_cast<double>(count_ - 1)) + 1;
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= rank)
      return std::min(upper_bound_of(static_cast<int>(i)), max_);
  }
  return max_;
}

} // namespace ordo::load
