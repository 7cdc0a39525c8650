// The Anthropic Messages wire format, as api.anthropic.com speaks it.
#include <fmt/format.h>
#include <boost/json.hpp>
#include <cctype>

#include "sim/wire_format.h"

namespace switchyard::sim {
namespace json = boost::json;
namespace {

const char* stop_reason(Finish finish) {
  switch (finish) {
    case Finish::stop: return "end_turn";
    case Finish::length: return "max_tokens";
    case Finish::tool_calls: return "tool_use";
  }
  return "end_turn";
}

std::string event(std::string_view name, const json::object& data) {
  return "event: " + std::string(name) + "\ndata: " + json::serialize(data) + "\n\n";
}

class AnthropicWire final : public WireFormat {
 public:
  Prompt read_prompt(const json::object& body) const override {
    Prompt p;
    if (!body.contains("max_tokens") || !body.at("max_tokens").is_int64())
      throw BadRequest{"max_tokens: Field required"};
    if (auto* system = body.if_contains("system")) p.prompt_chars += text_of(*system).size();
    const json::value* messages = body.if_contains("messages");
    if (!messages || !messages->is_array() || messages->get_array().empty())
      throw BadRequest{"messages: at least one message is required"};
    for (const auto& m : messages->get_array()) {
      if (!m.is_object()) throw BadRequest{"messages: each message must be an object"};
      const auto& msg = m.get_object();
      std::string role = string_at(msg, "role");
      // system between turns: Anthropic's mid-conversation-system beta, which Claude Code uses.
      if (role != "user" && role != "assistant" && role != "system")
        throw BadRequest{"messages: role must be 'user', 'assistant' or 'system'"};
      const json::value* content = msg.if_contains("content");
      if (!content) throw BadRequest{"messages: content is required"};
      std::string text = text_of(*content);
      p.prompt_chars += text.size();
      p.answering_tool_result = false;
      if (role == "assistant" && calls_without_thinking(*content)) p.unsigned_call = true;
      if (content->is_array())
        for (const auto& block : content->get_array())
          if (block.is_object() && block.get_object().contains("type") &&
              block.get_object().at("type") == "tool_result") {
            p.answering_tool_result = true;
            const auto* result = block.get_object().if_contains("content");
            p.tool_result_text = result ? text_of(*result) : "";
            p.prompt_chars += p.tool_result_text.size();
          }
      if (role == "user" && !p.answering_tool_result) p.last_user_text = text;
      p.prefill = role == "assistant" ? text : "";
    }
    if (!p.prefill.empty() && std::isspace(static_cast<unsigned char>(p.prefill.back())))
      throw BadRequest{"messages: final assistant content cannot end with trailing whitespace"};
    p.max_output_tokens = count_at(body, "max_tokens");
    if (const auto* tools = body.if_contains("tools"); tools && tools->is_array()) {
      for (const auto& t : tools->get_array()) {
        if (!t.is_object() || !t.get_object().contains("name") || !t.get_object().at("name").is_string())
          throw BadRequest{"tools: each tool needs a name"};
        std::string type = string_at(t.get_object(), "type", "custom");
        if (type != "custom") continue;  // a server tool (web_search_20250305, ...): Anthropic runs it
        if (!t.get_object().contains("input_schema")) throw BadRequest{"tools: input_schema: Field required"};
        p.tools.push_back(
            Tool{std::string(t.get_object().at("name").get_string()), object_at(t.get_object(), "input_schema")});
      }
    }
    if (const auto* thinking = body.if_contains("thinking"); thinking && thinking->is_object())
      p.reasoning_requested = string_at(thinking->get_object(), "type") == "enabled" ||
                              string_at(thinking->get_object(), "type") == "adaptive";  // Claude Code's default
    p.unsigned_call = p.unsigned_call && p.reasoning_requested;  // signed thinking is due only with thinking on
    if (const auto* choice = body.if_contains("tool_choice"); choice && choice->is_object()) {
      const auto& c = choice->get_object();
      if (c.contains("type") && c.at("type") == "none") p.tools_allowed = false;
      if (c.contains("type") && c.at("type") == "any") p.tool_required = true;
      if (c.contains("type") && c.at("type") == "tool" && c.contains("name") && c.at("name").is_string())
        p.forced_tool = c.at("name").get_string();
    }
    return p;
  }

  // An assistant turn with a tool_use that does not begin with its (signed) thinking block: with
  // thinking on, Anthropic refuses it ("Expected `thinking` or `redacted_thinking`, but found
  // `tool_use`"); the simulator does with signed=1.
  static bool calls_without_thinking(const json::value& content) {
    if (!content.is_array() || content.get_array().empty()) return false;
    bool calls = false;
    for (const auto& block : content.get_array())
      calls = calls || (block.is_object() && string_at(block.get_object(), "type") == "tool_use");
    const json::value& first = content.get_array().front();
    std::string type = first.is_object() ? string_at(first.get_object(), "type") : "";
    bool signed_thinking =
        (type == "thinking" && !string_at(first.get_object(), "signature").empty()) || type == "redacted_thinking";
    return calls && !signed_thinking;
  }

  static constexpr const char* kSignature = "c2ltLXRoaW5raW5nLXNpZ25hdHVyZQ==";

  static json::object usage(const Answer& a, int output_tokens) {
    return {{"input_tokens", a.prompt_tokens},
            {"cache_creation_input_tokens", 0},
            {"cache_read_input_tokens", 0},
            {"output_tokens", output_tokens}};
  }

  static json::object tool_block(const ToolCall& call, bool with_input) {
    return {{"type", "tool_use"},
            {"id", "toolu_" + call.id.substr(5)},
            {"name", call.name},
            {"input", with_input ? json::parse(call.arguments_json) : json::object{}}};
  }

  std::string reply(const Answer& a, const ReplyMeta& meta) const override {
    json::array content;
    if (!a.reasoning.empty())
      content.push_back(json::object{{"type", "thinking"}, {"thinking", a.reasoning}, {"signature", kSignature}});
    if (a.tool_call)
      content.push_back(tool_block(*a.tool_call, true));
    else
      content.push_back(json::object{{"type", "text"}, {"text", a.text()}});
    return json::serialize(json::object{{"id", meta.id},
                                        {"type", "message"},
                                        {"role", "assistant"},
                                        {"model", meta.model},
                                        {"content", std::move(content)},
                                        {"stop_reason", stop_reason(a.finish)},
                                        {"stop_sequence", nullptr},
                                        {"usage", usage(a, a.completion_tokens)}});
  }

  std::vector<std::string> stream(const Answer& a, const ReplyMeta& meta) const override {
    std::vector<std::string> ticks;
    std::string first = event("message_start", {{"type", "message_start"},
                                                {"message",
                                                 {{"id", meta.id},
                                                  {"type", "message"},
                                                  {"role", "assistant"},
                                                  {"model", meta.model},
                                                  {"content", json::array{}},
                                                  {"stop_reason", nullptr},
                                                  {"stop_sequence", nullptr},
                                                  {"usage", usage(a, 1)}}}});
    int index = 0;  // of the answer's block: after the thinking block, when there is one
    if (!a.reasoning.empty()) {
      first += event(
          "content_block_start",
          {{"type", "content_block_start"}, {"index", 0}, {"content_block", {{"type", "thinking"}, {"thinking", ""}}}});
      first += event("content_block_delta", {{"type", "content_block_delta"},
                                             {"index", 0},
                                             {"delta", {{"type", "thinking_delta"}, {"thinking", a.reasoning}}}});
      first += event("content_block_delta", {{"type", "content_block_delta"},
                                             {"index", 0},
                                             {"delta", {{"type", "signature_delta"}, {"signature", kSignature}}}});
      first += event("content_block_stop", {{"type", "content_block_stop"}, {"index", 0}});
      index = 1;
    }
    if (a.tool_call) {
      first += event(
          "content_block_start",
          {{"type", "content_block_start"}, {"index", index}, {"content_block", tool_block(*a.tool_call, false)}});
      first += event("ping", {{"type", "ping"}});
      ticks.push_back(std::move(first));
      const std::string& args = a.tool_call->arguments_json;
      const std::size_t step = std::max<std::size_t>(1, (args.size() + 3) / 4);
      for (std::size_t i = 0; i < args.size(); i += step)
        ticks.push_back(event("content_block_delta",
                              {{"type", "content_block_delta"},
                               {"index", index},
                               {"delta", {{"type", "input_json_delta"}, {"partial_json", args.substr(i, step)}}}}));
    } else {
      first += event(
          "content_block_start",
          {{"type", "content_block_start"}, {"index", index}, {"content_block", {{"type", "text"}, {"text", ""}}}});
      first += event("ping", {{"type", "ping"}});
      ticks.push_back(std::move(first));
      for (std::size_t i = 0; i < a.pieces.size(); ++i) {
        std::string delta = event("content_block_delta", {{"type", "content_block_delta"},
                                                          {"index", index},
                                                          {"delta", {{"type", "text_delta"}, {"text", a.pieces[i]}}}});
        if (i == 0)
          ticks.back() += delta;  // the first token goes out with the preamble
        else
          ticks.push_back(std::move(delta));
      }
    }
    std::string& last = ticks.back();
    last += event("content_block_stop", {{"type", "content_block_stop"}, {"index", index}});
    last += event("message_delta", {{"type", "message_delta"},
                                    {"delta", {{"stop_reason", stop_reason(a.finish)}, {"stop_sequence", nullptr}}},
                                    {"usage", {{"output_tokens", a.completion_tokens}}}});
    last += event("message_stop", {{"type", "message_stop"}});
    return ticks;
  }

  std::string error_body(int status, std::string_view message) const override {
    const char* type = "api_error";
    switch (status) {
      case 400: type = "invalid_request_error"; break;
      case 401: type = "authentication_error"; break;
      case 403: type = "permission_error"; break;
      case 404: type = "not_found_error"; break;
      case 413: type = "request_too_large"; break;
      case 429: type = "rate_limit_error"; break;
      case 503:
      case 529: type = "overloaded_error"; break;
    }
    return json::serialize(json::object{{"type", "error"}, {"error", {{"type", type}, {"message", message}}}});
  }

  std::string context_overflow_body(int tokens, int limit) const override {
    return error_body(400, fmt::format("prompt is too long: {} tokens > {} maximum", tokens, limit));
  }

  std::string policy_refusal_body() const override {
    return error_body(400, "Output blocked by content filtering policy");
  }
};

}  // namespace

const WireFormat& anthropic_wire() {
  static const AnthropicWire wire;
  return wire;
}

}  // namespace switchyard::sim
