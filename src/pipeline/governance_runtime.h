#pragma once
// Governance's long-lived parts, built once at start: where it counts (this process, or Redis
// with this replica's leases), the governor, the key table, and one background thread that keeps
// them in step with the other replicas:
//   every 250 ms: keys and teams the store changed (a key revoked through any replica is refused
//                 here within half a second), circuits other replicas opened, this replica's
//                 heartbeat, circuits opened here (published);
//   every 500 ms: what leases and settlements owe the shared state, and idle leases, go back;
//   every second: route speeds measured here are folded into the shared ones, which come back
//                 (sync_speeds).
// Nothing here runs on the request path.
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/config.h"
#include "governance/governor.h"
#include "governance/key_table.h"
#include "governance/quota_leases.h"
#include "governance/redis_state.h"
#include "routing/circuit_breaker.h"
#include "routing/latency_tracker.h"
#include "storage/record_store.h"

namespace switchyard {

// One exchange of route speeds with the shared state: the samples `latency` took since the last
// exchange are folded into the shared averages, and the shared averages are installed in it
// (LatencyTracker::install says what reads give then). With the state unreachable the samples
// stay counted only here. One round trip.
void sync_speeds(LatencyTracker& latency, RedisState& state);

class GovernanceRuntime {
 public:
  // `store` may be null (storage: none): then only the file's keys exist and budgets start from
  // zero. `latency`, when given and `state` is set, has its speeds shared; it must outlive this.
  // Throws std::invalid_argument when `state` is not a valid redis:// URL.
  GovernanceRuntime(const Config& config, RecordStore* store, CircuitBreaker& breaker,
                    LatencyTracker* latency = nullptr);
  ~GovernanceRuntime();
  GovernanceRuntime(const GovernanceRuntime&) = delete;
  GovernanceRuntime& operator=(const GovernanceRuntime&) = delete;

  KeyTable& keys() { return keys_; }
  Governor& governor() { return *governor_; }
  // After a config reload: the file's keys and teams, the breaker's settings.
  void reload(const Config& config);
  std::string describe() const;

 private:
  void run();
  void poll_store();
  void sync_breaker();

  RecordStore* store_;
  CircuitBreaker& breaker_;
  LatencyTracker* latency_;
  KeyTable keys_;
  LocalQuotaState local_;
  std::unique_ptr<RedisState> redis_;
  std::unique_ptr<QuotaLeases> leases_;
  std::unique_ptr<Governor> governor_;

  std::mutex mutex_;  // guards the fields below
  BreakerConfig breaker_config_;
  std::vector<std::string> opened_;  // routes opened here, to publish (at most kMaxTrackedRoutes)
  std::condition_variable wake_;
  bool stopping_ = false;
  bool flush_now_ = false;  // requests in flight were given back: send them to the state now

  std::unordered_map<std::string, int64_t> seen_keys_, seen_teams_;  // id -> updated_ms merged
  int64_t keys_since_ = 0, teams_since_ = 0;
  std::thread thread_;
};

}  // namespace switchyard
