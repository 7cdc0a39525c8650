#pragma once
// OpenTelemetry traces over OTLP/HTTP (JSON): a span per request and a child span per upstream
// attempt, with the GenAI semantic conventions (otlp_json.h). The request path only encodes a
// finished request's record (record_codec.h) and copies its trace ids into a bounded queue (one
// short lock, no I/O; when the queue is full the request's spans are dropped and counted); a
// thread of the exporter's own decodes them, writes the JSON and POSTs a batch every interval, or
// sooner when a batch fills.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "storage/record_codec.h"
#include "storage/usage_record.h"
#include "telemetry/otlp_json.h"
#include "telemetry/trace_context.h"

namespace switchyard {

// What an attempt's span needs beyond its record: the span id sent upstream in its traceparent,
// and the provider's type (openai, anthropic, gemini, ...) for gen_ai.provider.name.
struct AttemptTrace {
  SpanId span_id{};
  std::string_view provider_type;
};

struct ExporterOptions {
  // The collector's URL, http://host[:port][/path]; "/v1/traces" is added when it has no path.
  // http:// only for now (https is a later step).
  std::string endpoint;
  std::string service_name = "switchyard";
  std::size_t max_queue = 8192;  // requests waiting to be exported; more are dropped and counted
  std::size_t max_batch = 512;   // requests per POST
  std::chrono::milliseconds interval{1000};
  std::chrono::milliseconds timeout{5000};  // per POST: connect, send, answer (not name resolution)
};

// Spans are counted by outcome: exported (the collector answered 2xx), dropped (the queue was
// full, or the exporter stopping), failed (no answer, or not 2xx: the batch is not retried, and a
// warning is logged at most every 10 s).
class SpanExporter {
 public:
  // Throws std::invalid_argument when options.endpoint is not an http:// URL with a host.
  explicit SpanExporter(ExporterOptions options);
  ~SpanExporter();  // exports what is queued (at most one failed POST, each within the timeout) and stops
  SpanExporter(const SpanExporter&) = delete;
  SpanExporter& operator=(const SpanExporter&) = delete;

  // From the request path, once the request is over and only when trace.sampled. `attempts`
  // lines up with record.attempts. Copies what it needs; never blocks on the network, never throws.
  void submit(const RecordView& record, const TraceContext& trace, std::span<const AttemptTrace> attempts);

  // switchyard_otel_spans_{exported,dropped,failed}_total in the text exposition format.
  std::string render_metrics() const;
  // Spans (each request's own and its attempts') so far.
  uint64_t exported() const { return exported_.load(std::memory_order_relaxed); }
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
  uint64_t failed() const { return failed_.load(std::memory_order_relaxed); }

 private:
  class Collector;  // the HTTP client: the exporter thread's alone
  void run();
  // POSTs `batch` (records unset: theirs are `records`, in the same order) max_batch requests at a
  // time. `last`, at shutdown: after a failed POST the rest fail without being tried.
  void export_batch(std::vector<TracedRecord>& batch, const EncodedRecords& records, bool last);
  void count_failed(uint64_t spans, std::string_view why);  // and warns at most every 10 s

  ExporterOptions options_;
  std::unique_ptr<Collector> collector_;
  std::mutex mutex_;
  std::condition_variable wake_;
  // Requests waiting for the thread, their records (still unset) encoded in records_ in the same
  // order. Guarded by mutex_, with stopping_.
  std::vector<TracedRecord> queue_;
  EncodedRecords records_;
  bool stopping_ = false;
  std::atomic<uint64_t> exported_{0}, dropped_{0}, failed_{0};
  std::chrono::steady_clock::time_point next_warning_;  // the exporter thread's
  std::thread thread_;
};

}  // namespace switchyard
