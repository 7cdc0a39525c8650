#include "storage/recorder.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <utility>

namespace switchyard {

namespace {
std::atomic<uint64_t> next_serial{1};
}

Recorder::Recorder(RecordStore& store, std::string journal_path, std::vector<RecordSink*> sinks,
                   std::chrono::milliseconds flush_interval)
    : store_(store),
      sinks_(std::move(sinks)),
      journal_path_(std::move(journal_path)),
      flush_interval_(flush_interval),
      serial_(next_serial.fetch_add(1)) {
  writer_ = std::thread([this] { run(); });
}

Recorder::~Recorder() {
  stop();
  for (auto& lane : lanes_) delete lane.records.exchange(nullptr);
}

Recorder::Lane* Recorder::my_lane() {
  thread_local uint64_t owner = 0;
  thread_local Lane* lane = nullptr;
  if (owner != serial_) {
    owner = serial_;
    std::size_t given = lanes_given_.fetch_add(1, std::memory_order_relaxed);
    lane = given < kLanes ? &lanes_[given] : nullptr;
  }
  return lane;
}

Recorder::Records Recorder::spare_records() {
  std::lock_guard lock(mutex_);
  if (spares_.empty()) return std::make_unique<EncodedRecords>();
  Records records = std::move(spares_.back());
  spares_.pop_back();
  return records;
}

void Recorder::hand_over(Records records) {
  std::lock_guard lock(mutex_);
  handed_over_.push_back(std::move(records));
}

void Recorder::submit(const UsageRecord& record) { submit_record(record); }
void Recorder::submit(const RecordView& record) { submit_record(record); }

template <class Record>
void Recorder::submit_record(const Record& record) {
  Lane* lane = my_lane();
  if (!lane) {
    std::lock_guard lock(mutex_);
    if (!shared_lane_.fits(record.created_ms, record.created_ms)) {
      handed_over_.push_back(std::make_unique<EncodedRecords>(std::move(shared_lane_)));
      shared_lane_ = EncodedRecords{};
    }
    shared_lane_.add(record);
    return;
  }
  Records records(lane->records.exchange(nullptr, std::memory_order_acquire));
  if (records && !records->fits(record.created_ms, record.created_ms)) hand_over(std::exchange(records, nullptr));
  if (!records) records = spare_records();
  records->add(record);
  if (records->count >= kLaneRecords)
    hand_over(std::move(records));
  else
    lane->records.store(records.release(), std::memory_order_release);
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

std::vector<Recorder::Records> Recorder::take_all() {
  std::vector<Records> taken;
  {
    std::lock_guard lock(mutex_);
    taken.swap(handed_over_);
    if (shared_lane_.count) {
      taken.push_back(std::make_unique<EncodedRecords>(std::move(shared_lane_)));
      shared_lane_ = EncodedRecords{};
    }
  }
  for (auto& lane : lanes_)
    if (EncodedRecords* records = lane.records.exchange(nullptr, std::memory_order_acq_rel))
      taken.emplace_back(records);
  return taken;
}

void Recorder::run() {
  int nice = -1;
  for (;;) {
    bool last;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, flush_interval_, [&] { return stopping_; });
      last = stopping_;
    }
    std::vector<Records> taken = take_all();
    std::size_t waiting = 0;
    for (const auto& records : taken) waiting += records->count;
    metrics_.set_queue_depth(waiting);
    // Background work: on a core it shares with an event loop it should not preempt requests, so
    // it runs at nice 10 (about a tenth of a busy core: CFS weights 110 : 1024). When that is too
    // little to keep up (a backlog builds), it takes its fair share until it has caught up:
    // records stay current and memory bounded. (SCHED_IDLE starved it on a busy core and then
    // wrote huge batches: 19 ms at p99, bench/run.)
    int wanted = waiting > kBacklogRecords ? 0 : 10;
    if (wanted != nice) setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), nice = wanted);
    flush(taken, /*catching_up=*/wanted == 0);
    metrics_.set_queue_depth(0);
    {
      std::lock_guard lock(mutex_);
      for (auto& records : taken) {
        if (spares_.size() >= kLanes) break;
        records->clear();
        spares_.push_back(std::move(records));
      }
    }
    if (last) return;
  }
}

void Recorder::flush(std::vector<Records>& taken, bool catching_up) {
  // Older records first: nothing new is stored while the journal still holds some.
  bool store_up = replay_journal();
  std::size_t transactions = 0;
  for (auto next = taken.begin(); next != taken.end();) {
    // A transaction's worth, whose times fit one block.
    batch_.clear();
    while (next != taken.end() &&
           (batch_.count == 0 || (batch_.count + (*next)->count <= kBatchRecords && batch_.fits(**next))))
      batch_.add(**next++);
    // Metrics and rollup a few records at a time: a short vector stays in the cache the event
    // loop shares.
    RecordDecoder decoder(batch_.bytes);
    while (std::size_t n = decoder.next(decoded_, kDecodeRecords)) {
      std::span<const RecordView> views(decoded_.data(), n);
      metrics_.observe(views);
      for (RecordSink* sink : sinks_) sink->add(views);
    }
    if (store_up) {
      try {
        store_.append(batch_);
        metrics_.add_stored(batch_.count);
      } catch (const StoreError& e) {
        note_store_down(e);
        store_up = false;
      }
    }
    if (!store_up) {
      std::vector<UsageRecord> records;
      decode_records(batch_.bytes, records);
      append_to_journal(records);
    }
    // A yield between transactions: one long run holds a shared core for milliseconds, which
    // requests waiting on it feel (bench/run: p99 at 1 connection). While catching up, after
    // every fourth only: yielding after each left the writer too little of a saturated core,
    // and records fell 2 s behind.
    if (!catching_up || ++transactions % 4 == 0) std::this_thread::yield();
  }
}

void Recorder::note_store_down(const StoreError& e) {
  if (!store_down_)
    spdlog::warn("record store {} failed: {}; records go to the journal {}", store_.describe(), e.what(),
                 journal_path_);
  store_down_ = true;
  retry_at_ = std::chrono::steady_clock::now() + std::chrono::seconds(1);
}

bool Recorder::replay_journal() {
  // While the store is down it is tried again once a second, not at every flush.
  if (store_down_ && std::chrono::steady_clock::now() < retry_at_) return false;
  std::error_code ec;
  if (!std::filesystem::exists(journal_path_, ec) || std::filesystem::file_size(journal_path_, ec) == 0) {
    metrics_.set_journal_records(0);
    return true;
  }
  // Replayed kReplayRecords at a time, so a long journal never sits in memory whole. When the
  // store fails part way, what is left of the journal (from the first record not stored) is kept.
  std::ifstream in(journal_path_, std::ios::binary);
  std::vector<UsageRecord> records;
  std::streamoff stored_up_to = 0;
  std::size_t replayed = 0;
  for (std::string line; !in.eof();) {
    records.clear();
    while (records.size() < kReplayRecords && std::getline(in, line)) {
      try {
        records.push_back(record_from_json_line(line));
      } catch (const std::runtime_error&) {  // a line cut short by a crash while it was written
        metrics_.add_unstorable(1);
      }
    }
    try {
      store_.write(records);
    } catch (const StoreError& e) {
      note_store_down(e);
      in.close();
      keep_journal_from(stored_up_to);
      return false;
    }
    replayed += records.size();
    metrics_.add_stored(records.size());
    stored_up_to = in.eof() ? stored_up_to : static_cast<std::streamoff>(in.tellg());
  }
  in.close();
  std::filesystem::remove(journal_path_, ec);
  metrics_.set_journal_records(0);
  if (store_down_ || replayed > 0)
    spdlog::info("record store {} is back: {} journaled records stored", store_.describe(), replayed);
  store_down_ = false;
  return true;
}

void Recorder::keep_journal_from(std::streamoff offset) {
  if (offset == 0) return;
  // The rest is copied, synced, and only then put in the journal's place: on a full disk or a
  // crash the journal stays whole (its stored records are skipped by id when replayed again).
  std::string rest_path = journal_path_ + ".rest";
  bool copied;
  {
    std::ifstream in(journal_path_, std::ios::binary);
    in.seekg(offset);
    std::ofstream out(rest_path, std::ios::binary | std::ios::trunc);
    out << in.rdbuf();
    out.flush();
    copied = in.good() || in.eof();
    copied = copied && out.good();
  }
  int fd = copied ? ::open(rest_path.c_str(), O_RDONLY | O_CLOEXEC) : -1;
  copied = fd >= 0 && ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  std::error_code ec;
  if (copied) std::filesystem::rename(rest_path, journal_path_, ec);
  if (!copied || ec) {
    std::filesystem::remove(rest_path, ec);
    spdlog::warn("could not shorten the journal {}; its stored records are skipped when it is replayed", journal_path_);
  }
}

void Recorder::append_to_journal(std::span<const UsageRecord> batch) {
  if (batch.empty()) return;
  std::string lines;
  for (const auto& record : batch) lines += record_json_line(record);
  // Appended and synced to disk before the batch counts as kept: the store already failed it.
  int fd = ::open(journal_path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  bool written = fd >= 0;
  for (std::size_t done = 0; written && done < lines.size();) {
    ssize_t n = ::write(fd, lines.data() + done, lines.size() - done);
    if (n < 0 && errno == EINTR) continue;
    written = n > 0;
    done += written ? static_cast<std::size_t>(n) : 0;
  }
  written = written && ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  if (!written) {
    spdlog::error("cannot write the journal {}: {}; {} records lost", journal_path_, std::strerror(errno),
                  batch.size());
    metrics_.add_unstorable(batch.size());
    return;
  }
  metrics_.add_journal_records(static_cast<int64_t>(batch.size()));
}

}  // namespace switchyard
