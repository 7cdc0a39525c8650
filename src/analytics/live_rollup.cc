#include "analytics/live_rollup.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>

#include "core/request_id.h"

namespace switchyard {
namespace {
constexpr std::size_t kHistoryPage = 50000;
// Other gateways store their records within a flush interval (200 ms) unless their store was
// down: a record stored later than this after it was made is not followed.
constexpr int64_t kFollowLagMs = 5000;
constexpr auto kFollowEvery = std::chrono::seconds(2);

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}
}  // namespace

LiveRollup::LiveRollup(RecordStore& store, int64_t history_end_ms) {
  loader_ = std::thread([this, &store, history_end_ms] {
    // Background work: reading a long history must not take a core from the event loops.
    setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 19);
    if (load_history(store, history_end_ms) && store.shared()) follow_others(store, history_end_ms);
  });
}

LiveRollup::~LiveRollup() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_.notify_all();
  loader_.join();
}

template <class Record>
void LiveRollup::add_all(std::span<const Record> records) {
  std::lock_guard lock(mutex_);
  for (const auto& record : records) {
    rollup_.add(record);
    series_.add(record);
  }
}

void LiveRollup::add(std::span<const RecordView> records) { add_all(records); }

std::optional<Insights> LiveRollup::insights(const std::map<std::string, std::string>& segments,
                                             const DayWindow& window) {
  if (!loaded()) return std::nullopt;
  std::lock_guard lock(mutex_);
  return compute_insights(rollup_, segments, window);
}

std::optional<std::vector<SeriesLine>> LiveRollup::series(const SeriesQuery& query) {
  if (!loaded()) return std::nullopt;
  std::lock_guard lock(mutex_);
  return series_.series(query);
}

bool LiveRollup::stopped_within(std::chrono::milliseconds wait) {
  std::unique_lock lock(stop_mutex_);
  return stop_.wait_for(lock, wait, [this] { return stopping_; });
}

bool LiveRollup::load_history(RecordStore& store, int64_t history_end_ms) {
  auto begin = std::chrono::steady_clock::now();
  std::size_t read = 0;
  int64_t from_ms = 0;  // pages end with a whole millisecond: a retry starts after the last one
  bool warned = false;
  for (;;) {
    try {
      scan_pages(store, ScanQuery{from_ms, history_end_ms, kHistoryPage}, [&](std::vector<UsageRecord>& page) {
        add_all(std::span<const UsageRecord>(page));
        read += page.size();
        history_read_.store(read, std::memory_order_relaxed);
        from_ms = page.back().created_ms + 1;
        return !stopped_within(std::chrono::milliseconds(0));
      });
      break;
    } catch (const StoreError& e) {
      // Without its whole history the rollup would answer wrong figures: insights answer 503
      // until it has it. A store that is down, or a new PostgreSQL whose tables the first write
      // makes, is tried again (records taken meanwhile are in the rollup already).
      if (!warned) spdlog::warn("insights: cannot read the record history yet ({}); trying every 2 s", e.what());
      warned = true;
    }
    if (stopped_within(kFollowEvery)) return false;
  }
  if (stopped_within(std::chrono::milliseconds(0))) return false;
  loaded_.store(true, std::memory_order_release);
  spdlog::info("insights: {} records of history rolled up in {:.1f} s", read,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count());
  return true;
}

void LiveRollup::follow_others(RecordStore& store, int64_t from_ms) {
  while (!stopped_within(kFollowEvery)) {
    const int64_t until_ms = now_ms() - kFollowLagMs;
    if (until_ms <= from_ms) continue;
    try {
      scan_pages(store, ScanQuery{from_ms, until_ms, kHistoryPage, std::nullopt, this_instance_tag()},
                 [&](std::vector<UsageRecord>& page) {
                   add_all(std::span<const UsageRecord>(page));
                   from_ms = page.back().created_ms + 1;  // as above: a retry starts after this page
                   return true;
                 });
      from_ms = until_ms;
    } catch (const StoreError& e) {
      spdlog::warn("insights: cannot read other gateways' records ({}); trying again", e.what());
    }
  }
}

}  // namespace switchyard
