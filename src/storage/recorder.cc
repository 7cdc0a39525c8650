#include "storage/recorder.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace switchyard {

Recorder::Recorder(std::unique_ptr<RecordStore> store, std::string journal_path, std::chrono::milliseconds flush_interval)
    : store_(std::move(store)),
      rollup_(std::make_unique<LiveRollup>(*store_, std::chrono::duration_cast<std::chrono::milliseconds>(
                                                         std::chrono::system_clock::now().time_since_epoch())
                                                         .count())),
      journal_path_(std::move(journal_path)),
      flush_interval_(flush_interval) {
  writer_ = std::thread([this] { run(); });
}

Recorder::~Recorder() { stop(); }

void Recorder::submit(UsageRecord record) {
  std::size_t depth;
  {
    std::lock_guard lock(mutex_);
    pending_.push_back(std::move(record));
    depth = pending_.size();
  }
  metrics_.set_queue_depth(depth);
}

void Recorder::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !writer_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (writer_.joinable()) writer_.join();
}

void Recorder::run() {
  std::vector<UsageRecord> batch;
  int nice = -1;
  for (;;) {
    bool last;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, flush_interval_, [&] { return stopping_; });
      batch.swap(pending_);
      last = stopping_;
    }
    // Background work: on a core it shares with an event loop it should not preempt requests, so
    // it runs at nice 10 (about a tenth of a busy core: CFS weights 110 : 1024). When that is too
    // little to keep up (a backlog builds), it takes its fair share until it has caught up:
    // records stay current and memory bounded. (SCHED_IDLE starved it on a busy core and then
    // wrote huge batches: 19 ms at p99, bench/run.)
    int wanted = batch.size() > kBacklogRecords ? 0 : 10;
    if (wanted != nice) setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), nice = wanted);
    metrics_.set_queue_depth(0);
    flush(batch, /*catching_up=*/wanted == 0);
    batch.clear();
    if (last) return;
  }
}

void Recorder::flush(std::vector<UsageRecord>& batch, bool catching_up) {
  for (const auto& record : batch) metrics_.observe(record);
  rollup_->add(batch);
  // Older records first: nothing new is stored while the journal still holds some.
  if (!replay_journal()) {
    append_to_journal(batch);
    return;
  }
  if (batch.empty()) return;
  std::size_t stored = 0;  // chunks already in the store (each is one transaction)
  try {
    // In short transactions with a yield between: one long one holds a shared core for
    // milliseconds, which requests waiting on it feel (bench/run: p99 at 1 connection). While
    // catching up, a yield after every fourth only: yielding after each left the writer too
    // little of a saturated core, and records fell 2 s behind (p99 at 1 connection: 1.3 ms
    // either way; 3.9 ms with no yield at all).
    for (std::size_t chunk = 0; stored < batch.size(); ++chunk) {
      std::size_t n = std::min(kChunkRecords, batch.size() - stored);
      store_->write(std::span(batch).subspan(stored, n));
      stored += n;
      if (!catching_up || chunk % 4 == 3) std::this_thread::yield();
    }
    metrics_.add_stored(batch.size());
  } catch (const StoreError& e) {
    if (!store_down_) spdlog::warn("record store {} failed: {}; records go to the journal {}", store_->describe(), e.what(), journal_path_);
    store_down_ = true;
    retry_at_ = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    metrics_.add_stored(stored);
    append_to_journal(std::span(batch).subspan(stored));
  }
}

bool Recorder::replay_journal() {
  // While the store is down it is tried again once a second, not at every flush.
  if (store_down_ && std::chrono::steady_clock::now() < retry_at_) return false;
  std::error_code ec;
  if (!std::filesystem::exists(journal_path_, ec) || std::filesystem::file_size(journal_path_, ec) == 0) {
    metrics_.set_journal_records(0);
    return true;
  }
  std::vector<UsageRecord> records;
  {
    std::ifstream in(journal_path_);
    std::string line;
    while (std::getline(in, line)) {
      try {
        records.push_back(record_from_json_line(line));
      } catch (const std::runtime_error&) {  // a line cut short by a crash while it was written
        metrics_.add_unstorable(1);
      }
    }
  }
  metrics_.set_journal_records(static_cast<int64_t>(records.size()));
  try {
    for (std::size_t first = 0; first < records.size(); first += 5000)
      store_->write(std::span(records).subspan(first, std::min<std::size_t>(5000, records.size() - first)));
  } catch (const StoreError& e) {
    if (!store_down_) spdlog::warn("record store {} failed: {}; records go to the journal {}", store_->describe(), e.what(), journal_path_);
    store_down_ = true;
    retry_at_ = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    return false;
  }
  std::filesystem::remove(journal_path_, ec);
  metrics_.add_stored(records.size());
  metrics_.set_journal_records(0);
  if (store_down_ || !records.empty()) spdlog::info("record store {} is back: {} journaled records stored", store_->describe(), records.size());
  store_down_ = false;
  return true;
}

void Recorder::append_to_journal(std::span<const UsageRecord> batch) {
  if (batch.empty()) return;
  std::string lines;
  for (const auto& record : batch) lines += record_json_line(record);
  std::ofstream out(journal_path_, std::ios::app | std::ios::binary);
  out.write(lines.data(), static_cast<std::streamsize>(lines.size()));
  out.flush();
  if (!out) {
    spdlog::error("cannot write the journal {}: {} records lost", journal_path_, batch.size());
    metrics_.add_unstorable(batch.size());
    return;
  }
  metrics_.add_journal_records(static_cast<int64_t>(batch.size()));
}

}  // namespace switchyard
