#pragma once
// The state every replica shares, on Redis (hiredis, Debian's libhiredis 0.14): quota counters
// updated atomically by Lua scripts that read Redis's own clock (TIME), so replicas' clock skew
// never widens a window; the routes whose circuit a replica opened, so all skip them; and how fast
// each route answers, so all sort routes by the same measurements.
//
// Every call blocks for one round trip at most (connect and command timeouts of `timeout`); call
// it off the event loops. One connection behind a mutex. When Redis cannot be reached a call
// fails at once (Grant::unavailable, or false) and the next attempt to connect waits `retry`,
// so a dead Redis costs the request path nothing but the fallback.
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "governance/quota_state.h"

namespace switchyard {

class RedisState final : public QuotaState {
 public:
  struct Options {
    std::string url;      // redis://HOST:PORT[/DB]
    std::string replica;  // this process's id: held counters are kept per replica
    std::chrono::milliseconds timeout{250};
    std::chrono::milliseconds retry{1000};
    std::chrono::seconds replica_ttl{10};  // a replica silent this long no longer holds units
    std::chrono::seconds speed_ttl{3600};  // a route no replica measured this long is forgotten
  };
  static constexpr std::size_t kMaxOpenRoutes = 4096;   // open_routes() lists at most this many
  static constexpr std::size_t kMaxSpeedRoutes = 4096;  // routes whose speed is shared, at most
  // Throws std::invalid_argument when the URL is malformed or `replica` is empty; connects lazily.
  explicit RedisState(Options options);
  ~RedisState() override;

  Grant take(const Counter& counter, int64_t want, bool partial, std::optional<int64_t> seed) override;
  void give(const Counter& counter, int64_t bucket, int64_t units) override;
  void charge(const Counter& counter, int64_t bucket, int64_t units) override;
  bool shared() const override { return true; }
  std::string describe() const override;

  // Says this replica is alive (its held units count); call every second or so. False when
  // Redis cannot be reached.
  bool heartbeat();
  // A route's circuit opened here for `open_for` from now (by Redis's clock): the others skip it
  // too. When replicas open the same route, the latest end wins. False when Redis cannot be
  // reached.
  bool publish_open_route(const std::string& route, std::chrono::milliseconds open_for);
  // Routes some replica opened whose time is not up, with the ms each has left; nullopt when
  // Redis cannot be reached.
  std::optional<std::vector<std::pair<std::string, int64_t>>> open_routes();
  // How fast routes answer, shared as moving averages per route ("provider/model"): time to first
  // token in µs (ttft) and output tokens per second (tps). See fold_speeds.
  struct SpeedSum {
    double sum = 0;
    int64_t count = 0;
  };
  struct SpeedSamples {
    std::string route;
    SpeedSum ttft, tps;
  };
  struct SharedSpeed {
    std::string route;
    std::optional<double> ttft, tps;  // nullopt: no replica measured it
  };
  // In one round trip: folds each route's samples (those this replica took since its last call)
  // into the shared averages, then answers the shared averages of every route some replica
  // measured within `speed_ttl`. A batch of n samples with mean m moves an average a to
  // (1 - k) m + k a, where k = (1 - weight)^n: as n samples one by one would, about. A route's
  // first batch is its average. At most kMaxSpeedRoutes routes are shared (a new route beyond
  // them is not) and at most that many samples are sent. nullopt when Redis cannot be reached.
  std::optional<std::vector<SharedSpeed>> fold_speeds(const std::vector<SpeedSamples>& samples, double weight);
  // Whether the last call reached Redis.
  bool reachable() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace switchyard
