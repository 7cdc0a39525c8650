#include "routing/circuit_breaker.h"

namespace switchyard {

std::string CircuitBreaker::key(const Candidate& candidate) {
  return candidate.provider->name + "/" + candidate.upstream_model;
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
      admitted.push_back(&candidate);  // half-open: the probe is taken when it is tried (enter)
    } else if (state.opened_at < oldest_time) {
      oldest = &candidate;
      oldest_time = state.opened_at;
    }
  }
  if (admitted.empty() && oldest) admitted.push_back(oldest);
  return admitted;
}

CircuitBreaker::Pass CircuitBreaker::enter(const Candidate& candidate, const BreakerConfig& config) {
  if (config.failures <= 0 || tracked_.load(std::memory_order_acquire) == 0) return Pass(this, &candidate, true, false);
  std::lock_guard lock(mutex_);
  auto found = states_.find(key(candidate));
  if (found == states_.end() || !found->second.open) return Pass(this, &candidate, true, false);
  State& state = found->second;
  if (state.probing) return Pass(this, &candidate, false, false);
  if (clock_() - state.opened_at < config.cooldown) return Pass(this, &candidate, true, false);  // every route open
  state.probing = true;
  return Pass(this, &candidate, true, true);
}

void CircuitBreaker::abandon_probe(const Candidate& candidate) {
  std::lock_guard lock(mutex_);
  if (auto found = states_.find(key(candidate)); found != states_.end()) found->second.probing = false;
}

CircuitBreaker::Pass::Pass(Pass&& other) noexcept
    : breaker_(other.breaker_), candidate_(other.candidate_), admitted_(other.admitted_), probing_(other.probing_) {
  other.probing_ = false;
}

CircuitBreaker::Pass::~Pass() {
  if (probing_) breaker_->abandon_probe(*candidate_);
}

void CircuitBreaker::Pass::succeeded() {
  probing_ = false;
  breaker_->record_success(*candidate_);
}

void CircuitBreaker::Pass::failed(const BreakerConfig& config) {
  probing_ = false;
  breaker_->record_failure(*candidate_, config);
}

void CircuitBreaker::evict_one() {
  auto victim = states_.end();
  for (auto it = states_.begin(); it != states_.end(); ++it) {
    if (!it->second.open) {
      victim = it;
      break;
    }
    if (victim == states_.end() || it->second.opened_at < victim->second.opened_at) victim = it;
  }
  if (victim != states_.end()) states_.erase(victim);
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
  std::string name = key(candidate);
  if (states_.size() >= kMaxTrackedRoutes && !states_.contains(name)) evict_one();
  State& state = states_[name];
  tracked_.store(states_.size(), std::memory_order_release);
  state.probing = false;
  if (state.open || ++state.failures >= config.failures) {
    state.open = true;
    state.opened_at = clock_();
    if (opened_) opened_(name);
  }
}

void CircuitBreaker::open_shared(const std::string& route, std::chrono::milliseconds remaining,
                                 const BreakerConfig& config) {
  if (config.failures <= 0 || remaining <= std::chrono::milliseconds(0)) return;
  const auto opened_at =
      clock_() - (std::chrono::duration_cast<std::chrono::milliseconds>(config.cooldown) - remaining);
  std::lock_guard lock(mutex_);
  if (states_.size() >= kMaxTrackedRoutes && !states_.contains(route)) evict_one();
  State& state = states_[route];
  tracked_.store(states_.size(), std::memory_order_release);
  if (state.open && state.opened_at >= opened_at) return;  // already open here at least as long
  state.open = true;
  state.opened_at = opened_at;
  state.failures = config.failures;
}

}  // namespace switchyard
