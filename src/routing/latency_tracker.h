#pragma once
// Time to first byte per (provider, upstream model), as an exponentially weighted moving average,
// for the lowest-latency strategy. A failure counts as a slow answer (twice the current average,
// at least a second), so a failing route loses its traffic share without a separate health flag.
// Shared by all threads; the lock is held for a map lookup.
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace switchyard {

class LatencyTracker {
 public:
  static constexpr double kWeight = 0.3;  // of the newest sample

  void record_success(std::string_view provider, std::string_view model, std::chrono::microseconds ttfb);
  void record_failure(std::string_view provider, std::string_view model);
  // The average in microseconds; nullopt before the first sample.
  std::optional<double> average(std::string_view provider, std::string_view model) const;

 private:
  void add(std::string_view provider, std::string_view model, std::optional<double> sample_us);

  mutable std::mutex mutex_;
  std::unordered_map<std::string, double> averages_;
};

}  // namespace switchyard
