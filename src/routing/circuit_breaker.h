#pragma once
// Circuit breaking per (provider, upstream model): after `failures` retryable failures in a row a
// route is skipped for `cooldown`; then one request probes it (half-open), and its outcome closes
// or reopens the circuit. Shared by all threads; the lock is held for a map lookup, never across
// I/O. Time comes from an injected clock, so tests need no sleeping.
#include <atomic>
#include <boost/container/small_vector.hpp>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "routing/router.h"

namespace switchyard {

class CircuitBreaker {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  explicit CircuitBreaker(Clock clock = [] { return std::chrono::steady_clock::now(); }) : clock_(std::move(clock)) {}

  // The candidates to try, in order, without those whose circuit is open. When every one is open,
  // the one that failed longest ago is tried rather than none (its cooldown may be nearly over).
  using Admitted = boost::container::small_vector<const Candidate*, 4>;  // no allocation for short plans
  Admitted admit(const std::vector<Candidate>& candidates, const BreakerConfig& config);
  void record_success(const Candidate& candidate);
  void record_failure(const Candidate& candidate, const BreakerConfig& config);

  // The process-wide breaker the gateway uses.
  static CircuitBreaker& shared();

 private:
  struct State {
    int failures = 0;
    bool open = false;
    bool probing = false;  // half-open: one request is trying the route
    std::chrono::steady_clock::time_point opened_at;
  };
  static std::string key(const Candidate& candidate);

  Clock clock_;
  std::mutex mutex_;
  std::unordered_map<std::string, State> states_;
  // How many routes have a failure on record: while none has, the request path takes no lock.
  std::atomic<std::size_t> tracked_{0};
};

}  // namespace switchyard
