// The Gemini generateContent wire format, as generativelanguage.googleapis.com speaks it.
#include <fmt/format.h>
#include <algorithm>
#include <boost/json.hpp>

#include "sim/wire_format.h"

namespace switchyard::sim {
namespace json = boost::json;
namespace {

class GeminiWire final : public WireFormat {
 public:
  Prompt read_prompt(const json::object& body) const override {
    Prompt p;
    json::object config = object_at(body, "generationConfig");
    if (auto* n = config.if_contains("candidateCount"); n && n->is_int64())
      p.choices = static_cast<int>(n->get_int64());
    if (auto* logprobs = config.if_contains("responseLogprobs"); logprobs && logprobs->is_bool())
      p.logprobs = logprobs->get_bool();
    if (auto* system = body.if_contains("systemInstruction"); system && system->is_object())
      p.prompt_chars += parts_text(system->get_object()).size();
    const json::value* contents = body.if_contains("contents");
    if (!contents || !contents->is_array() || contents->get_array().empty())
      throw BadRequest{"* GenerateContentRequest.contents: contents is not specified"};
    for (const auto& c : contents->get_array()) {
      if (!c.is_object()) throw BadRequest{"* GenerateContentRequest.contents: each content must be an object"};
      const auto& content = c.get_object();
      std::string role = string_at(content, "role", "user");
      std::string text = parts_text(content);
      p.prompt_chars += text.size();
      p.answering_tool_result = false;
      if (auto* parts = content.if_contains("parts"); parts && parts->is_array())
        for (const auto& part : parts->get_array()) {
          if (part.is_object() && part.get_object().contains("functionCall") &&
              !part.get_object().contains("thoughtSignature"))
            p.unsigned_call = true;
          if (part.is_object() && part.get_object().contains("functionResponse")) {
            p.answering_tool_result = true;
            p.tool_result_text =
                json::serialize(object_at(object_at(part.get_object(), "functionResponse"), "response"));
            p.prompt_chars += p.tool_result_text.size();
          }
        }
      if (role == "user" && !p.answering_tool_result) p.last_user_text = text;
      p.prefill = role == "model" ? text : "";
    }
    p.max_output_tokens = count_at(config, "maxOutputTokens");
    if (auto* tools = body.if_contains("tools"); tools && tools->is_array())
      for (const auto& tool : tools->get_array())
        if (auto* decls = tool.is_object() ? tool.get_object().if_contains("functionDeclarations") : nullptr;
            decls && decls->is_array())
          for (const auto& d : decls->get_array()) {
            if (!d.is_object() || !d.get_object().contains("name") || !d.get_object().at("name").is_string())
              throw BadRequest{"* GenerateContentRequest.tools: function declaration needs a name"};
            p.tools.push_back(Tool{std::string(d.get_object().at("name").get_string()),
                                   // @ai-sdk/google sends JSON Schema as parametersJsonSchema
                                   d.get_object().contains("parameters")
                                       ? object_at(d.get_object(), "parameters")
                                       : object_at(d.get_object(), "parametersJsonSchema")});
          }
    json::object calling = object_at(object_at(body, "toolConfig"), "functionCallingConfig");
    if (calling.contains("mode") && calling.at("mode") == "NONE") p.tools_allowed = false;
    if (calling.contains("mode") && calling.at("mode") == "ANY") p.tool_required = true;
    if (auto* names = calling.if_contains("allowedFunctionNames");
        names && names->is_array() && !names->get_array().empty() && names->get_array().front().is_string())
      p.forced_tool = names->get_array().front().get_string();
    return p;
  }

  static std::string parts_text(const json::object& content) {
    std::string out;
    if (auto* parts = content.if_contains("parts"); parts && parts->is_array())
      for (const auto& part : parts->get_array())
        if (part.is_object())
          if (auto* text = part.get_object().if_contains("text"); text && text->is_string()) out += text->get_string();
    return out;
  }

  static json::object usage(const Answer& a, bool final) {
    json::object u{{"promptTokenCount", a.prompt_tokens}};
    if (final) u["candidatesTokenCount"] = a.completion_tokens;
    u["totalTokenCount"] = a.prompt_tokens + (final ? a.completion_tokens : 0);
    u["promptTokensDetails"] = json::array{json::object{{"modality", "TEXT"}, {"tokenCount", a.prompt_tokens}}};
    return u;
  }

  static json::object response(json::array parts, const char* finish, const json::object& usage_metadata,
                               const ReplyMeta& meta) {
    json::object candidate{{"content", {{"parts", std::move(parts)}, {"role", "model"}}}, {"index", 0}};
    if (finish) candidate["finishReason"] = finish;
    return {{"candidates", json::array{std::move(candidate)}},
            {"usageMetadata", usage_metadata},
            {"modelVersion", meta.model},
            {"responseId", meta.id}};
  }

  static json::array answer_parts(const Answer& a) {
    if (a.tool_call)
      return {json::object{
          {"functionCall", {{"name", a.tool_call->name}, {"args", json::parse(a.tool_call->arguments_json)}}},
          {"thoughtSignature", "c2ltLXNpZ25hdHVyZQ=="}}};  // as Gemini 2.5 and 3 sign their function calls
    return {json::object{{"text", a.text()}}};
  }

  static const char* finish_reason(Finish finish) { return finish == Finish::length ? "MAX_TOKENS" : "STOP"; }

  std::string reply(const Answer& a, const ReplyMeta& meta) const override {
    json::object body = response(answer_parts(a), finish_reason(a.finish), usage(a, true), meta);
    json::array& candidates = body["candidates"].as_array();
    if (a.logprobs) {
      json::array chosen, top;
      for (std::size_t i = 0; i < a.pieces.size(); ++i) {
        json::object token{{"token", a.pieces[i]}, {"logProbability", -0.25 * static_cast<double>(i + 1)}};
        chosen.push_back(token);
        top.push_back(json::object{{"candidates", json::array{token}}});
      }
      candidates[0].as_object()["logprobsResult"] =
          json::object{{"topCandidates", std::move(top)}, {"chosenCandidates", std::move(chosen)}};
    }
    for (int i = 1; i < a.choices; ++i) {
      json::object candidate = candidates[0].as_object();
      candidate["index"] = i;
      candidates.push_back(std::move(candidate));
    }
    return json::serialize(body);
  }

  std::vector<std::string> stream(const Answer& a, const ReplyMeta& meta) const override {
    auto event = [](const json::object& data) { return "data: " + json::serialize(data) + "\r\n\r\n"; };
    std::vector<std::string> ticks;
    if (a.tool_call) {  // Gemini sends a function call whole, in one chunk
      ticks.push_back(event(response(answer_parts(a), finish_reason(a.finish), usage(a, true), meta)));
      return ticks;
    }
    // Each token in a chunk of its own; an empty answer (a prefill already complete) in one empty chunk.
    std::size_t chunks = std::max<std::size_t>(1, a.pieces.size());
    for (std::size_t i = 0; i < chunks; ++i) {
      bool last = i + 1 == chunks;
      std::string text = i < a.pieces.size() ? a.pieces[i] : "";
      ticks.push_back(event(response(json::array{json::object{{"text", std::move(text)}}},
                                     last ? finish_reason(a.finish) : nullptr, usage(a, last), meta)));
    }
    return ticks;
  }

  std::string error_body(int status, std::string_view message) const override {
    const char* state = "INTERNAL";
    switch (status) {
      case 400: state = "INVALID_ARGUMENT"; break;
      case 401: state = "UNAUTHENTICATED"; break;
      case 403: state = "PERMISSION_DENIED"; break;
      case 404: state = "NOT_FOUND"; break;
      case 429: state = "RESOURCE_EXHAUSTED"; break;
      case 503: state = "UNAVAILABLE"; break;
      case 504: state = "DEADLINE_EXCEEDED"; break;
    }
    return json::serialize(json::object{{"error", {{"code", status}, {"message", message}, {"status", state}}}});
  }

  std::string context_overflow_body(int tokens, int limit) const override {
    return error_body(400, fmt::format("The input token count ({}) exceeds the maximum number of tokens allowed ({}).",
                                       tokens, limit));
  }

  std::string policy_refusal_body() const override {
    return error_body(400, "The request was blocked by safety filters: blockReason PROHIBITED_CONTENT.");
  }
};

}  // namespace

const WireFormat& gemini_wire() {
  static const GeminiWire wire;
  return wire;
}

}  // namespace switchyard::sim
