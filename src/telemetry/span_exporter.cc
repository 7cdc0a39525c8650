#include "telemetry/span_exporter.h"

#include <pthread.h>
#include <sched.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/url/parse.hpp>
#include <future>
#include <optional>
#include <stdexcept>

#include "server/asio.h"

namespace switchyard {
namespace {

// A request's spans: its own and one per attempt.
uint64_t spans_in(std::span<const TracedRecord> requests) {
  uint64_t spans = 0;
  for (const TracedRecord& traced : requests) spans += 1 + traced.attempt_spans.size();
  return spans;
}

}  // namespace

// A small HTTP/1.1 client on an io_context of its own, run by the exporter thread alone: a
// connection per POST (about one per interval), closed after the answer. http:// only: https is a
// later step.
class SpanExporter::Collector {
 public:
  explicit Collector(std::string_view endpoint) {
    auto url = boost::urls::parse_uri(endpoint);
    if (!url || url->scheme_id() != boost::urls::scheme::http || url->host_address().empty() ||
        (url->has_port() && url->port_number() == 0))
      throw std::invalid_argument(
          fmt::format("the OTLP endpoint must be an http:// URL with a host and port (got '{}')", endpoint));
    host_ = url->host_address();
    port_ = url->has_port() ? std::string(url->port()) : "80";
    host_header_ = url->encoded_host_and_port();
    target_ = url->encoded_path();
    if (target_.empty() || target_ == "/") target_ = "/v1/traces";
    if (url->has_query()) (target_ += '?') += url->encoded_query();
  }

  // POSTs `body` as JSON; what went wrong, or nothing when the collector answered 2xx.
  std::optional<std::string> post(std::string body, std::chrono::milliseconds timeout) {
    auto answer = net::co_spawn(io_, exchange(std::move(body), timeout), net::use_future);
    io_.restart();
    io_.run();
    return answer.get();
  }

 private:
  Task<std::optional<std::string>> exchange(std::string body, std::chrono::milliseconds timeout) {
    const auto executor = co_await net::this_coro::executor;
    // Name resolution is bounded by the system resolver's own timeouts, not by `timeout`.
    Resolver resolver(executor);
    auto [resolve_ec, addresses] = co_await resolver.async_resolve(host_, port_, use_tuple);
    if (resolve_ec) co_return fmt::format("cannot resolve {}: {}", host_, resolve_ec.message());
    TcpStream stream(executor);
    stream.expires_after(timeout);  // one deadline for connecting, sending and the whole answer
    auto [connect_ec, connected] = co_await stream.async_connect(addresses, use_tuple);
    if (connect_ec) co_return fmt::format("cannot connect to {}: {}", host_header_, connect_ec.message());
    http::request<http::string_body> request{http::verb::post, target_, 11};
    request.set(http::field::host, host_header_);
    request.set(http::field::content_type, "application/json");
    request.set(http::field::user_agent, "switchyard");
    request.keep_alive(false);
    request.body() = std::move(body);
    request.prepare_payload();
    auto [write_ec, written] = co_await http::async_write(stream, request, use_tuple);
    if (write_ec) co_return fmt::format("cannot send to {}: {}", host_header_, write_ec.message());
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    auto [read_ec, read] = co_await http::async_read(stream, buffer, response, use_tuple);
    if (read_ec) co_return fmt::format("no answer from {}: {}", host_header_, read_ec.message());
    error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    if (response.result_int() / 100 != 2)
      co_return fmt::format("{}{} answered {}: {}", host_header_, target_, response.result_int(),
                            std::string_view(response.body()).substr(0, 200));
    co_return std::nullopt;
  }

  net::io_context io_;
  std::string host_, port_, host_header_, target_;
};

SpanExporter::SpanExporter(ExporterOptions options)
    : options_(std::move(options)), collector_(std::make_unique<Collector>(options_.endpoint)) {
  options_.max_batch = std::max<std::size_t>(options_.max_batch, 1);
  thread_ = std::thread([this] { run(); });
}

SpanExporter::~SpanExporter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void SpanExporter::submit(const RecordView& record, const TraceContext& trace, std::span<const AttemptTrace> attempts) {
  const std::size_t traced_attempts = std::min(record.attempts.size(), attempts.size());
  try {
    thread_local EncodedRecords encoded;  // encoded outside the lock, into this thread's own bytes
    encoded.clear();
    encoded.add(record);
    TracedRecord traced{nullptr, trace, {}, {}, {}};
    traced.attempt_spans.reserve(traced_attempts);
    traced.attempt_providers.reserve(traced_attempts);
    for (std::size_t i = 0; i < traced_attempts; ++i) {
      traced.attempt_spans.push_back(attempts[i].span_id);
      traced.attempt_providers.emplace_back(attempts[i].provider_type);
    }
    if (traced_attempts) traced.provider_type = traced.attempt_providers.back();
    bool batch_full = false;
    {
      std::lock_guard lock(mutex_);
      if (stopping_ || queue_.size() >= options_.max_queue) {
        dropped_.fetch_add(1 + traced_attempts, std::memory_order_relaxed);
        return;
      }
      records_.add(encoded);
      queue_.push_back(std::move(traced));
      batch_full = queue_.size() == options_.max_batch;
    }
    if (batch_full) wake_.notify_one();
  } catch (...) {  // out of memory: these spans are lost, and counted
    dropped_.fetch_add(1 + traced_attempts, std::memory_order_relaxed);
  }
}

void SpanExporter::run() {
  // Traces never compete with requests for a core: this thread runs only when the event loops
  // leave the CPU idle (SCHED_IDLE). On a saturated core the queue fills and spans are dropped
  // (counted) instead of the proxy slowing down.
  const sched_param idle{};
  if (pthread_setschedparam(pthread_self(), SCHED_IDLE, &idle) != 0) spdlog::debug("traces: SCHED_IDLE refused");
  std::vector<TracedRecord> batch;
  EncodedRecords records;
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait_for(lock, options_.interval, [&] { return stopping_ || queue_.size() >= options_.max_batch; });
    const bool last = stopping_;
    batch.swap(queue_);  // the queue goes on in the emptied vector and bytes of the last round
    std::swap(records, records_);
    lock.unlock();
    try {
      export_batch(batch, records, last);
    } catch (...) {  // export_batch counts its own failures: this only keeps the thread alive
    }
    batch.clear();
    records.clear();
    if (last) return;
    lock.lock();
  }
}

void SpanExporter::export_batch(std::vector<TracedRecord>& batch, const EncodedRecords& records, bool last) {
  if (batch.empty()) return;
  std::vector<UsageRecord> decoded;
  try {
    decode_records(records.bytes, decoded);
  } catch (const std::exception& e) {
    count_failed(spans_in(batch), e.what());
    return;
  }
  if (decoded.size() != batch.size()) {
    count_failed(spans_in(batch), "queued records and traces differ");
    return;
  }
  for (std::size_t i = 0; i < batch.size(); ++i) batch[i].record = &decoded[i];
  bool give_up = false;
  for (std::size_t at = 0; at < batch.size(); at += options_.max_batch) {
    const auto part = std::span<const TracedRecord>(batch).subspan(at, std::min(options_.max_batch, batch.size() - at));
    if (give_up) {
      failed_.fetch_add(spans_in(part), std::memory_order_relaxed);
      continue;
    }
    std::optional<std::string> failure;
    try {
      failure = collector_->post(otlp_traces_json(options_.service_name, part), options_.timeout);
    } catch (const std::exception& e) {
      failure = e.what();
    }
    if (failure) {
      count_failed(spans_in(part), *failure);
      give_up = last;  // at shutdown, one failure is enough waiting
    } else {
      exported_.fetch_add(spans_in(part), std::memory_order_relaxed);
    }
  }
}

void SpanExporter::count_failed(uint64_t spans, std::string_view why) {
  failed_.fetch_add(spans, std::memory_order_relaxed);
  const auto now = std::chrono::steady_clock::now();
  if (now < next_warning_) return;
  next_warning_ = now + std::chrono::seconds(10);
  spdlog::warn("traces: {} spans not exported to {}: {} (this warning repeats at most every 10 s)", spans,
               options_.endpoint, why);
}

std::string SpanExporter::render_metrics() const {
  std::string out;
  auto counter = [&out](std::string_view name, std::string_view help, uint64_t value) {
    out += fmt::format("# HELP {0} {1}\n# TYPE {0} counter\n{0} {2}\n", name, help, value);
  };
  counter("switchyard_otel_spans_exported_total", "Spans the OTLP collector accepted.", exported());
  counter("switchyard_otel_spans_dropped_total", "Spans dropped because the export queue was full.", dropped());
  counter("switchyard_otel_spans_failed_total", "Spans whose export failed (no answer, or not 2xx); never retried.",
          failed());
  return out;
}

}  // namespace switchyard
