#pragma once
// Circuit breaking per (provider, upstream model): after `failures` retryable failures in a row a
// route is skipped for `cooldown`; then one request probes it (half-open), and its outcome closes
// or reopens the circuit. The probe is taken only when the route is actually tried (`enter`), and
// a probe that ends without an outcome (an earlier route answered, the client left) is given back,
// so a recovered route always gets traffic again. Shared by all threads; the lock is held for a
// map lookup, never across I/O. At most kMaxTrackedRoutes routes are remembered. Time comes from
// an injected clock, so tests need no sleeping.
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

  static constexpr std::size_t kMaxTrackedRoutes = 4096;

  // The candidates to try, in order, without those whose circuit is open and not yet due for a
  // probe. When every one is open, the one that failed longest ago is tried rather than none (its
  // cooldown may be nearly over).
  using Admitted = boost::container::small_vector<const Candidate*, 4>;  // no allocation for short plans
  Admitted admit(const std::vector<Candidate>& candidates, const BreakerConfig& config);

  // Leave to try one route now, and the duty to report how it went. Move-only; one that goes out
  // of scope unreported gives its probe back.
  class Pass {
   public:
    Pass(Pass&& other) noexcept;
    Pass& operator=(Pass&&) = delete;
    ~Pass();
    // False when another request is probing this half-open route right now: skip it.
    bool admitted() const { return admitted_; }
    void succeeded();
    void failed(const BreakerConfig& config);

   private:
    friend class CircuitBreaker;
    Pass(CircuitBreaker* breaker, const Candidate* candidate, bool admitted, bool probing)
        : breaker_(breaker), candidate_(candidate), admitted_(admitted), probing_(probing) {}
    CircuitBreaker* breaker_;
    const Candidate* candidate_;
    bool admitted_, probing_;
  };
  // Called right before `candidate` is tried: a half-open route's probe is taken here. The
  // candidate must outlive the pass.
  Pass enter(const Candidate& candidate, const BreakerConfig& config);

  void record_success(const Candidate& candidate);
  void record_failure(const Candidate& candidate, const BreakerConfig& config);
  // Told each time a route's circuit opens here ("provider/upstream model"), to share it with
  // other replicas. Set before requests are served; called under the breaker's lock, so it must
  // only queue.
  void set_open_listener(std::function<void(const std::string& route)> listener) { opened_ = std::move(listener); }
  // Another replica opened `route` and it stays open `remaining` more: skip it here too (then
  // probe it as if it had failed here).
  void open_shared(const std::string& route, std::chrono::milliseconds remaining, const BreakerConfig& config);
  // How many routes have state (for tests of the bound).
  std::size_t tracked() const { return tracked_.load(std::memory_order_acquire); }

 private:
  struct State {
    int failures = 0;
    bool open = false;
    bool probing = false;  // half-open: one request is trying the route
    std::chrono::steady_clock::time_point opened_at;
  };
  static std::string key(const Candidate& candidate);
  void abandon_probe(const Candidate& candidate);
  // Makes room for one more route when at the bound (mutex_ held): a closed route's count goes
  // first, else the route opened longest ago.
  void evict_one();

  Clock clock_;
  std::function<void(const std::string&)> opened_;
  std::mutex mutex_;
  std::unordered_map<std::string, State> states_;
  // How many routes have a failure on record: while none has, the request path takes no lock.
  std::atomic<std::size_t> tracked_{0};
};

}  // namespace switchyard
