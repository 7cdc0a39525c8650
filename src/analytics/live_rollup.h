#pragma once
// The gateway's rollup of its whole history, so that /v1/insights over any window reads cells,
// never records, and its traffic over time (Series, GET /v1/timeseries): the recorder's thread
// adds every batch it takes (add), and at start a thread of its own reads the store's earlier
// records into both, page by page. Until that reading is done insights() and series() answer
// nothing: the API says so (503, Retry-After) rather than read every record. On a store that other
// gateways write to as well, that thread then follows their records: every 2 s it adds those
// created up to 5 s ago (told apart by the instance tag in their ids).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "analytics/insights.h"
#include "analytics/rollup.h"
#include "analytics/series.h"
#include "storage/record_sink.h"
#include "storage/record_store.h"

namespace switchyard {

class LiveRollup final : public RecordSink {
 public:
  // Reads the records of `store` created before `history_end_ms` (the gateway's start), then
  // follows other gateways' records when the store is shared.
  LiveRollup(RecordStore& store, int64_t history_end_ms);
  ~LiveRollup();  // stops reading history

  void add(std::span<const RecordView> records) override;
  std::optional<Insights> insights(const std::map<std::string, std::string>& segments, const DayWindow& window);
  std::optional<std::vector<SeriesLine>> series(const SeriesQuery& query);
  bool loaded() const { return loaded_.load(std::memory_order_acquire); }
  std::size_t history_read() const { return history_read_.load(std::memory_order_relaxed); }  // records so far

 private:
  template <class Record>  // UsageRecord (history) or RecordView (the recorder's)
  void add_all(std::span<const Record> records);
  bool load_history(RecordStore& store, int64_t history_end_ms);  // false: stopped first
  void follow_others(RecordStore& store, int64_t from_ms);
  bool stopped_within(std::chrono::milliseconds wait);

  std::mutex mutex_;  // the writer adds while an insights or series query sums
  Rollup rollup_;
  Series series_;
  std::atomic<bool> loaded_{false};
  std::atomic<std::size_t> history_read_{0};
  std::mutex stop_mutex_;
  std::condition_variable stop_;
  bool stopping_ = false;
  std::thread loader_;
};

}  // namespace switchyard
