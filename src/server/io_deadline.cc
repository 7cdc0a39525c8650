#include "server/io_deadline.h"

namespace switchyard {

namespace {
// How often a disarmed deadline is looked at again: a deadline set later than the timer's
// wake-up needs no timer operation.
constexpr auto kDisarmedCheck = std::chrono::seconds(1);
}  // namespace

IoDeadline::IoDeadline(const Executor& executor, std::function<void()> on_expiry)
    : state_(std::make_shared<State>(executor)) {
  state_->on_expiry = std::move(on_expiry);
  net::co_spawn(executor, watch(state_), net::detached);
}

IoDeadline::~IoDeadline() {
  state_->stopped = true;
  state_->on_expiry = nullptr;
  state_->timer.cancel();
}

void IoDeadline::expires_at(Clock::time_point when) {
  state_->deadline = when;
  state_->expired = false;
  if (when < state_->armed) state_->timer.cancel();  // wake the watcher to sleep less
}

Task<> IoDeadline::watch(std::shared_ptr<State> state) {
  while (!state->stopped) {
    auto now = Clock::now();
    if (state->deadline <= now) {
      state->expired = true;
      state->deadline = Clock::time_point::max();
      if (state->on_expiry) state->on_expiry();
    }
    state->armed = state->deadline == Clock::time_point::max() ? now + kDisarmedCheck : state->deadline;
    state->timer.expires_at(state->armed);
    co_await state->timer.async_wait(use_tuple);
  }
}

}  // namespace switchyard
