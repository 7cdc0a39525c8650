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

GovernanceRuntime::GovernanceRuntime(const Config& config, RecordStore* store, CircuitBreaker& breaker)
    : store_(store), breaker_(breaker), keys_(config), local_(unix_now_ms), breaker_config_(config.breaker) {
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
  int64_t last_flush = steady_ms();
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
    }
    lock.lock();
  }
}

void GovernanceRuntime::poll_store() {
  try {
    std::vector<ApiKey> keys;
    for (const PolicyRow& row :
         store_->keys_changed_since(std::max<int64_t>(0, keys_since_ - kPollOverlapMs), kPollBatch)) {
      keys_since_ = std::max(keys_since_, row.updated_ms);
      auto& seen = seen_keys_[row.id];
      if (seen == row.updated_ms) continue;
      if (auto key = key_from_body(row.body)) {
        seen = row.updated_ms;
        keys.push_back(std::move(*key));
      } else {
        spdlog::warn("governance: key {} in the store cannot be read; skipped", row.id);
      }
    }
    std::vector<TeamPolicy> teams;
    for (const PolicyRow& row :
         store_->teams_changed_since(std::max<int64_t>(0, teams_since_ - kPollOverlapMs), kPollBatch)) {
      teams_since_ = std::max(teams_since_, row.updated_ms);
      auto& seen = seen_teams_[row.id];
      if (seen == row.updated_ms) continue;
      if (auto team = team_from_body(row.body)) {
        seen = row.updated_ms;
        teams.push_back(std::move(*team));
      }
    }
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

}  // namespace switchyard
