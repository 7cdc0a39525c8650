// The OpenAI Chat Completions wire format, as api.openai.com speaks it.
#include <fmt/format.h>
#include <algorithm>
#include <boost/json.hpp>

#include "sim/wire_format.h"

namespace switchyard::sim {
namespace json = boost::json;
namespace {

const char* finish_reason(Finish finish) {
  switch (finish) {
    case Finish::stop: return "stop";
    case Finish::length: return "length";
    case Finish::tool_calls: return "tool_calls";
  }
  return "stop";
}

json::object usage(const Answer& a) {
  return {{"prompt_tokens", a.prompt_tokens},
          {"completion_tokens", a.completion_tokens},
          {"total_tokens", a.prompt_tokens + a.completion_tokens},
          {"prompt_tokens_details", {{"cached_tokens", 0}, {"audio_tokens", 0}}},
          {"completion_tokens_details",
           {{"reasoning_tokens", 0},
            {"audio_tokens", 0},
            {"accepted_prediction_tokens", 0},
            {"rejected_prediction_tokens", 0}}}};
}

class OpenAIWire final : public WireFormat {
 public:
  Prompt read_prompt(const json::object& body) const override {
    Prompt p;
    if (auto* n = body.if_contains("n"); n && n->is_int64()) p.choices = static_cast<int>(n->get_int64());
    if (auto* logprobs = body.if_contains("logprobs"); logprobs && logprobs->is_bool())
      p.logprobs = logprobs->get_bool();
    const json::value* messages = body.if_contains("messages");
    if (!messages || !messages->is_array() || messages->get_array().empty())
      throw BadRequest{"'messages' must be a non-empty array"};
    for (const auto& m : messages->get_array()) {
      if (!m.is_object()) throw BadRequest{"each message must be an object"};
      const auto& msg = m.get_object();
      std::string role = string_at(msg, "role");
      std::string text = msg.contains("content") ? text_of(msg.at("content")) : "";
      p.prompt_chars += text.size();
      p.answering_tool_result = role == "tool";
      if (role == "tool") p.tool_result_text = text;
      if (role == "user") p.last_user_text = text;
      // A final assistant message is a prefill only where the host says so: Mistral's and
      // DeepSeek's "prefix": true on it, or vLLM's top-level "continue_final_message": true.
      // OpenAI's own API answers a final assistant message with a new one.
      const json::value* prefix = msg.if_contains("prefix");
      const json::value* continue_final = body.if_contains("continue_final_message");
      const bool marked = (prefix && prefix->is_bool() && prefix->get_bool()) ||
                          (continue_final && continue_final->is_bool() && continue_final->get_bool());
      p.prefill = role == "assistant" && marked ? text : "";
    }
    p.max_output_tokens = std::max(count_at(body, "max_tokens"), count_at(body, "max_completion_tokens"));
    if (const auto* tools = body.if_contains("tools"); tools && tools->is_array()) {
      for (const auto& t : tools->get_array()) {
        json::object function = t.is_object() ? object_at(t.get_object(), "function") : json::object{};
        if (!function.contains("name") || !function.at("name").is_string())
          throw BadRequest{"each tool needs function.name"};
        p.tools.push_back(Tool{std::string(function.at("name").get_string()), object_at(function, "parameters")});
      }
    }
    if (const auto* choice = body.if_contains("tool_choice")) {
      if (choice->is_string()) {
        p.tools_allowed = choice->get_string() != "none";
        p.tool_required = choice->get_string() == "required";
      }
      if (choice->is_object()) {
        json::object function = object_at(choice->get_object(), "function");
        if (auto* name = function.if_contains("name"); name && name->is_string()) p.forced_tool = name->get_string();
      }
    }
    return p;
  }

  std::string reply(const Answer& a, const ReplyMeta& meta) const override {
    json::object message{{"role", "assistant"}, {"refusal", nullptr}, {"annotations", json::array{}}};
    if (a.tool_call) {
      message["content"] = nullptr;
      message["tool_calls"] = json::array{
          json::object{{"id", a.tool_call->id},
                       {"type", "function"},
                       {"function", {{"name", a.tool_call->name}, {"arguments", a.tool_call->arguments_json}}}}};
    } else {
      message["content"] = a.text();
    }
    json::value logprobs = nullptr;
    if (a.logprobs) {
      json::array tokens;
      for (std::size_t i = 0; i < a.pieces.size(); ++i)
        tokens.push_back(json::object{{"token", a.pieces[i]},
                                      {"logprob", -0.25 * static_cast<double>(i + 1)},
                                      {"bytes", nullptr},
                                      {"top_logprobs", json::array{}}});
      logprobs = json::object{{"content", std::move(tokens)}, {"refusal", nullptr}};
    }
    json::array choices;
    for (int i = 0; i < a.choices; ++i)
      choices.push_back(json::object{
          {"index", i}, {"message", message}, {"logprobs", logprobs}, {"finish_reason", finish_reason(a.finish)}});
    return json::serialize(json::object{{"id", meta.id},
                                        {"object", "chat.completion"},
                                        {"created", meta.created},
                                        {"model", meta.model},
                                        {"choices", std::move(choices)},
                                        {"usage", usage(a)},
                                        {"service_tier", "default"},
                                        {"system_fingerprint", "fp_switchyard_sim"}});
  }

  std::vector<std::string> stream(const Answer& a, const ReplyMeta& meta) const override {
    auto chunk = [&](json::object delta, json::value finish) {
      json::object c{
          {"id", meta.id},
          {"object", "chat.completion.chunk"},
          {"created", meta.created},
          {"model", meta.model},
          {"service_tier", "default"},
          {"system_fingerprint", "fp_switchyard_sim"},
          {"choices",
           json::array{json::object{
               {"index", 0}, {"delta", std::move(delta)}, {"logprobs", nullptr}, {"finish_reason", finish}}}}};
      if (meta.include_usage) c["usage"] = nullptr;
      return "data: " + json::serialize(c) + "\n\n";
    };
    std::vector<std::string> ticks;
    if (a.tool_call) {
      ticks.push_back(chunk(
          {{"role", "assistant"},
           {"content", nullptr},
           {"refusal", nullptr},
           {"tool_calls", json::array{json::object{{"index", 0},
                                                   {"id", a.tool_call->id},
                                                   {"type", "function"},
                                                   {"function", {{"name", a.tool_call->name}, {"arguments", ""}}}}}}},
          nullptr));
      // Arguments arrive in pieces, as real models send them.
      const std::string& args = a.tool_call->arguments_json;
      const std::size_t step = std::max<std::size_t>(1, (args.size() + 3) / 4);
      for (std::size_t i = 0; i < args.size(); i += step)
        ticks.push_back(chunk({{"tool_calls", json::array{json::object{
                                                  {"index", 0}, {"function", {{"arguments", args.substr(i, step)}}}}}}},
                              nullptr));
    } else {
      ticks.push_back(chunk({{"role", "assistant"}, {"content", ""}, {"refusal", nullptr}}, nullptr));
      for (std::size_t i = 0; i < a.pieces.size(); ++i) {
        std::string event = chunk({{"content", a.pieces[i]}}, nullptr);
        if (i == 0)
          ticks.back() += event;  // the first token goes out with the preamble
        else
          ticks.push_back(std::move(event));
      }
    }
    std::string& last = ticks.back();
    last += chunk({}, finish_reason(a.finish));
    if (meta.include_usage) {
      json::object c{{"id", meta.id},
                     {"object", "chat.completion.chunk"},
                     {"created", meta.created},
                     {"model", meta.model},
                     {"service_tier", "default"},
                     {"system_fingerprint", "fp_switchyard_sim"},
                     {"choices", json::array{}},
                     {"usage", usage(a)}};
      last += "data: " + json::serialize(c) + "\n\n";
    }
    last += "data: [DONE]\n\n";
    return ticks;
  }

  std::string error_body(int status, std::string_view message) const override {
    const char* type = status == 429 ? "rate_limit_exceeded" : status >= 500 ? "server_error" : "invalid_request_error";
    const char* code = status == 429 ? "rate_limit_exceeded" : status == 401 ? "invalid_api_key" : nullptr;
    return error(message, type, nullptr, code);
  }

  std::string context_overflow_body(int tokens, int limit) const override {
    return error(fmt::format("This model's maximum context length is {} tokens. However, your messages resulted in "
                             "{} tokens. Please reduce the length of the messages.",
                             limit, tokens),
                 "invalid_request_error", "messages", "context_length_exceeded");
  }

  std::string policy_refusal_body() const override {
    return error("Your request was rejected as a result of our safety system.", "invalid_request_error", nullptr,
                 "content_policy_violation");
  }

 private:
  static std::string error(std::string_view message, const char* type, const char* param, const char* code) {
    return json::serialize(json::object{{"error",
                                         {{"message", message},
                                          {"type", type},
                                          {"param", param ? json::value(param) : nullptr},
                                          {"code", code ? json::value(code) : nullptr}}}});
  }
};

}  // namespace

const WireFormat& openai_wire() {
  static const OpenAIWire wire;
  return wire;
}

}  // namespace switchyard::sim
