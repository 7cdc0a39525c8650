#include "analytics/live_rollup.h"

#include <spdlog/spdlog.h>

#include <chrono>

namespace switchyard {
namespace {
constexpr std::size_t kHistoryPage = 50000;
}

LiveRollup::LiveRollup(RecordStore& store, int64_t history_end_ms) {
  loader_ = std::thread([this, &store, history_end_ms] { load_history(store, history_end_ms); });
}

LiveRollup::~LiveRollup() {
  stopping_ = true;
  loader_.join();
}

void LiveRollup::add(std::span<const UsageRecord> records) {
  std::lock_guard lock(mutex_);
  for (const auto& record : records) rollup_.add(record);
}

std::optional<Insights> LiveRollup::insights(const std::map<std::string, std::string>& segments, const DayWindow& window) {
  if (!loaded()) return std::nullopt;
  std::lock_guard lock(mutex_);
  return compute_insights(rollup_, segments, window);
}

void LiveRollup::load_history(RecordStore& store, int64_t history_end_ms) {
  auto begin = std::chrono::steady_clock::now();
  std::size_t read = 0;
  try {
    scan_pages(store, ScanQuery{0, history_end_ms, kHistoryPage, std::nullopt}, [&](std::vector<UsageRecord>& page) {
      add(page);
      read += page.size();
      return !stopping_;
    });
  } catch (const StoreError& e) {
    // Without its history the rollup would answer wrong figures: insights keep reading records.
    spdlog::warn("insights: cannot read the record history ({}); insights read records until the next start", e.what());
    return;
  }
  if (stopping_) return;
  loaded_.store(true, std::memory_order_release);
  spdlog::info("insights: {} records of history rolled up in {:.1f} s", read,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count());
}

}  // namespace switchyard
