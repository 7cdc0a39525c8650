#pragma once
// Where governance counts: requests and tokens per minute, requests in flight, USD spent per
// period. In this process (LocalQuotaState) or shared by every replica (RedisQuotaState). The
// calls may block (a network round trip): the request path reaches a shared state only through
// QuotaLeases, off its event loop.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace switchyard {

enum class Window {
  minute,  // counts reset every minute of the state's clock (Redis: its server time)
  period,  // a calendar period named in the counter's name; kept until the period is long over
  held,    // no window: units stay taken until given back (requests in flight)
};

struct Counter {
  std::string name;  // unique per scope and kind, e.g. "rpm:k:key_1a2b", "usd:t:acme:2026-12"
  Window window = Window::minute;
  int64_t limit = 0;  // the most units the counter may reach
};

struct Grant {
  int64_t granted = 0;       // units taken: `want`, or fewer when `partial` and that is all that is left
  int64_t used = 0;          // the counter after the take, over every replica
  int64_t bucket = 0;        // minute windows: which minute (give back into the same one)
  int64_t reset_ms = 0;      // minute windows: until that minute ends
  bool unavailable = false;  // the state could not be reached: nothing was taken
  bool needs_seed = false;   // a period counter the state does not hold: take again with `seed`
  std::string problem;       // why it was unavailable, for logs and a fail-closed 503
};

class QuotaState {
 public:
  virtual ~QuotaState() = default;
  // Takes `want` units if `used + want <= limit` (or, with `partial`, as many as fit). A period
  // counter the state does not hold yet starts at `seed` (what the record store says was spent);
  // without one it answers needs_seed and takes nothing.
  virtual Grant take(const Counter& counter, int64_t want, bool partial, std::optional<int64_t> seed) = 0;
  // Returns units taken and not used (never below zero; a minute's units only into that minute).
  virtual void give(const Counter& counter, int64_t bucket, int64_t units) = 0;
  // Adds units whatever the limit: what an answer cost beyond what was reserved for it.
  virtual void charge(const Counter& counter, int64_t bucket, int64_t units) = 0;
  // True when other replicas count here too (reach it through leases); false: in this process.
  virtual bool shared() const = 0;
  virtual std::string describe() const = 0;
};

// The state inside one process: the same semantics, nothing shared. Thread-safe; time from an
// injected clock (Unix ms), so tests need no sleeping. Bounded: minute counters of past minutes
// are dropped as new ones come; at most kMaxCounters counters are kept (the oldest minute and
// period counters go first; held ones never, as they count requests in flight).
class LocalQuotaState final : public QuotaState {
 public:
  using Clock = std::function<int64_t()>;
  static constexpr std::size_t kMaxCounters = 200'000;
  explicit LocalQuotaState(Clock clock);
  ~LocalQuotaState() override;

  Grant take(const Counter& counter, int64_t want, bool partial, std::optional<int64_t> seed) override;
  void give(const Counter& counter, int64_t bucket, int64_t units) override;
  void charge(const Counter& counter, int64_t bucket, int64_t units) override;
  bool shared() const override { return false; }
  std::string describe() const override { return "this process"; }
  std::size_t size() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Unix ms now, from the system clock.
int64_t unix_now_ms();

}  // namespace switchyard
