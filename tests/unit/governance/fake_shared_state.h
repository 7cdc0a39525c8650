#pragma once
// A shared state for tests: a LocalQuotaState on an injected clock that says it is shared (so
// the governor reaches it only through leases), counts every call, and can be switched to answer
// `unavailable`, as a Redis that went away does.
#include <atomic>
#include <optional>
#include <string>

#include "governance/quota_state.h"

namespace switchyard::testing {

class FakeSharedState final : public QuotaState {
 public:
  explicit FakeSharedState(LocalQuotaState::Clock clock) : inner_(std::move(clock)) {}

  Grant take(const Counter& counter, int64_t want, bool partial, std::optional<int64_t> seed) override {
    ++takes;
    if (down || (!down_for.empty() && counter.name.starts_with(down_for)))
      return Grant{.unavailable = true, .problem = "redis://fake: connection refused"};
    return inner_.take(counter, want, partial, seed);
  }
  void give(const Counter& counter, int64_t bucket, int64_t units) override {
    ++gives;
    if (!down) inner_.give(counter, bucket, units);
  }
  void charge(const Counter& counter, int64_t bucket, int64_t units) override {
    ++charges;
    if (!down) inner_.charge(counter, bucket, units);
  }
  bool shared() const override { return true; }
  std::string describe() const override { return "redis://fake"; }

  // The counter over every replica, without a call being counted (0 when the state holds none).
  int64_t used(const Counter& counter) {
    Grant grant = inner_.take(counter, 0, false, std::nullopt);
    return grant.needs_seed ? 0 : grant.used;
  }
  int calls() const { return takes + gives + charges; }

  bool down = false;
  std::string down_for;  // non-empty: only takes of counters whose name starts with it fail
  int takes = 0, gives = 0, charges = 0;

 private:
  LocalQuotaState inner_;
};

}  // namespace switchyard::testing
