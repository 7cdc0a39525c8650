#include "routing/latency_tracker.h"

#include <algorithm>

#include "core/joined_key.h"

namespace switchyard {

void LatencyTracker::add(std::string_view provider, std::string_view model, std::optional<double> sample_us) {
  std::lock_guard lock(mutex_);
  auto [it, fresh] = averages_.try_emplace(joined_key(provider, model), 0.0);
  // A failure: twice the current average, at least one second.
  double sample = sample_us.value_or(std::max(2 * it->second, 1e6));
  it->second = fresh ? sample : kWeight * sample + (1 - kWeight) * it->second;
}

void LatencyTracker::record_success(std::string_view provider, std::string_view model, std::chrono::microseconds ttfb) {
  add(provider, model, static_cast<double>(ttfb.count()));
}

void LatencyTracker::record_failure(std::string_view provider, std::string_view model) {
  add(provider, model, std::nullopt);
}

std::optional<double> LatencyTracker::average(std::string_view provider, std::string_view model) const {
  std::lock_guard lock(mutex_);
  auto it = averages_.find(joined_key(provider, model));
  if (it == averages_.end()) return std::nullopt;
  return it->second;
}

}  // namespace switchyard
