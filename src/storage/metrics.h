#pragma once
// Prometheus metrics, kept by the recorder's thread from the records it stores (so the request
// path pays nothing for them) and rendered on GET /metrics: switchyard's own, and OpenTelemetry's
// GenAI client metrics (gen_ai_client_token_usage, gen_ai_client_operation_duration_seconds,
// gen_ai_server_time_to_first_token_seconds) for the requests some provider was asked to serve.
#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "core/gen_ai.h"
#include "storage/usage_record.h"

namespace switchyard {

// Label sets are bounded: model ids come partly from clients (`provider/anything`), so once
// kMaxLabelSets (provider, model) pairs are known, any further model id is counted under its
// provider as model "other".
class Metrics {
 public:
  static constexpr std::size_t kMaxLabelSets = 512;
  static constexpr std::string_view kOtherModel = "other";

  template <class Record>  // UsageRecord or RecordView
  void observe(std::span<const Record> records);
  void set_queue_depth(std::size_t depth) { queue_depth_.store(depth, std::memory_order_relaxed); }
  void set_journal_records(int64_t n) { journal_records_.store(n, std::memory_order_relaxed); }
  void add_journal_records(int64_t n) { journal_records_.fetch_add(n, std::memory_order_relaxed); }
  void add_stored(std::size_t n) { stored_.fetch_add(n, std::memory_order_relaxed); }
  void add_unstorable(std::size_t n) { unstorable_.fetch_add(n, std::memory_order_relaxed); }

  // The text exposition format.
  std::string render() const;

 private:
  struct Histogram {
    std::vector<uint64_t> buckets;  // counts per bound, of those above the bound before
    double sum = 0;
    uint64_t count = 0;
    void add(double value, std::span<const double> bounds);  // bounds in the unit of `value`
  };
  static const std::vector<double> kBoundsMs;

  // OpenTelemetry's GenAI client metrics for one operation (core/gen_ai.h), with the buckets the
  // semantic conventions advise: tokens per request (successful ones), the request's duration by
  // error class, and the time to the first token of successful streamed answers.
  struct GenAi {
    Histogram tokens[2];    // input, output
    Histogram duration[4];  // no error, 4xx, 5xx, no status
    Histogram first_token;
  };

  // Everything about one (provider, model) that served: one map lookup per record.
  struct Served {
    std::map<int, uint64_t> requests;  // by status sent
    double tokens[5] = {};             // input, output, cache_read, cache_write, reasoning
    double cost = 0;
    Histogram latency, ttft, overhead;
    std::array<GenAi, kGenAiOperations> gen_ai;  // by GenAiOperation
  };

  template <class Record>
  void observe_one(const Record& record);  // mutex_ held
  // The entry of joined_key(first, second), made in key_ (no string made per record).
  template <class Map>
  typename Map::mapped_type& entry(Map& map, std::string_view first, std::string_view second);

  mutable std::mutex mutex_;
  std::map<std::string, Served, std::less<>> served_;  // joined_key(provider, model id)
  std::map<std::string, std::array<uint64_t, 2>, std::less<>>
      attempts_;  // joined_key(provider, model id) -> failures, successes
  std::string key_;
  std::atomic<std::size_t> queue_depth_{0};
  std::atomic<int64_t> journal_records_{0};
  std::atomic<std::size_t> stored_{0}, unstorable_{0};
};

}  // namespace switchyard
