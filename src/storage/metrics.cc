#include "storage/metrics.h"

#include <fmt/format.h>

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
  for (const auto& [name, value] : pairs) out += fmt::format("{}{}=\"{}\"", out.empty() ? "" : ",", name, escaped(value));
  return out;
}

}  // namespace

const std::vector<double> Metrics::kBoundsMs = {1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000};

void Metrics::Histogram::add(double ms) {
  if (buckets.empty()) buckets.assign(kBoundsMs.size(), 0);
  for (std::size_t i = 0; i < kBoundsMs.size(); ++i)
    if (ms <= kBoundsMs[i]) ++buckets[i];
  sum += ms;
  ++count;
}

void Metrics::observe(const UsageRecord& r) {
  std::lock_guard lock(mutex_);
  std::string status = std::to_string(r.status);
  requests_[labels({{"provider", r.provider}, {"model", r.model}, {"status", status}})] += 1;
  for (const auto& a : r.attempts)
    attempts_[labels({{"provider", a.provider}, {"model", a.model_id}, {"outcome", a.success ? "success" : "failure"}})] += 1;
  auto served = labels({{"provider", r.provider}, {"model", r.model}});
  tokens_[labels({{"provider", r.provider}, {"model", r.model}, {"kind", "input"}})] += static_cast<double>(r.input_tokens);
  tokens_[labels({{"provider", r.provider}, {"model", r.model}, {"kind", "output"}})] += static_cast<double>(r.output_tokens);
  tokens_[labels({{"provider", r.provider}, {"model", r.model}, {"kind", "cache_read"}})] += static_cast<double>(r.cache_read_tokens);
  tokens_[labels({{"provider", r.provider}, {"model", r.model}, {"kind", "cache_write"}})] += static_cast<double>(r.cache_write_tokens);
  tokens_[labels({{"provider", r.provider}, {"model", r.model}, {"kind", "reasoning"}})] += static_cast<double>(r.reasoning_tokens);
  if (r.cost) cost_[served] += *r.cost;
  latency_[served].add(static_cast<double>(r.latency_ms));
  if (r.ttft_ms) ttft_[served].add(static_cast<double>(*r.ttft_ms));
  // The gateway's own share: the request's time less the time spent in upstream attempts.
  if (!r.streamed && !r.attempts.empty()) {
    int64_t upstream = 0;
    for (const auto& a : r.attempts) upstream += a.end_ms - a.start_ms;
    overhead_[served].add(static_cast<double>(std::max<int64_t>(0, r.latency_ms - upstream)));
  }
}

std::string Metrics::render() const {
  std::string out;
  auto family = [&](const char* name, const char* type, const char* help, const std::map<std::string, double>& values) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
    for (const auto& [label, value] : values) out += fmt::format("{}{{{}}} {}\n", name, label, value);
  };
  auto histograms = [&](const char* name, const char* help, const std::map<std::string, Histogram>& values) {
    out += fmt::format("# HELP {} {}\n# TYPE {} histogram\n", name, help, name);
    for (const auto& [label, h] : values) {
      for (std::size_t i = 0; i < kBoundsMs.size(); ++i)
        out += fmt::format("{}_bucket{{{},le=\"{}\"}} {}\n", name, label, kBoundsMs[i] / 1000, h.buckets[i]);
      out += fmt::format("{}_bucket{{{},le=\"+Inf\"}} {}\n{}_sum{{{}}} {}\n{}_count{{{}}} {}\n", name, label, h.count, name,
                         label, h.sum / 1000, name, label, h.count);
    }
  };
  {
    std::lock_guard lock(mutex_);
    family("switchyard_requests_total", "counter", "Requests answered, by the provider and model that served and the status sent.", requests_);
    family("switchyard_attempts_total", "counter", "Upstream attempts, by provider, model id and outcome.", attempts_);
    family("switchyard_tokens_total", "counter", "Tokens by provider, model and kind.", tokens_);
    family("switchyard_cost_usd_total", "counter", "Cost at list price in USD (priced models only).", cost_);
    histograms("switchyard_request_duration_seconds", "Time from request to the end of the answer.", latency_);
    histograms("switchyard_time_to_first_token_seconds", "Time from request to the first byte of the answer body.", ttft_);
    histograms("switchyard_gateway_overhead_seconds", "Non-streaming requests: time not spent waiting on upstreams.", overhead_);
  }
  out += fmt::format("# HELP switchyard_record_queue_depth Records waiting for the writer.\n# TYPE switchyard_record_queue_depth gauge\n"
                     "switchyard_record_queue_depth {}\n", queue_depth_.load());
  out += fmt::format("# HELP switchyard_journal_records Records in the local journal, waiting for the store.\n"
                     "# TYPE switchyard_journal_records gauge\nswitchyard_journal_records {}\n", journal_records_.load());
  out += fmt::format("# HELP switchyard_records_stored_total Records written to the store.\n"
                     "# TYPE switchyard_records_stored_total counter\nswitchyard_records_stored_total {}\n", stored_.load());
  out += fmt::format("# HELP switchyard_records_unstorable_total Records that could be neither stored nor journaled.\n"
                     "# TYPE switchyard_records_unstorable_total counter\nswitchyard_records_unstorable_total {}\n",
                     unstorable_.load());
  return out;
}

}  // namespace switchyard
