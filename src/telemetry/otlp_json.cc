#include "telemetry/otlp_json.h"

#include <fmt/format.h>

#include <iterator>

#include "core/json_text.h"

#ifndef SWITCHYARD_VERSION
#define SWITCHYARD_VERSION "unknown"
#endif

namespace switchyard {
namespace {

// opentelemetry-proto's SpanKind and StatusCode.
constexpr int kServer = 2, kClient = 3;
constexpr int kOk = 1, kError = 2;

// error.type of a failed request or attempt: its status when 400 or above, "cancelled" for the
// client that left (499), else "_OTHER" (the conventions' fallback: no status, or a 2xx answer
// that broke off).
std::string error_type(int status) {
  if (status == 499) return "cancelled";
  if (status >= 400) return std::to_string(status);
  return "_OTHER";
}

// Writes one span's JSON into `out`, its attributes between open() and close().
class SpanWriter {
 public:
  explicit SpanWriter(std::string& out) : out_(out) {}

  void open(const TraceId& trace, const SpanId& span, const std::optional<SpanId>& parent, std::string_view operation,
            std::string_view model, int kind, int64_t start_ms, int64_t end_ms) {
    out_ += R"({"traceId":")";
    out_ += to_hex(trace.data(), trace.size());
    out_ += R"(","spanId":")";
    out_ += to_hex(span.data(), span.size());
    if (parent) {
      out_ += R"(","parentSpanId":")";
      out_ += to_hex(parent->data(), parent->size());
    }
    out_ += R"(","name":)";
    append_json_string(out_, model.empty() ? std::string(operation) : fmt::format("{} {}", operation, model));
    fmt::format_to(std::back_inserter(out_), R"(,"kind":{},"startTimeUnixNano":"{}","endTimeUnixNano":"{}")", kind,
                   start_ms * 1'000'000, end_ms * 1'000'000);
    out_ += R"(,"attributes":[)";
    first_ = true;
  }
  // Ends the attributes and the span, with status OK or else ERROR and `message`.
  void close(bool failed, std::string_view message) {
    fmt::format_to(std::back_inserter(out_), R"(],"status":{{"code":{})", failed ? kError : kOk);
    if (failed && !message.empty()) {
      out_ += R"(,"message":)";
      append_json_string(out_, message);
    }
    out_ += "}}";
  }

  void text(std::string_view key, std::string_view value) {
    if (value.empty()) return;
    this->key(key);
    out_ += R"({"stringValue":)";
    append_json_string(out_, value);
    out_ += "}}";
  }
  void integer(std::string_view key, int64_t value) {
    this->key(key);
    fmt::format_to(std::back_inserter(out_), R"({{"intValue":"{}"}}}})", value);
  }
  void flag(std::string_view key, bool value) {
    this->key(key);
    out_ += value ? R"({"boolValue":true}})" : R"({"boolValue":false}})";
  }
  void number(std::string_view key, double value) {
    this->key(key);
    out_ += R"({"doubleValue":)";
    append_json_number(out_, value);
    out_ += "}}";
  }
  void texts(std::string_view key, std::span<const std::string_view> values) {
    this->key(key);
    out_ += R"({"arrayValue":{"values":[)";
    for (std::size_t i = 0; i < values.size(); ++i) {
      out_ += i ? R"(,{"stringValue":)" : R"({"stringValue":)";
      append_json_string(out_, values[i]);
      out_ += '}';
    }
    out_ += "]}}}";
  }

 private:
  void key(std::string_view key) {
    out_ += first_ ? R"({"key":)" : R"(,{"key":)";
    first_ = false;
    append_json_string(out_, key);
    out_ += R"(,"value":)";
  }

  std::string& out_;
  bool first_ = true;
};

void write_request(std::string& out, const TracedRecord& traced) {
  const UsageRecord& r = *traced.record;
  const std::string_view operation = gen_ai_operation(r.endpoint);
  SpanWriter span(out);
  span.open(traced.trace.trace_id, traced.trace.span_id, traced.trace.parent, operation, r.model_requested, kServer,
            r.created_ms, r.created_ms + r.latency_ms);
  span.text("gen_ai.operation.name", operation);
  span.text("gen_ai.provider.name", gen_ai_provider_name(traced.provider_type));
  span.text("gen_ai.request.model", r.model_requested);
  span.text("gen_ai.response.model", r.upstream_model);
  span.integer("gen_ai.usage.input_tokens", r.input_tokens);
  span.integer("gen_ai.usage.output_tokens", r.output_tokens);
  if (r.cache_read_tokens) span.integer("gen_ai.usage.cache_read.input_tokens", r.cache_read_tokens);
  if (r.cache_write_tokens) span.integer("gen_ai.usage.cache_creation.input_tokens", r.cache_write_tokens);
  if (r.reasoning_tokens) span.integer("gen_ai.usage.reasoning.output_tokens", r.reasoning_tokens);
  if (!r.finish_reason.empty()) {
    const std::string_view reasons[] = {r.finish_reason};
    span.texts("gen_ai.response.finish_reasons", reasons);
  }
  if (r.status > 0) span.integer("http.response.status_code", r.status);
  const bool failed = r.status == 0 || r.status >= 400;
  if (failed) span.text("error.type", error_type(r.status));
  span.text("switchyard.request_id", r.id);
  span.text("switchyard.team", r.team);
  span.text("switchyard.user", r.user);
  span.text("switchyard.endpoint", r.endpoint);
  span.text("switchyard.provider", r.provider);
  span.text("switchyard.model_id", r.model);
  if (r.cost) span.number("switchyard.cost_usd", *r.cost);
  if (r.cache_hit) span.flag("switchyard.cache_hit", true);
  span.close(failed, r.error);

  const std::size_t attempts = std::min(r.attempts.size(), traced.attempt_spans.size());
  for (std::size_t i = 0; i < attempts; ++i) {
    const AttemptRecord& a = r.attempts[i];
    out += ',';
    span.open(traced.trace.trace_id, traced.attempt_spans[i], traced.trace.span_id, operation, a.model, kClient,
              a.start_ms, a.end_ms);
    span.text("gen_ai.operation.name", operation);
    if (i < traced.attempt_providers.size())
      span.text("gen_ai.provider.name", gen_ai_provider_name(traced.attempt_providers[i]));
    span.text("gen_ai.request.model", a.model);
    span.text("switchyard.provider", a.provider);
    span.text("switchyard.model_id", a.model_id);
    if (a.status > 0) span.integer("http.response.status_code", a.status);
    if (a.continued_at) span.integer("switchyard.continued_at", *a.continued_at);
    if (!a.success) span.text("error.type", error_type(a.status));
    span.close(!a.success, a.error);
  }
}

}  // namespace

std::string_view gen_ai_provider_name(std::string_view provider_type) {
  return provider_type == "gemini" ? "gcp.gemini" : provider_type;
}

std::string otlp_traces_json(std::string_view service_name, std::span<const TracedRecord> requests) {
  std::string out = R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":)";
  append_json_string(out, service_name);
  out += R"(}}]},"scopeSpans":[{"scope":{"name":"switchyard","version":)";
  append_json_string(out, SWITCHYARD_VERSION);
  out += R"(},"spans":[)";
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (i) out += ',';
    write_request(out, requests[i]);
  }
  out += "]}]}]}";
  return out;
}

}  // namespace switchyard
