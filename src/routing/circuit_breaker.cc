#include "routing/circuit_breaker.h"

namespace switchyard {

std::string CircuitBreaker::key(const Candidate& candidate) { return candidate.provider->name + "/" + candidate.upstream_model; }

CircuitBreaker& CircuitBreaker::shared() {
  static CircuitBreaker breaker;
  return breaker;
}

CircuitBreaker::Admitted CircuitBreaker::admit(const std::vector<Candidate>& candidates, const BreakerConfig& config) {
  Admitted admitted;
  if (config.failures <= 0 || tracked_.load(std::memory_order_acquire) == 0) {
    for (const auto& c : candidates) admitted.push_back(&c);
    return admitted;
  }
  auto now = clock_();
  const Candidate* oldest = nullptr;
  std::chrono::steady_clock::time_point oldest_time = std::chrono::steady_clock::time_point::max();
  std::lock_guard lock(mutex_);
  for (const auto& candidate : candidates) {
    auto found = states_.find(key(candidate));
    if (found == states_.end() || !found->second.open) {
      admitted.push_back(&candidate);
      continue;
    }
    State& state = found->second;
    if (now - state.opened_at >= config.cooldown && !state.probing) {
      state.probing = true;  // half-open: this request probes
      admitted.push_back(&candidate);
    } else if (state.opened_at < oldest_time) {
      oldest = &candidate;
      oldest_time = state.opened_at;
    }
  }
  if (admitted.empty() && oldest) admitted.push_back(oldest);
  return admitted;
}

void CircuitBreaker::record_success(const Candidate& candidate) {
  if (tracked_.load(std::memory_order_acquire) == 0) return;
  std::lock_guard lock(mutex_);
  auto found = states_.find(key(candidate));
  if (found != states_.end()) states_.erase(found);
  tracked_.store(states_.size(), std::memory_order_release);
}

void CircuitBreaker::record_failure(const Candidate& candidate, const BreakerConfig& config) {
  if (config.failures <= 0) return;
  std::lock_guard lock(mutex_);
  State& state = states_[key(candidate)];
  tracked_.store(states_.size(), std::memory_order_release);
  state.probing = false;
  if (state.open || ++state.failures >= config.failures) {
    state.open = true;
    state.opened_at = clock_();
  }
}

}  // namespace switchyard
