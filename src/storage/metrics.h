#pragma once
// Prometheus metrics, kept by the recorder's thread from the records it stores (so the request
// path pays nothing for them) and rendered on GET /metrics.
#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "storage/usage_record.h"

namespace switchyard {

class Metrics {
 public:
  void observe(const UsageRecord& record);
  void set_queue_depth(std::size_t depth) { queue_depth_.store(depth, std::memory_order_relaxed); }
  void set_journal_records(int64_t n) { journal_records_.store(n, std::memory_order_relaxed); }
  void add_journal_records(int64_t n) { journal_records_.fetch_add(n, std::memory_order_relaxed); }
  void add_stored(std::size_t n) { stored_.fetch_add(n, std::memory_order_relaxed); }
  void add_unstorable(std::size_t n) { unstorable_.fetch_add(n, std::memory_order_relaxed); }

  // The text exposition format.
  std::string render() const;

 private:
  struct Histogram {
    std::vector<uint64_t> buckets;  // cumulative counts per bound in kBoundsMs
    double sum = 0;
    uint64_t count = 0;
    void add(double ms);
  };
  static const std::vector<double> kBoundsMs;

  mutable std::mutex mutex_;
  std::map<std::string, double> requests_, attempts_, tokens_, cost_;  // label text -> value
  std::map<std::string, Histogram> latency_, ttft_, overhead_;        // by provider/model
  std::atomic<std::size_t> queue_depth_{0};
  std::atomic<int64_t> journal_records_{0};
  std::atomic<std::size_t> stored_{0}, unstorable_{0};
};

}  // namespace switchyard
