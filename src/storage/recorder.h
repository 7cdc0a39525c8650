#pragma once
// Takes each request's record off the request path and makes it durable: a writer thread stores
// batches every flush interval; when the store is down or slow to fail, batches go to a local
// append-only journal (one JSON record per line) and are replayed, oldest first, once it is back.
// submit() only takes a lock to append to a vector. Every record taken also goes into the
// metrics and the insights rollup, on the writer thread.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "analytics/live_rollup.h"
#include "storage/metrics.h"
#include "storage/record_store.h"

namespace switchyard {

class Recorder {
 public:
  // More records than this waiting at a flush means the writer is falling behind.
  static constexpr std::size_t kBacklogRecords = 20000;
  static constexpr std::size_t kChunkRecords = 100;  // per store transaction

  Recorder(std::unique_ptr<RecordStore> store, std::string journal_path,
           std::chrono::milliseconds flush_interval = std::chrono::milliseconds(200));
  ~Recorder();  // stop()s

  void submit(UsageRecord record);
  // Stores (or journals) everything submitted so far and stops the writer thread.
  void stop();

  RecordStore& store() { return *store_; }
  Metrics& metrics() { return metrics_; }
  LiveRollup& rollup() { return *rollup_; }

 private:
  void run();
  void flush(std::vector<UsageRecord>& batch, bool catching_up);
  bool replay_journal();
  void append_to_journal(std::span<const UsageRecord> batch);

  std::unique_ptr<RecordStore> store_;
  std::unique_ptr<LiveRollup> rollup_;  // reads store_ while it loads: destroyed before it
  std::string journal_path_;
  std::chrono::milliseconds flush_interval_;
  Metrics metrics_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<UsageRecord> pending_;
  bool stopping_ = false;
  bool store_down_ = false;  // logged once per outage
  std::chrono::steady_clock::time_point retry_at_;
  std::thread writer_;
};

}  // namespace switchyard
