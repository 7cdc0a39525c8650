#include "governance/quota_leases.h"

#include <algorithm>
#include <vector>

namespace switchyard {

QuotaLeases::QuotaLeases(QuotaState& state, SteadyMs clock, std::function<void()> wake)
    : state_(state), clock_(std::move(clock)), wake_(std::move(wake)) {}

int64_t QuotaLeases::block_for(const Counter& counter, int64_t want) {
  const int64_t share = counter.window == Window::period ? counter.limit / 50 : counter.limit / 16;
  return std::max<int64_t>({want, share, 1});
}

std::size_t QuotaLeases::size() const {
  std::lock_guard lock(mutex_);
  return leases_.size();
}

std::optional<Grant> QuotaLeases::take_local(const Counter& counter, int64_t want) {
  const int64_t now = clock_();
  std::lock_guard lock(mutex_);
  auto found = leases_.find(counter.name);
  if (found == leases_.end() || !live(found->second, now) || found->second.units < want) return std::nullopt;
  Lease& lease = found->second;
  lease.units -= want;
  lease.used_at = now;
  lease.counter.limit = counter.limit;  // a changed limit applies from the next refill
  return Grant{.granted = want,
               .used = lease.used - lease.units,
               .bucket = lease.bucket,
               .reset_ms = counter.window == Window::minute ? lease.ends_at - now : 0};
}

Grant QuotaLeases::refill_and_take(const Counter& counter, int64_t want, std::optional<int64_t> seed) {
  int64_t have = 0;
  {
    const int64_t now = clock_();
    std::lock_guard lock(mutex_);
    if (auto found = leases_.find(counter.name); found != leases_.end() && live(found->second, now))
      have = found->second.units;
  }
  const int64_t ask = std::max<int64_t>(block_for(counter, want), want - have);
  Grant grant = state_.take(counter, ask, true, seed);
  if (grant.unavailable || grant.needs_seed) return grant;
  const int64_t now = clock_();
  std::unique_lock lock(mutex_);
  auto found = leases_.find(counter.name);
  if (found != leases_.end() && (!live(found->second, now) || found->second.bucket != grant.bucket)) {
    leases_.erase(found);  // its minute is over: those units lapsed with it
    found = leases_.end();
  }
  if (found == leases_.end()) {
    if (leases_.size() >= kMaxLeases) {  // bound: the least recently used lease goes back first
      auto oldest = std::min_element(leases_.begin(), leases_.end(),
                                     [](const auto& a, const auto& b) { return a.second.used_at < b.second.used_at; });
      Lease evicted = std::move(oldest->second);
      leases_.erase(oldest);
      if (evicted.units > 0) defer(evicted.counter, evicted.bucket, evicted.units);  // within kMaxPending
    }
    found = leases_.emplace(counter.name, Lease{counter, 0, grant.bucket, 0, now, 0}).first;
  }
  Lease& lease = found->second;
  lease.counter = counter;
  lease.units += grant.granted;
  lease.used = grant.used;
  lease.used_at = now;
  if (counter.window == Window::minute) lease.ends_at = now + grant.reset_ms;
  Grant taken{.used = lease.used - lease.units + std::min(lease.units, want),
              .bucket = lease.bucket,
              .reset_ms = grant.reset_ms};
  if (lease.units >= want) {
    lease.units -= want;
    taken.granted = want;
    return taken;
  }
  // Refused: what this replica holds goes back, for the replicas that can use it.
  const int64_t back = lease.units;
  lease.units = 0;
  lock.unlock();
  if (back > 0) state_.give(counter, grant.bucket, back);  // at once: this call may block anyway
  taken.used = grant.used - back;
  return taken;
}

void QuotaLeases::defer(const Counter& counter, int64_t bucket, int64_t units) {
  if (pending_.size() >= kMaxPending) {
    ++dropped_;
    return;
  }
  pending_.push_back({counter, bucket, units});
}

uint64_t QuotaLeases::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

void QuotaLeases::give(const Counter& counter, int64_t bucket, int64_t units) {
  if (units <= 0) return;
  const int64_t now = clock_();
  std::lock_guard lock(mutex_);
  if (auto found = leases_.find(counter.name);
      found != leases_.end() && live(found->second, now) && found->second.bucket == bucket) {
    found->second.units += units;
    return;
  }
  if (counter.window != Window::minute && leases_.size() < kMaxLeases) {
    // A long request outlived its lease (returned while idle): its unused reservation or its slot,
    // still counted for this replica in the state, makes a lease again (back at the next idle flush).
    leases_.emplace(counter.name, Lease{counter, units, bucket, 0, now, 0});
    return;
  }
  defer(counter, bucket, units);
}

void QuotaLeases::settle_exact(const Counter& counter, int64_t bucket, int64_t units) {
  if (units == 0) return;
  {
    std::lock_guard lock(mutex_);
    defer(counter, bucket, units);
  }
  if (wake_) wake_();  // owed to the other replicas now, not at the flusher's next round
}

void QuotaLeases::charge(const Counter& counter, int64_t bucket, int64_t units) {
  if (units <= 0) return;
  const int64_t now = clock_();
  std::lock_guard lock(mutex_);
  if (auto found = leases_.find(counter.name);
      found != leases_.end() && live(found->second, now) && found->second.bucket == bucket) {
    const int64_t covered = std::min(units, found->second.units);
    found->second.units -= covered;
    units -= covered;
  }
  if (units > 0) defer(counter, bucket, -units);
}

void QuotaLeases::flush_pending() {
  std::vector<Pending> work;
  {
    std::lock_guard lock(mutex_);
    work.swap(pending_);
  }
  send(work);
}

void QuotaLeases::send(const std::vector<Pending>& work) {
  for (const Pending& item : work) {
    if (item.units > 0)
      state_.give(item.counter, item.bucket, item.units);
    else
      state_.charge(item.counter, item.bucket, -item.units);
  }
}

void QuotaLeases::flush(int64_t idle_ms) {
  const int64_t now = clock_();
  std::vector<Pending> work;
  {
    std::lock_guard lock(mutex_);
    work.swap(pending_);
    for (auto it = leases_.begin(); it != leases_.end();) {
      if (!live(it->second, now)) {
        it = leases_.erase(it);
      } else if (now - it->second.used_at >= idle_ms) {
        if (it->second.units > 0) work.push_back({std::move(it->second.counter), it->second.bucket, it->second.units});
        it = leases_.erase(it);
      } else {
        ++it;
      }
    }
  }
  send(work);
}

}  // namespace switchyard
