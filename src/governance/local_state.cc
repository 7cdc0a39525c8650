#include <algorithm>
#include <map>
#include <mutex>
#include <unordered_map>

#include "governance/quota_state.h"

namespace switchyard {

int64_t unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct LocalQuotaState::Impl {
  Clock clock;
  mutable std::mutex mutex;
  struct Value {
    int64_t units = 0;
    int64_t bucket = 0;  // minute windows: the minute `units` count in
    Window window = Window::minute;
  };
  std::unordered_map<std::string, Value> values;

  int64_t swept = -1;  // the minute whose past minute counters make_room last dropped

  // Room for one more counter: first minute counters whose minute is over, then the other
  // windowed ones, oldest bucket first (the minute a period counter was made in); held counters
  // stay.
  void make_room(int64_t minute) {
    if (swept != minute) {
      std::erase_if(values, [&](const auto& entry) {
        return entry.second.window == Window::minute && entry.second.bucket < minute;
      });
      swept = minute;
    }
    while (values.size() >= kMaxCounters) {
      auto victim = values.end();
      for (auto it = values.begin(); it != values.end(); ++it)
        if (it->second.window != Window::held && (victim == values.end() || it->second.bucket < victim->second.bucket))
          victim = it;
      if (victim == values.end()) return;
      values.erase(victim);
    }
  }
};

LocalQuotaState::LocalQuotaState(Clock clock) : impl_(std::make_unique<Impl>()) { impl_->clock = std::move(clock); }
LocalQuotaState::~LocalQuotaState() = default;

std::size_t LocalQuotaState::size() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->values.size();
}

Grant LocalQuotaState::take(const Counter& counter, int64_t want, bool partial, std::optional<int64_t> seed) {
  const int64_t now = impl_->clock();
  const int64_t minute = now / 60'000;
  std::lock_guard lock(impl_->mutex);
  auto found = impl_->values.find(counter.name);
  if (found == impl_->values.end()) {
    if (counter.window == Window::period && !seed) return Grant{.needs_seed = true};
    if (impl_->values.size() >= kMaxCounters) impl_->make_room(minute);
    found = impl_->values.emplace(counter.name, Impl::Value{seed.value_or(0), minute, counter.window}).first;
  }
  Impl::Value& value = found->second;
  if (counter.window == Window::minute && value.bucket != minute) value = {0, minute, Window::minute};
  const int64_t room = std::max<int64_t>(0, counter.limit - value.units);
  const int64_t granted = want <= room ? want : partial ? room : 0;
  value.units += granted;
  Grant grant{.granted = granted, .used = value.units};
  if (counter.window == Window::minute) {
    grant.bucket = minute;
    grant.reset_ms = (minute + 1) * 60'000 - now;
  }
  return grant;
}

void LocalQuotaState::give(const Counter& counter, int64_t bucket, int64_t units) {
  std::lock_guard lock(impl_->mutex);
  auto found = impl_->values.find(counter.name);
  if (found == impl_->values.end()) return;
  if (counter.window == Window::minute && found->second.bucket != bucket) return;  // that minute is over
  found->second.units = std::max<int64_t>(0, found->second.units - units);
}

void LocalQuotaState::charge(const Counter& counter, int64_t bucket, int64_t units) {
  const int64_t minute = impl_->clock() / 60'000;
  std::lock_guard lock(impl_->mutex);
  auto found = impl_->values.find(counter.name);
  if (found == impl_->values.end()) {
    if (counter.window == Window::period) return;  // seeded from the record store, which has this spend
    if (counter.window == Window::minute && bucket != minute) return;  // that minute is over
    if (impl_->values.size() >= kMaxCounters) impl_->make_room(minute);
    found = impl_->values.emplace(counter.name, Impl::Value{0, bucket, counter.window}).first;
  }
  if (counter.window == Window::minute && found->second.bucket != bucket) return;
  found->second.units += units;
}

}  // namespace switchyard
