#include "translate/openai_request_reader.h"

#include "translate/json_fields.h"
#include "translate/json_parse.h"

#include <fmt/format.h>

namespace switchyard::openai_in {
namespace json = boost::json;
using json_fields::string_field;

std::optional<InlineImage> parse_data_url(std::string_view url) {
  // data:<media type>;base64,<data>
  if (!url.starts_with("data:")) return std::nullopt;
  auto comma = url.find(',');
  auto meta = url.substr(5, comma == std::string_view::npos ? 0 : comma - 5);
  if (comma == std::string_view::npos || !meta.ends_with(";base64")) return std::nullopt;
  return InlineImage{std::string(meta.substr(0, meta.size() - 7)), std::string(url.substr(comma + 1))};
}

std::string content_text(const json::value& content) {
  if (content.is_string()) return std::string(content.get_string());
  std::string out;
  if (content.is_array())
    for (const auto& part : content.get_array())
      if (part.is_object())
        if (auto* text = part.get_object().if_contains("text"); text && text->is_string()) {
          if (!out.empty()) out += "\n";
          out += text->get_string();
        }
  return out;
}

std::optional<int64_t> max_output_tokens(const json::object& request) {
  for (const char* key : {"max_completion_tokens", "max_tokens"})
    if (auto* v = request.if_contains(key); v && v->is_int64()) return v->get_int64();
  return std::nullopt;
}

std::vector<std::string> stop_sequences(const json::object& request) {
  std::vector<std::string> out;
  if (auto* stop = request.if_contains("stop")) {
    if (stop->is_string()) out.emplace_back(stop->get_string());
    if (stop->is_array())
      for (const auto& s : stop->get_array())
        if (s.is_string()) out.emplace_back(s.get_string());
  }
  return out;
}

std::optional<int64_t> thinking_budget(const json::object& request) {
  auto* effort = request.if_contains("reasoning_effort");
  if (!effort || !effort->is_string()) return std::nullopt;
  std::string_view e = effort->get_string();
  if (e == "minimal" || e == "low") return 1024;
  if (e == "medium") return 8192;
  if (e == "high") return 24576;
  return std::nullopt;
}

std::string_view reasoning_effort_for(int64_t budget) {
  if (budget <= 1024) return "low";
  if (budget <= 8192) return "medium";
  return "high";
}

bool is_web_search(const json::value& tool) {
  return tool.is_object() && string_field(tool.get_object(), "type") == "web_search";
}

std::variant<ToolCallIn, Error> tool_call(const json::value& call) {
  auto invalid = [](const char* what) { return make_error(ErrorKind::bad_request, what, "messages"); };
  if (!call.is_object()) return invalid("each tool call must be an object");
  const json::object* function = &json_fields::object_field(call.get_object(), "function");
  if (string_field(*function, "name").empty()) return invalid("each tool call needs function.name");
  std::string_view text = string_field(*function, "arguments");
  boost::system::error_code ec;
  json::value parsed = parse_json(text.empty() ? std::string_view("{}") : text, ec);
  if (ec || !parsed.is_object()) return invalid("tool call arguments must be a JSON object");
  return ToolCallIn{string_field(call.get_object(), "id"), string_field(*function, "name"),
                    std::move(parsed.get_object()), string_field(call.get_object(), "thought_signature")};
}

std::variant<const json::array*, Error> messages_of(const json::object& request) {
  auto invalid = [] {
    return make_error(ErrorKind::bad_request, "'messages' must be a list of objects with a role", "messages");
  };
  auto* messages = request.if_contains("messages");
  if (!messages || !messages->is_array()) return invalid();
  for (const auto& m : messages->get_array())
    if (!m.is_object() || string_field(m.get_object(), "role").empty()) return invalid();
  return &messages->get_array();
}

std::variant<Conversation, Error> build_conversation(const json::object& request, const ConversationStyle& style) {
  auto listed = messages_of(request);
  if (auto* error = std::get_if<Error>(&listed)) return *error;
  Conversation out;
  for (const auto& m : *std::get<const json::array*>(listed)) {
    const auto& message = m.get_object();
    std::string_view role = string_field(message, "role");
    const json::value* content = message.if_contains("content");
    if (role == "tool") {
      auto result =
          style.tool_result(string_field(message, "tool_call_id"), content ? content_text(*content) : std::string());
      if (auto* error = std::get_if<Error>(&result)) return *error;
      json_fields::append_turn(out.turns, "user", style.items_key,
                               json::array{std::get<json::value>(std::move(result))});
      continue;
    }
    if (role != "system" && role != "developer" && role != "user" && role != "assistant")
      return make_error(ErrorKind::bad_request,
                        fmt::format("messages of role '{}' cannot be sent to {}", role, style.provider), "messages");
    auto items = style.items(content);
    if (auto* error = std::get_if<Error>(&items)) return *error;
    auto& list = std::get<json::array>(items);
    if (role == "system" || role == "developer") {
      for (auto& item : list) out.system.push_back(std::move(item));
    } else if (role == "user") {
      json_fields::append_turn(out.turns, "user", style.items_key, std::move(list));
    } else {
      if (auto signature = string_field(message, "reasoning_signature"); !signature.empty() && style.signed_reasoning)
        list.insert(list.begin(), style.signed_reasoning(string_field(message, "reasoning"), signature));
      if (auto* calls = message.if_contains("tool_calls"); calls && calls->is_array())
        for (const auto& c : calls->get_array()) {
          auto call = tool_call(c);
          if (auto* error = std::get_if<Error>(&call)) return *error;
          ToolCallIn& in = std::get<ToolCallIn>(call);
          if (in.thought_signature.empty())
            in.thought_signature = string_field(json_fields::object_field(message, "thought_signatures"), in.id);
          list.push_back(style.tool_call(in));
        }
      json_fields::append_turn(out.turns, style.assistant_role, style.items_key, std::move(list));
    }
  }
  if (out.turns.empty())
    return make_error(ErrorKind::bad_request,
                      fmt::format("{} needs at least one user or assistant message", style.provider), "messages");
  return out;
}

}  // namespace switchyard::openai_in
