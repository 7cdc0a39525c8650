#pragma once
// A deadline on a connection's reads and writes that costs a clock read to move, instead of a
// timer operation per read or write (Beast's per-operation timeouts were a measurable share of
// a pass-through request: perf, bench/run). One timer per connection sleeps until the deadline;
// woken, it sleeps again if the deadline moved later, and calls `on_expiry` (which closes the
// socket, failing the pending operation) once it has truly passed.
#include <chrono>
#include <functional>
#include <memory>

#include "server/asio.h"

namespace switchyard {

class IoDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  IoDeadline(const Executor& executor, std::function<void()> on_expiry);
  ~IoDeadline();
  IoDeadline(const IoDeadline&) = delete;
  IoDeadline& operator=(const IoDeadline&) = delete;

  // Operations from now on must finish by `when`.
  void expires_at(Clock::time_point when);
  void expires_after(Clock::duration timeout) { expires_at(Clock::now() + timeout); }
  // No deadline: while the connection waits on something else, not on its own I/O.
  void disarm() { state_->deadline = Clock::time_point::max(); }
  // True once the deadline passed (and on_expiry ran).
  bool expired() const { return state_->expired; }

 private:
  // Shared with the watching coroutine, which may outlive the IoDeadline by one wake-up.
  struct State {
    explicit State(const Executor& executor) : timer(executor) {}
    Timer timer;
    Clock::time_point deadline = Clock::time_point::max();
    Clock::time_point armed = Clock::time_point::max();  // when the timer wakes next
    bool expired = false;
    bool stopped = false;
    std::function<void()> on_expiry;
  };
  static Task<> watch(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace switchyard
