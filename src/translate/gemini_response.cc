#include "translate/gemini_response.h"

#include <boost/json.hpp>

#include "translate/errors.h"
#include "translate/json_fields.h"
#include "translate/json_parse.h"

namespace switchyard {
namespace json = boost::json;
using json_fields::string_field;

std::string finish_reason_from_gemini(std::string_view reason, bool called_tools) {
  if (reason == "MAX_TOKENS") return "length";
  if (reason == "SAFETY" || reason == "RECITATION" || reason == "BLOCKLIST" || reason == "PROHIBITED_CONTENT" ||
      reason == "SPII" || reason == "IMAGE_SAFETY")
    return "content_filter";
  return called_tools ? "tool_calls" : "stop";
}

namespace {

// One response's first candidate: its parts, fed to the callbacks in order.
struct CandidateView {
  json::array parts;
  std::string finish;
  std::optional<json::object> logprobs;  // logprobsResult, when the request asked for it
};

std::optional<CandidateView> candidate_at(const json::object& response, std::size_t index);
std::optional<CandidateView> first_candidate(const json::object& response) { return candidate_at(response, 0); }

// Gemini's logprobsResult as OpenAI's choice logprobs: each chosen token with its log
// probability, and the top alternatives at that position.
json::object openai_logprobs(const json::object& result) {
  static const json::object none;
  auto entry = [](const json::value& candidate) {
    const json::object& c = candidate.is_object() ? candidate.get_object() : none;
    return json::object{{"token", string_field(c, "token")},
                        {"logprob", json_fields::member_or(c, "logProbability", 0.0)},
                        {"bytes", nullptr}};
  };
  const json::value* chosen = result.if_contains("chosenCandidates");
  const json::value* top = result.if_contains("topCandidates");
  json::array content;
  if (chosen && chosen->is_array())
    for (std::size_t i = 0; i < chosen->get_array().size(); ++i) {
      json::object token = entry(chosen->get_array()[i]);
      json::array alternatives;
      if (top && top->is_array() && i < top->get_array().size() && top->get_array()[i].is_object())
        if (auto* list = top->get_array()[i].get_object().if_contains("candidates"); list && list->is_array())
          for (const auto& alternative : list->get_array()) alternatives.push_back(entry(alternative));
      token["top_logprobs"] = std::move(alternatives);
      content.push_back(std::move(token));
    }
  return {{"content", std::move(content)}, {"refusal", nullptr}};
}

// The candidate at `index` (a request with candidateCount gets several), or nullopt.
std::optional<CandidateView> candidate_at(const json::object& response, std::size_t index) {
  auto* candidates = response.if_contains("candidates");
  if (!candidates || !candidates->is_array() || candidates->get_array().size() <= index) return std::nullopt;
  const auto& candidate = candidates->get_array()[index];
  if (!candidate.is_object()) return std::nullopt;
  CandidateView view;
  if (auto* logprobs = candidate.get_object().if_contains("logprobsResult"); logprobs && logprobs->is_object())
    view.logprobs = logprobs->get_object();
  view.finish = std::string(string_field(candidate.get_object(), "finishReason"));
  if (auto* content = candidate.get_object().if_contains("content"); content && content->is_object())
    if (auto* parts = content->get_object().if_contains("parts"); parts && parts->is_array())
      view.parts = parts->get_array();
  return view;
}

// A functionCall part as a tool call, with the part's thoughtSignature.
ToolCallOut tool_call(const json::object& part, const json::object& call, int index) {
  std::string id = std::string(string_field(call, "id"));
  return ToolCallOut{id.empty() ? "call_" + std::to_string(index) : id, std::string(string_field(call, "name")),
                     serialize_json(json_fields::member_or(call, "args", json::object{})),
                     std::string(string_field(part, "thoughtSignature"))};
}

class GeminiStream final : public StreamTranslator {
 public:
  GeminiStream(int64_t created, bool include_usage)
      : writer_("", "", created), created_(created), include_usage_(include_usage) {}

  std::optional<Error> on_event(const SseEvent& event, std::string& out) override {
    auto parsed = answer_object(event.data, "an event is not a JSON object");
    if (auto* error = std::get_if<Error>(&parsed)) return *error;
    const auto& response = std::get<json::object>(parsed);
    if (auto* error = response.if_contains("error"); error && error->is_object())
      return provider_stream_error(response);
    if (!started_) {
      writer_ = ChunkWriter(std::string(string_field(response, "responseId")),
                            std::string(string_field(response, "modelVersion")), created_);
      writer_.role(out);
      started_ = true;
    }
    if (auto* usage = response.if_contains("usageMetadata"); usage && usage->is_object())
      usage_ = usage_from_gemini(usage->get_object());
    auto candidate = first_candidate(response);
    if (!candidate) return std::nullopt;
    for (const auto& p : candidate->parts) {
      if (!p.is_object()) continue;
      const auto& part = p.get_object();
      if (auto* call = part.if_contains("functionCall"); call && call->is_object()) {
        ToolCallOut out_call = tool_call(part, call->get_object(), tools_);
        writer_.tool_call_start(out, tools_, out_call.id, out_call.name, out_call.thought_signature);
        writer_.tool_call_arguments(out, tools_++, out_call.arguments);
      } else if (auto* thought = part.if_contains("thought"); thought && thought->is_bool() && thought->get_bool()) {
        writer_.reasoning(out, std::string(string_field(part, "text")));
      } else {
        writer_.text(out, std::string(string_field(part, "text")));
      }
    }
    if (!candidate->finish.empty()) finish_ = candidate->finish;
    return std::nullopt;
  }

  std::optional<Error> on_end(std::string& out) override {
    // Gemini has no closing event: the end of the body is the end, complete only with a finishReason.
    if (finish_.empty())
      return make_error(ErrorKind::upstream_failed, "the provider's stream ended without a finishReason");
    writer_.finish(out, finish_reason_from_gemini(finish_, tools_ > 0));
    if (include_usage_) writer_.usage(out, usage_);
    ChunkWriter::done(out);
    return std::nullopt;
  }

 private:
  ChunkWriter writer_;
  int64_t created_ = 0;
  bool include_usage_;
  bool started_ = false;
  TokenUsage usage_;
  std::string finish_;
  int tools_ = 0;
};

}  // namespace

TokenUsage usage_from_gemini(const json::object& usage) {
  auto count = [&](std::string_view key) { return json_fields::token_count(usage, key).value_or(0); };
  TokenUsage u;
  u.input = count("promptTokenCount");
  u.cache_read = count("cachedContentTokenCount");
  u.reasoning = count("thoughtsTokenCount");
  u.output = count("candidatesTokenCount") + u.reasoning;
  return u;
}

namespace {

// One candidate's parts as the message of `out` (text, reasoning, tool calls) and its finish reason.
void fill_choice(const CandidateView& candidate, CompletionOut& out) {
  out.content.reset();
  out.reasoning.clear();
  out.tool_calls.clear();
  std::string text;
  bool has_text = false;
  for (const auto& p : candidate.parts) {
    if (!p.is_object()) continue;
    const auto& part = p.get_object();
    if (auto* call = part.if_contains("functionCall"); call && call->is_object()) {
      out.tool_calls.push_back(tool_call(part, call->get_object(), static_cast<int>(out.tool_calls.size())));
    } else if (auto* thought = part.if_contains("thought"); thought && thought->is_bool() && thought->get_bool()) {
      out.reasoning += std::string(string_field(part, "text"));
    } else if (part.contains("text")) {
      text += std::string(string_field(part, "text"));
      has_text = true;
    }
  }
  if (has_text || out.tool_calls.empty()) out.content = std::move(text);
  out.finish_reason = finish_reason_from_gemini(candidate.finish, !out.tool_calls.empty());
  out.logprobs = candidate.logprobs ? json::value(openai_logprobs(*candidate.logprobs)) : json::value(nullptr);
}

}  // namespace

std::variant<std::string, Error> openai_response_from_gemini(std::string_view body, int64_t created) {
  auto parsed = answer_object(body, "not a JSON object");
  if (auto* error = std::get_if<Error>(&parsed)) return *error;
  const auto& response = std::get<json::object>(parsed);
  CompletionOut out;
  out.id = std::string(string_field(response, "responseId"));
  out.model = std::string(string_field(response, "modelVersion"));
  out.created = created;
  if (auto* usage = response.if_contains("usageMetadata"); usage && usage->is_object())
    out.usage = usage_from_gemini(usage->get_object());

  auto candidate = first_candidate(response);
  if (!candidate) {  // the prompt itself was blocked
    out.content = "";
    out.finish_reason = "content_filter";
    return completion_body(out);
  }
  // One choice per candidate (a request with n > 1 asked for candidateCount), each with its
  // logprobs when they were asked for.
  fill_choice(*candidate, out);
  json::array more;
  for (std::size_t index = 1; auto other = candidate_at(response, index); ++index) {
    CompletionOut each = out;
    fill_choice(*other, each);
    more.push_back(completion_choice(each, index));
  }
  return completion_body(out, std::move(more));
}

std::unique_ptr<StreamTranslator> openai_stream_from_gemini(int64_t created, bool include_usage) {
  return std::make_unique<GeminiStream>(created, include_usage);
}

std::variant<std::string, Error> openai_embeddings_from_gemini(std::string_view batch_body, std::string_view model) {
  auto parsed = answer_object(batch_body, "not a JSON object");
  if (auto* error = std::get_if<Error>(&parsed)) return *error;
  const auto& answer = std::get<json::object>(parsed);
  const json::value* embeddings = answer.if_contains("embeddings");
  if (!embeddings || !embeddings->is_array()) return malformed_answer("no embeddings");
  json::array data;
  for (const auto& embedding : embeddings->get_array()) {
    const json::object* fields = embedding.if_object();
    const json::array* values = fields ? json_fields::number_array(fields->if_contains("values")) : nullptr;
    if (!values) return malformed_answer("an embedding is not a list of numbers");
    data.push_back(json::object{{"object", "embedding"}, {"index", data.size()}, {"embedding", *values}});
  }
  const json::object& usage = json_fields::object_field(answer, "usageMetadata");
  int64_t prompt = json_fields::token_count(usage, "promptTokenCount").value_or(0);
  int64_t total = json_fields::token_count(usage, "totalTokenCount").value_or(0);
  return serialize_json(json::object{{"object", "list"},
                                     {"data", std::move(data)},
                                     {"model", model},
                                     {"usage", {{"prompt_tokens", prompt}, {"total_tokens", total ? total : prompt}}}});
}

}  // namespace switchyard
