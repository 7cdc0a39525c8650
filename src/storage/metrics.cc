#include "storage/metrics.h"

#include <fmt/format.h>

#include <algorithm>

namespace switchyard {
namespace {

// A label value escaped as the exposition format wants.
std::string escaped(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string labels(std::initializer_list<std::pair<const char*, std::string_view>> pairs) {
  std::string out;
  for (const auto& [name, value] : pairs)
    out += fmt::format("{}{}=\"{}\"", out.empty() ? "" : ",", name, escaped(value));
  return out;
}

// The bucket bounds the GenAI semantic conventions advise: tokens, and times in ms (rendered in
// seconds: 0.01 to 81.92 for a request, 0.001 to 10 for its first token).
constexpr double kTokenBounds[] = {1,     4,     16,     64,      256,     1024,     4096,
                                   16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864};
constexpr double kOperationBoundsMs[] = {10, 20, 40, 80, 160, 320, 640, 1280, 2560, 5120, 10240, 20480, 40960, 81920};
constexpr double kFirstTokenBoundsMs[] = {1, 5, 10, 20, 40, 60, 80, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000};

// The error_type label of a request's duration (an index into GenAi::duration): the status class,
// absent when the request succeeded.
constexpr std::string_view kErrorTypes[] = {"", "4xx", "5xx", "_OTHER"};
std::size_t error_type_of(int status) {
  if (status >= 500) return 2;
  if (status >= 400) return 1;
  return status == 0 ? 3 : 0;
}

}  // namespace

const std::vector<double> Metrics::kBoundsMs = {1,   2.5,  5,    10,   25,    50,    100,  250,
                                                500, 1000, 2500, 5000, 10000, 30000, 60000};

void Metrics::Histogram::add(double value, std::span<const double> bounds) {
  if (buckets.empty()) buckets.assign(bounds.size(), 0);
  auto bound = std::lower_bound(bounds.begin(), bounds.end(), value);  // the first >= value
  if (bound != bounds.end()) ++buckets[static_cast<std::size_t>(bound - bounds.begin())];
  sum += value;
  ++count;
}

template <class Record>
void Metrics::observe(std::span<const Record> records) {
  std::lock_guard lock(mutex_);
  for (const auto& record : records) observe_one(record);
}

template <class Map>
typename Map::mapped_type& Metrics::entry(Map& map, std::string_view first, std::string_view second) {
  key_.assign(first).push_back('\0');
  key_.append(second);
  auto it = map.find(key_);
  if (it != map.end()) return it->second;
  if (map.size() >= kMaxLabelSets) {  // full: every new model id of this provider counts as "other"
    key_.resize(first.size() + 1);
    key_.append(kOtherModel);
    it = map.find(key_);
    if (it != map.end()) return it->second;
  }
  return map.emplace(key_, typename Map::mapped_type{}).first->second;
}

template <class Record>
void Metrics::observe_one(const Record& r) {
  Served& s = entry(served_, r.provider, r.model);
  ++s.requests[r.status];
  s.tokens[0] += static_cast<double>(r.input_tokens);
  s.tokens[1] += static_cast<double>(r.output_tokens);
  s.tokens[2] += static_cast<double>(r.cache_read_tokens);
  s.tokens[3] += static_cast<double>(r.cache_write_tokens);
  s.tokens[4] += static_cast<double>(r.reasoning_tokens);
  if (r.cost) s.cost += *r.cost;
  s.latency.add(static_cast<double>(r.latency_ms), kBoundsMs);
  if (r.ttft_ms) s.ttft.add(static_cast<double>(*r.ttft_ms), kBoundsMs);
  // The gateway's own share: the request's time less the time spent in upstream attempts.
  if (!r.streamed && !r.attempts.empty()) {
    int64_t upstream = 0;
    for (const auto& a : r.attempts) upstream += a.end_ms - a.start_ms;
    s.overhead.add(static_cast<double>(std::max<int64_t>(0, r.latency_ms - upstream)), kBoundsMs);
  }
  if (!r.provider.empty()) {  // some provider was asked: a GenAI client operation
    GenAi& g = s.gen_ai[static_cast<std::size_t>(gen_ai_operation_of(r.endpoint))];
    const std::size_t error = error_type_of(r.status);
    g.duration[error].add(static_cast<double>(r.latency_ms), kOperationBoundsMs);
    if (error == 0) {
      g.tokens[0].add(static_cast<double>(r.input_tokens), kTokenBounds);
      g.tokens[1].add(static_cast<double>(r.output_tokens), kTokenBounds);
      if (r.streamed && r.ttft_ms) g.first_token.add(static_cast<double>(*r.ttft_ms), kFirstTokenBoundsMs);
    }
  }
  for (const auto& a : r.attempts) ++entry(attempts_, a.provider, a.model_id)[a.success ? 1 : 0];
}

template void Metrics::observe(std::span<const UsageRecord>);
template void Metrics::observe(std::span<const RecordView>);

std::string Metrics::render() const {
  std::string out;
  auto head = [&](const char* name, const char* type, const char* help) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  };
  auto provider_and_model = [](const std::string& k) {  // of a joined_key
    auto zero = k.find('\0');
    return std::pair{std::string_view(k).substr(0, zero), std::string_view(k).substr(zero + 1)};
  };
  auto served_labels = [&](const std::string& k) {
    auto [provider, model] = provider_and_model(k);
    return labels({{"provider", provider}, {"model", model}});
  };
  // The GenAI families' labels, and `extra` unless its value is empty.
  auto gen_ai_labels = [&](const std::string& k, std::size_t operation,
                           std::pair<const char*, std::string_view> extra = {"", ""}) {
    auto [provider, model] = provider_and_model(k);
    std::string text = labels({{"gen_ai_operation_name", to_string(static_cast<GenAiOperation>(operation))},
                               {"gen_ai_provider_name", provider},
                               {"gen_ai_request_model", model}});
    if (!extra.second.empty()) text += "," + labels({extra});
    return text;
  };
  // Observations in the unit of `bounds`, rendered divided by `scale` (ms as seconds).
  auto histogram = [&](std::string_view name, const std::string& label, const Histogram& h,
                       std::span<const double> bounds = kBoundsMs, double scale = 1000) {
    if (h.count == 0) return;
    uint64_t up_to = 0;  // Prometheus buckets count every observation up to their bound
    for (std::size_t i = 0; i < bounds.size(); ++i)
      out += fmt::format("{}_bucket{{{},le=\"{}\"}} {}\n", name, label, bounds[i] / scale, up_to += h.buckets[i]);
    out += fmt::format("{}_bucket{{{},le=\"+Inf\"}} {}\n{}_sum{{{}}} {}\n{}_count{{{}}} {}\n", name, label, h.count,
                       name, label, h.sum / scale, name, label, h.count);
  };
  {
    std::lock_guard lock(mutex_);
    head("switchyard_requests_total", "counter",
         "Requests answered, by the provider and model that served and the status sent.");
    for (const auto& [k, s] : served_)
      for (const auto& [status, n] : s.requests)
        out += fmt::format("switchyard_requests_total{{{},status=\"{}\"}} {}\n", served_labels(k), status, n);
    head("switchyard_attempts_total", "counter", "Upstream attempts, by provider, model id and outcome.");
    for (const auto& [k, n] : attempts_)
      for (int outcome : {1, 0})
        if (n[outcome])
          out += fmt::format("switchyard_attempts_total{{{},outcome=\"{}\"}} {}\n", served_labels(k),
                             outcome ? "success" : "failure", n[outcome]);
    head("switchyard_tokens_total", "counter", "Tokens by provider, model and kind.");
    static constexpr const char* kKinds[] = {"input", "output", "cache_read", "cache_write", "reasoning"};
    for (const auto& [k, s] : served_)
      for (int i = 0; i < 5; ++i)
        out += fmt::format("switchyard_tokens_total{{{},kind=\"{}\"}} {}\n", served_labels(k), kKinds[i], s.tokens[i]);
    head("switchyard_cost_usd_total", "counter", "Cost at list price in USD (priced models only).");
    for (const auto& [k, s] : served_)
      out += fmt::format("switchyard_cost_usd_total{{{}}} {}\n", served_labels(k), s.cost);
    head("switchyard_request_duration_seconds", "histogram", "Time from request to the end of the answer.");
    for (const auto& [k, s] : served_) histogram("switchyard_request_duration_seconds", served_labels(k), s.latency);
    head("switchyard_time_to_first_token_seconds", "histogram",
         "Time from request to the first byte of the answer body.");
    for (const auto& [k, s] : served_) histogram("switchyard_time_to_first_token_seconds", served_labels(k), s.ttft);
    head("switchyard_gateway_overhead_seconds", "histogram",
         "Non-streaming requests: time not spent waiting on upstreams.");
    for (const auto& [k, s] : served_) histogram("switchyard_gateway_overhead_seconds", served_labels(k), s.overhead);

    head("gen_ai_client_token_usage", "histogram",
         "GenAI semantic conventions: tokens per successful request, by operation, provider, model id and type.");
    for (const auto& [k, s] : served_)
      for (std::size_t op = 0; op < kGenAiOperations; ++op)
        for (std::size_t type = 0; type < 2; ++type)
          histogram("gen_ai_client_token_usage", gen_ai_labels(k, op, {"gen_ai_token_type", type ? "output" : "input"}),
                    s.gen_ai[op].tokens[type], kTokenBounds, 1);
    head("gen_ai_client_operation_duration_seconds", "histogram",
         "GenAI semantic conventions: request duration, by operation, provider, model id and error class.");
    for (const auto& [k, s] : served_)
      for (std::size_t op = 0; op < kGenAiOperations; ++op)
        for (std::size_t error = 0; error < std::size(kErrorTypes); ++error)
          histogram("gen_ai_client_operation_duration_seconds",
                    gen_ai_labels(k, op, {"error_type", kErrorTypes[error]}), s.gen_ai[op].duration[error],
                    kOperationBoundsMs);
    head("gen_ai_server_time_to_first_token_seconds", "histogram",
         "GenAI semantic conventions: time to the first byte of successful streamed answers.");
    for (const auto& [k, s] : served_)
      for (std::size_t op = 0; op < kGenAiOperations; ++op)
        histogram("gen_ai_server_time_to_first_token_seconds", gen_ai_labels(k, op), s.gen_ai[op].first_token,
                  kFirstTokenBoundsMs);
  }
  auto gauge = [&](const char* name, const char* type, const char* help, auto value) {
    head(name, type, help);
    out += fmt::format("{} {}\n", name, value);
  };
  gauge("switchyard_record_queue_depth", "gauge", "Records the writer took at its last flush and has not stored yet.",
        queue_depth_.load());
  gauge("switchyard_journal_records", "gauge", "Records in the local journal, waiting for the store.",
        journal_records_.load());
  gauge("switchyard_records_stored_total", "counter", "Records written to the store.", stored_.load());
  gauge("switchyard_records_unstorable_total", "counter", "Records that could be neither stored nor journaled.",
        unstorable_.load());
  return out;
}

}  // namespace switchyard
