#pragma once
// A replica's blocks of quota, taken ahead from a shared state so that most requests are counted
// without a round trip: a request takes from its counter's lease under a lock held for a map
// lookup; only when the lease runs short does it refill (one round trip, off the event loop).
//
// Units in a lease are already counted as used in the shared state, so leases never let the
// replicas together exceed a limit: they can only refuse early, while another replica holds
// units it has not used (at most one block per replica; idle leases go back every second).
// A minute's lease ends with its minute; a held counter's units go back when its requests end.
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "governance/quota_state.h"

namespace switchyard {

class QuotaLeases {
 public:
  using SteadyMs = std::function<int64_t()>;  // a monotonic clock in ms (injected for tests)
  static constexpr std::size_t kMaxLeases = 100'000;
  // `wake` (may be empty) is called when requests in flight are given back, so that whoever
  // flushes does it now (flush_pending) rather than at its next round; it must only signal.
  QuotaLeases(QuotaState& state, SteadyMs clock, std::function<void()> wake = {});

  // The block a refill asks for: 1/16 of a minute or concurrency limit, 1/50 of a budget, and
  // never less than `want` (the governor counts concurrency limits under 64 exactly, no lease).
  static int64_t block_for(const Counter& counter, int64_t want);

  // From the lease alone, no I/O; nullopt when it cannot cover `want` (call `refill_and_take`).
  std::optional<Grant> take_local(const Counter& counter, int64_t want);
  // Blocking: tops the lease up from the state by a block, then takes `want` from it. When the
  // state has too little left the request is refused and the lease's units go back, so other
  // replicas can use them. `seed` as for QuotaState::take.
  Grant refill_and_take(const Counter& counter, int64_t want, std::optional<int64_t> seed);
  // Units a request took and did not use go back into the lease (or, when the lease is for
  // another minute or gone, to the state at the next `flush`). Never blocks.
  void give(const Counter& counter, int64_t bucket, int64_t units);
  // Units used beyond what was taken: from the lease while it has them, else charged to the state
  // at the next `flush`. Never blocks.
  void charge(const Counter& counter, int64_t bucket, int64_t units);
  // Blocking, from a background thread every second or so: sends what give and charge left for
  // the state, and returns leases unused for `idle_ms` (minute leases of past minutes are
  // dropped: their minute is over).
  void flush(int64_t idle_ms);
  // Blocking: only what give and charge left for the state.
  void flush_pending();
  // What an exact counter (never leased) took and did not use (units > 0), or used beyond it
  // (units < 0): owed to the state at once, so the flusher is woken. Never blocks.
  void settle_exact(const Counter& counter, int64_t bucket, int64_t units);
  std::size_t size() const;
  // Gives and charges waiting for `flush`; past kMaxPending more are dropped and counted (the
  // shared counters then undercount until their window or period ends).
  static constexpr std::size_t kMaxPending = 100'000;
  uint64_t dropped() const;

 private:
  struct Lease {
    Counter counter;
    int64_t units = 0;
    int64_t bucket = 0;
    int64_t ends_at = 0;  // steady ms the minute ends (minute windows)
    int64_t used_at = 0;  // steady ms of the last take
    int64_t used = 0;     // the shared counter at the last refill
  };
  bool live(const Lease& lease, int64_t now) const {
    return lease.counter.window != Window::minute || now < lease.ends_at;
  }

  struct Pending {
    Counter counter;
    int64_t bucket = 0;
    int64_t units = 0;  // > 0: give back; < 0: charge
  };
  void defer(const Counter& counter, int64_t bucket, int64_t units);
  void send(const std::vector<Pending>& work);

  QuotaState& state_;
  SteadyMs clock_;
  std::function<void()> wake_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Lease> leases_;
  std::vector<Pending> pending_;
  uint64_t dropped_ = 0;
};

}  // namespace switchyard
