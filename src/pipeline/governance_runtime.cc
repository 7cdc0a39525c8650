#include "pipeline/governance_runtime.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <stdexcept>

#include "core/request_id.h"
#include "governance/key_json.h"
#include "pipeline/admin_api.h"

namespace switchyard {
namespace {

constexpr auto kTick = std::chrono::milliseconds(250);
constexpr int64_t kIdleLeaseMs = 1000;
constexpr int64_t kPollOverlapMs = 2000;  // rows written by another replica whose clock is behind
constexpr std::size_t kPollBatch = 10'000;

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

GovernanceRuntime::GovernanceRuntime(const Config& config, RecordStore* store, CircuitBreaker& breaker,
                                     LatencyTracker* latency)
    : store_(store),
      breaker_(breaker),
      latency_(latency),
      keys_(config),
      local_(unix_now_ms),
      breaker_config_(config.breaker) {
  if (!config.state.empty()) {
    redis_ = std::make_unique<RedisState>(
        RedisState::Options{.url = config.state, .replica = this_instance_tag() + "-" + std::to_string(getpid())});
    leases_ = std::make_unique<QuotaLeases>(*redis_, steady_ms, [this] {
      {
        std::lock_guard lock(mutex_);
        flush_now_ = true;
      }
      wake_.notify_one();
    });
  }
  Governor::SpentLookup spent;
  if (store_)
    spent = [store](const BudgetScope& scope, int64_t since_ms) -> std::optional<double> {
      try {
        return spent_since(*store, scope, since_ms);
      } catch (const std::exception& e) {
        spdlog::warn("governance: cannot read spend from the record store ({}); the budget counts from zero", e.what());
        return std::nullopt;
      }
    };
  governor_ = std::make_unique<Governor>(redis_ ? static_cast<QuotaState&>(*redis_) : local_, local_, leases_.get(),
                                         std::move(spent), unix_now_ms, config.fail_closed);
  if (redis_)
    breaker_.set_open_listener([this](const std::string& route) {
      // Under the breaker's lock: only queue (bounded like the breaker's own table).
      std::lock_guard lock(mutex_);
      if (opened_.size() < CircuitBreaker::kMaxTrackedRoutes) opened_.push_back(route);
    });
  if (store_) poll_store();  // the store's keys before the first request
  thread_ = std::thread([this] { run(); });
}

GovernanceRuntime::~GovernanceRuntime() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  if (leases_) leases_->flush(0);  // every lease and settlement back to the shared state
}

void GovernanceRuntime::reload(const Config& config) {
  keys_.reload(config);
  std::lock_guard lock(mutex_);
  breaker_config_ = config.breaker;
}

std::string GovernanceRuntime::describe() const {
  return redis_ ? "shared on " + redis_->describe() + " (leases per replica)" : "counted in this process";
}

void GovernanceRuntime::run() {
  int64_t last_flush = steady_ms(), last_speeds = last_flush;
  auto next_tick = std::chrono::steady_clock::now() + kTick;
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_until(lock, next_tick, [this] { return stopping_ || flush_now_; });
    if (stopping_) break;
    if (flush_now_) {  // requests in flight were given back: the other replicas may use them now
      flush_now_ = false;
      lock.unlock();
      leases_->flush_pending();
      lock.lock();
    }
    if (std::chrono::steady_clock::now() < next_tick) continue;
    next_tick = std::chrono::steady_clock::now() + kTick;
    lock.unlock();
    if (store_) poll_store();
    if (redis_) {
      redis_->heartbeat();
      sync_breaker();
      if (steady_ms() - last_flush >= 500) {
        leases_->flush(kIdleLeaseMs);
        last_flush = steady_ms();
      }
      if (latency_ && steady_ms() - last_speeds >= 1000) {
        sync_speeds(*latency_, *redis_);
        last_speeds = steady_ms();
      }
    }
    lock.lock();
  }
}

namespace {

// The entries of `read` (keys or teams) changed since `since` (less an overlap for the clocks of
// other replicas), batch after batch, decoded; those already merged at the same updated_ms are
// skipped. Advances `since`.
template <class Entry, class Read, class Decode>
std::vector<Entry> changed_entries(Read read, Decode decode, int64_t& since,
                                   std::unordered_map<std::string, int64_t>& seen, const char* what) {
  std::vector<Entry> out;
  for (int64_t from = std::max<int64_t>(0, since - kPollOverlapMs);;) {
    const std::vector<PolicyRow> rows = read(from);
    for (const PolicyRow& row : rows) {
      since = std::max(since, row.updated_ms);
      int64_t& merged = seen[row.id];
      if (merged == row.updated_ms) continue;
      if (auto entry = decode(row.body)) {
        merged = row.updated_ms;
        out.push_back(std::move(*entry));
      } else {
        spdlog::warn("governance: {} {} in the store cannot be read; skipped", what, row.id);
      }
    }
    // A full batch: the rest from where it ended (not from the overlap again, or a burst of more
    // than a batch of changes would be read over and over).
    if (rows.size() < kPollBatch || rows.back().updated_ms == from) return out;
    from = rows.back().updated_ms;
  }
}

}  // namespace

void GovernanceRuntime::poll_store() {
  try {
    auto keys = changed_entries<ApiKey>([this](int64_t from) { return store_->keys_changed_since(from, kPollBatch); },
                                        key_from_body, keys_since_, seen_keys_, "key");
    auto teams =
        changed_entries<TeamPolicy>([this](int64_t from) { return store_->teams_changed_since(from, kPollBatch); },
                                    team_from_body, teams_since_, seen_teams_, "team");
    keys_.merge(std::move(keys), std::move(teams));
  } catch (const std::exception& e) {
    static std::atomic<int64_t> last_warned{0};
    const int64_t now = steady_ms();
    if (now - last_warned.load() > 10'000) {
      last_warned = now;
      spdlog::warn("governance: cannot read keys from the record store: {}", e.what());
    }
  }
}

void GovernanceRuntime::sync_breaker() {
  std::vector<std::string> opened;
  BreakerConfig config;
  {
    std::lock_guard lock(mutex_);
    opened.swap(opened_);
    config = breaker_config_;
  }
  const auto cooldown = std::chrono::duration_cast<std::chrono::milliseconds>(config.cooldown);
  for (const auto& route : opened) redis_->publish_open_route(route, cooldown);
  if (auto routes = redis_->open_routes())
    for (const auto& [route, remaining] : *routes)
      breaker_.open_shared(route, std::chrono::milliseconds(remaining), config);
}

void sync_speeds(LatencyTracker& latency, RedisState& state) {
  std::vector<RedisState::SpeedSamples> batch;
  for (LatencyTracker::RouteSamples& taken : latency.take_samples())
    batch.push_back(RedisState::SpeedSamples{
        std::move(taken.route), {taken.ttft.sum, taken.ttft.count}, {taken.tps.sum, taken.tps.count}});
  auto shared = state.fold_speeds(batch, LatencyTracker::kWeight);
  if (!shared) return;
  std::vector<LatencyTracker::RouteAverages> averages;
  averages.reserve(shared->size());
  for (RedisState::SharedSpeed& speed : *shared)
    averages.push_back(LatencyTracker::RouteAverages{std::move(speed.route), speed.ttft, speed.tps});
  latency.install(averages);
}

}  // namespace switchyard
