#pragma once
// Takes each request's record off the request path and makes it durable: a writer thread stores
// batches every flush interval; when the store is down or slow to fail, batches go to a local
// append-only journal (one JSON record per line) and are replayed, oldest first, once it is back.
// Every record taken also goes into the metrics and to the sinks (the insights rollup), on the
// writer thread.
//
// submit() encodes the record (record_codec.h) into its thread's lane: no lock, no allocation,
// one atomic exchange. A lane's records are handed to the writer whole when they reach
// kLaneRecords, and the writer takes every lane's records at each flush, so a quiet thread's are
// stored on time too.
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <ios>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "storage/metrics.h"
#include "storage/record_codec.h"
#include "storage/record_sink.h"
#include "storage/record_store.h"

namespace switchyard {

class Recorder {
 public:
  // More records than this waiting at a flush means the writer is falling behind.
  static constexpr std::size_t kBacklogRecords = 20000;
  static constexpr std::size_t kLaneRecords = 256;     // handed over whole from a lane
  static constexpr std::size_t kBatchRecords = 1000;   // per store transaction (a SQLite block)
  static constexpr std::size_t kDecodeRecords = 64;    // decoded at a time for metrics and rollup
  static constexpr std::size_t kReplayRecords = 5000;  // read from the journal and stored at a time

  // `store` and `sinks` must outlive the recorder.
  Recorder(RecordStore& store, std::string journal_path, std::vector<RecordSink*> sinks = {},
           std::chrono::milliseconds flush_interval = std::chrono::milliseconds(200));
  ~Recorder();  // stop()s

  void submit(const UsageRecord& record);
  void submit(const RecordView& record);  // encoded at once: its texts need not outlive the call
  // Stores (or journals) everything submitted so far and stops the writer thread.
  void stop();

  RecordStore& store() { return store_; }
  Metrics& metrics() { return metrics_; }

 private:
  using Records = std::unique_ptr<EncodedRecords>;
  // One submitting thread's records: it takes them out to add one and puts them back; the writer
  // takes them out at a flush. Whoever took them out owns them.
  struct Lane {
    std::atomic<EncodedRecords*> records{nullptr};
  };
  static constexpr std::size_t kLanes = 64;  // threads beyond this share one lane behind mutex_

  template <class Record>
  void submit_record(const Record& record);
  Lane* my_lane();
  Records spare_records();
  void hand_over(Records records);
  void run();
  std::vector<Records> take_all();
  void flush(std::vector<Records>& batches, bool catching_up);
  bool replay_journal();
  void note_store_down(const StoreError& e);  // warns once per outage; tried again in a second
  void append_to_journal(std::span<const UsageRecord> records);
  // Drops the journal's first `offset` bytes (records already stored).
  void keep_journal_from(std::streamoff offset);

  RecordStore& store_;
  std::vector<RecordSink*> sinks_;
  std::string journal_path_;
  std::chrono::milliseconds flush_interval_;
  Metrics metrics_;
  const uint64_t serial_;  // tells this recorder's lanes from an earlier one's in a thread

  std::array<Lane, kLanes> lanes_;
  std::atomic<std::size_t> lanes_given_{0};

  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Records> handed_over_;  // full lanes' records
  std::vector<Records> spares_;       // emptied by the writer, for lanes to fill again
  EncodedRecords shared_lane_;        // threads without a lane of their own
  bool stopping_ = false;

  // The writer thread's own.
  std::vector<RecordView> decoded_;  // views into batch_
  EncodedRecords batch_;
  bool store_down_ = false;  // logged once per outage
  std::chrono::steady_clock::time_point retry_at_;
  std::thread writer_;
};

}  // namespace switchyard
