#pragma once
// How fast each route (provider, upstream model) answers, as exponentially weighted moving
// averages in which the newest sample weighs kWeight:
//   average  time to first byte, in µs, for the lowest-latency strategy; kept in this process.
//   ttft     time to first token, in µs, and
//   tps      output tokens per second, for sorting (strategy sort, providerOptions.gateway.sort);
//            shared with the other replicas through take_samples() and install().
// A failure counts as a slow answer: for `average` and `ttft` it is a sample of twice the route's
// current average, at least a second, so a failing route loses its place without a separate
// health flag. It adds nothing to `tps` (no tokens came; the circuit breaker handles outages).
//
// Shared by all threads: routes are spread over kStripes stripes by a hash of their name, each
// with its own lock, held for a map lookup and a few additions; no allocation once a route is
// known. At most kMaxRoutes routes are tracked: a route first seen when that many are is not
// (its samples are dropped and its reads give nullopt).
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace switchyard {

class LatencyTracker {
 public:
  static constexpr double kWeight = 0.3;  // of the newest sample
  static constexpr std::size_t kMaxRoutes = 4096;
  static constexpr std::size_t kStripes = 16;

  void record_success(std::string_view provider, std::string_view model, std::chrono::microseconds ttfb);
  // Counts against `average` and `ttft` (see above).
  void record_failure(std::string_view provider, std::string_view model);
  // The time-to-first-byte average in µs; nullopt before the first sample.
  std::optional<double> average(std::string_view provider, std::string_view model) const;

  // One answer's time to first token, and its output tokens per second. A negative or non-finite
  // sample is ignored.
  void record_ttft(std::string_view provider, std::string_view model, std::chrono::microseconds ttft);
  void record_tps(std::string_view provider, std::string_view model, double tokens_per_second);
  // The averages (ttft in µs); nullopt while the route was never measured, here or (once
  // installed) by another replica.
  std::optional<double> ttft(std::string_view provider, std::string_view model) const;
  std::optional<double> tps(std::string_view provider, std::string_view model) const;

  // Sharing across replicas. Each replica periodically takes the samples recorded since its last
  // take, folds them into the shared averages, and installs what the shared averages are then.
  // After an install a read gives the shared average, with the samples recorded here since the
  // take folded in as one batch; each later sample moves it by kWeight as usual. A metric the
  // shared state does not have keeps its local average. Samples taken while the shared state is
  // unreachable are not shared (the local averages still have them).
  struct Sum {
    double sum = 0;
    int64_t count = 0;
  };
  struct RouteSamples {
    std::string route;  // "provider/model"
    Sum ttft, tps;
  };
  struct RouteAverages {
    std::string route;  // "provider/model"
    std::optional<double> ttft, tps;
  };
  // The routes with ttft or tps samples since the last take (at most kMaxRoutes), and forgets them.
  std::vector<RouteSamples> take_samples();
  void install(const std::vector<RouteAverages>& shared);

  // `average` after a batch of `count` samples whose sum is `sum`: weighs like `count` samples
  // taken one by one (the batch's weight is 1 - (1 - kWeight)^count); their mean when `average`
  // is nullopt.
  static std::optional<double> folded(std::optional<double> average, const Sum& batch);

  // How many routes are tracked (for tests of the bound).
  std::size_t routes() const { return routes_.load(std::memory_order_relaxed); }

 private:
  struct Ewma {
    std::optional<double> value;  // what reads give
    Sum pending;                  // samples since the last take_samples()
    void add(double sample);
  };
  struct Route {
    std::optional<double> ttfb;
    Ewma ttft, tps;
  };
  struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view name) const { return std::hash<std::string_view>{}(name); }
  };
  struct alignas(64) Stripe {
    mutable std::mutex mutex;
    std::unordered_map<std::string, Route, NameHash, std::equal_to<>> routes;
  };

  // Calls `change` with the route's state under its stripe's lock, adding the route if there is
  // room; does nothing when there is not.
  template <class Change>
  void update(std::string_view provider, std::string_view model, Change change);
  template <class Change>
  void update(std::string_view name, Change change);
  // `read` of the route's state under its stripe's lock; nullopt for a route not tracked.
  template <class Read>
  std::optional<double> read(std::string_view provider, std::string_view model, Read read) const;

  std::array<Stripe, kStripes> stripes_;
  std::atomic<std::size_t> routes_{0};
};

}  // namespace switchyard
