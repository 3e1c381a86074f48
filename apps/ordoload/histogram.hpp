// Latency histogram in the HDR style: microsecond resolution with about 1 % relative
// error, from 1 us to 100 s, in constant memory. Percentiles read from bucket upper bounds.
#pragma once

#include <array>
#include <cstdint>

namespace ordo::load {

class histogram {
public:
  void record(std::int64_t micros);
  void merge(const histogram& other);
  std::int64_t percentile(double p) const; // p in [0, 100]
  std::int64_t max() const { return max_; }
  std::uint64_t count() const { return count_; }
  double mean() const { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0; }

private:
  // 64 sub-buckets per power of two: <= 1.6 % relative error.
  static constexpr int sub_bits = 6;
  static constexpr int sub_count = 1 << sub_bits;
  static constexpr int magnitudes = 28; // up to 2^33 us
  static int index_of(std::int64_t micros);
  static std::int64_t upper_bound_of(int index);

  std::array<std::uint64_t, magnitudes * sub_count> buckets_{};
  std::uint64_t count_ = 0;
  std::int64_t sum_ = 0;
  std::int64_t max_ = 0;
};

} // namespace ordo::load
