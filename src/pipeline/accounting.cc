#include "pipeline/accounting.h"

#include "core/calendar.h"
#include "core/prices.h"
#include "routing/strategy.h"
#include "translate/client_text.h"
#include "translate/sse_events.h"

#include <fmt/format.h>

namespace switchyard {
namespace {

std::vector<std::string> split_tags(std::string_view text) {
  std::vector<std::string> tags;
  while (!text.empty()) {
    auto comma = text.find(',');
    std::string_view tag = text.substr(0, comma);
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    if (!tag.empty()) tags.emplace_back(tag);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return tags;
}

// Cost of what is known of the answer; nullopt when unpriced or no usage came.
std::optional<double> cost_of(const AnswerFacts& facts, const std::optional<Price>& price) {
  if (!price || !facts.usage) return std::nullopt;
  const TokenUsage& u = *facts.usage;
  return cost_usd(*price, TokenCounts{u.input, u.output, u.cache_read, u.cache_write});
}

int64_t ms_between(std::chrono::steady_clock::time_point from, std::chrono::steady_clock::time_point to) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count();
}

}  // namespace

std::optional<Error> begin_metering(RequestContext& context, const http::request_header<>& headers,
                                    const RequestView& view) {
  std::string_view use_case = headers["x-switchyard-use-case"];
  if (auto error = check_client_text(use_case, "x-switchyard-use-case", kMaxUseCaseBytes)) return error;
  std::vector<std::string> tags = view.gateway.tags;
  for (auto& tag : split_tags(headers["x-switchyard-tags"])) {
    if (auto error = check_client_text(tag, "x-switchyard-tags", kMaxTagBytes)) return error;
    tags.push_back(std::move(tag));
  }
  if (tags.size() > kMaxTags)
    return make_error(ErrorKind::bad_request, fmt::format("a request may carry at most {} tags", kMaxTags),
                      "x-switchyard-tags");
  context.metered = true;
  context.requested_model = view.model;
  context.streamed = view.stream;
  // The request's own user, else the key's.
  context.user = !view.gateway.user.empty() || !context.client.key ? view.gateway.user : context.client.key->user;
  context.tags = std::move(tags);
  context.use_case = use_case;
  return std::nullopt;
}

std::optional<Price> serving_price(const Config& config, const Candidate& candidate) {
  if (auto model = config.models.find(candidate.model_id); model != config.models.end())
    for (const auto& route : model->second.routes)
      if (route.provider == candidate.provider->name && route.model == candidate.upstream_model)
        if (const auto& price = route_price(model->second, route)) return price;
  if (!config.prices) return std::nullopt;
  return config.prices->find(candidate.provider->name, candidate.upstream_model, today());
}

bool meter_answer(RequestContext& context, std::string& body, AnswerFormat format, const std::optional<Price>& price) {
  auto scan = scan_answer(format, body);
  if (!scan) return false;
  fold_event(format, *scan, context.facts);
  context.cost = cost_of(context.facts, price);
  if (format == AnswerFormat::anthropic) scan->id_length = 0;  // Anthropic keeps its message id
  body = stamp_answer(body, *scan, context.id, context.cost);
  if (context.keep_answer) context.keep_answer(context, body);
  return true;
}

void StreamMeter::process(std::string_view events, std::string& out) {
  // Read only: Anthropic and Gemini clients get the events as they are (their usage has no cost
  // field, their ids are the provider's).
  if (format_ == AnswerFormat::anthropic || format_ == AnswerFormat::gemini) {
    for (const auto& event : parse_sse_events(events))
      if (auto scan = scan_answer(format_, event.data)) fold_event(format_, *scan, context_.facts);
    out.append(events);
    return;
  }
  for (const auto& event : parse_sse_events(events)) {
    auto scan = event.data == "[DONE]" ? std::nullopt : scan_answer(format_, event.data);
    if (!scan) {
      append_sse_event(out, event.name, event.data);
      continue;
    }
    fold_event(format_, *scan, context_.facts);
    if (scan->usage) {
      context_.cost = cost_of(context_.facts, price_);
      // The gateway asked for this usage for its own accounting: a chunk that carries nothing
      // else is dropped; one that also carries content keeps it (some hosts put usage on the last
      // content chunk).
      if (!client_wants_usage_ && !scan->has_choices) continue;
    }
    std::string stamped = stamp_answer(event.data, *scan, context_.id, context_.cost, !client_wants_usage_);
    if (context_.keep_answer && (event.name == "response.completed" || event.name == "response.incomplete"))
      context_.keep_answer(context_, stamped);
    append_sse_event(out, event.name, stamped);  // Responses events are named; others not
  }
}

namespace {

class MeteringStage final : public StreamTranslator {
 public:
  explicit MeteringStage(StreamMeter& meter) : meter_(meter) {}
  std::optional<Error> on_event(const SseEvent& event, std::string& out) override {
    event_.clear();
    append_sse_event(event_, event.name, event.data);
    meter_.process(event_, out);
    return std::nullopt;
  }
  std::optional<Error> on_end(std::string&) override { return std::nullopt; }

 private:
  StreamMeter& meter_;
  std::string event_;
};

}  // namespace

std::unique_ptr<StreamTranslator> metering_stage(StreamMeter& meter) { return std::make_unique<MeteringStage>(meter); }

void note_rejection(RequestContext& context, const Error& error, std::string_view requested_model) {
  context.metered = true;
  context.rejection = error;
  if (!requested_model.empty()) context.requested_model = requested_model;
}

void view_record(const RequestContext& context, const Exchange& exchange, RecordView& r, std::string& scratch) {
  r.id = context.id;
  r.created_ms = context.unix_ms(context.start);
  r.team = context.client.team;
  r.key_id = context.client.key_id;
  r.user = context.user;
  r.use_case = context.use_case;
  r.endpoint = context.endpoint;
  r.tags.assign(context.tags.begin(), context.tags.end());
  r.model_requested = context.requested_model;
  r.streamed = context.streamed;
  r.finish_reason = context.facts.finish_reason;
  const TokenUsage none;
  const TokenUsage& u = context.facts.usage ? *context.facts.usage : none;
  r.input_tokens = u.input;
  r.output_tokens = u.output;
  r.cache_read_tokens = u.cache_read;
  r.cache_write_tokens = u.cache_write;
  r.reasoning_tokens = u.reasoning;
  r.cost = context.cost;
  r.byok = context.byok;
  r.cache_hit = context.cache_hit;
  r.saved_cost = context.saved_cost;
  auto now = std::chrono::steady_clock::now();
  auto first = exchange.first_data_at();
  r.latency_ms = ms_between(context.start, now);
  r.status = static_cast<int>(exchange.status());
  // Time to first token: of answers only (an error's first byte is no token).
  r.ttft_ms = first && r.status < 400 ? std::optional<int64_t>(ms_between(context.start, *first)) : std::nullopt;
  r.attempts.resize(context.attempts.size());
  for (std::size_t i = 0; i < context.attempts.size(); ++i) {
    const Attempt& attempt = context.attempts[i];
    AttemptView& a = r.attempts[i];
    a.provider = attempt.provider;
    a.model = attempt.upstream_model;
    a.model_id = attempt.model_id;
    a.success = !attempt.error && attempt.status > 0 && attempt.status < 300;
    a.status = attempt.status;
    a.error = attempt.error ? std::string_view(attempt.error->message) : std::string_view();
    a.start_ms = context.unix_ms(attempt.start);
    a.end_ms = context.unix_ms(attempt.end == std::chrono::steady_clock::time_point{} ? now : attempt.end);
    a.continued_at = attempt.continued_at;
  }
  const Attempt* last = context.attempts.empty() ? nullptr : &context.attempts.back();
  r.provider = last ? last->provider : std::string_view();
  r.model = last ? last->model_id : std::string_view();
  r.upstream_model = last ? last->upstream_model : std::string_view();
  r.error = last && last->error ? std::string_view(last->error->message)
            : context.rejection ? std::string_view(context.rejection->message)
                                : std::string_view();
  // A client that left before any answer was sent: nginx's 499, as the error says.
  if (r.status == 0 && last && last->error && last->error->kind == ErrorKind::cancelled) r.status = 499;
  if (r.status >= 400 && r.error.empty()) r.error = scratch = "HTTP " + std::to_string(r.status);
}

}  // namespace switchyard
