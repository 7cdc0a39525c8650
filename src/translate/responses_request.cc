#include "translate/responses_request.h"

#include <fmt/format.h>

#include <boost/json.hpp>

#include "translate/json_fields.h"
#include "translate/json_parse.h"
#include "translate/reasoning_token.h"

namespace switchyard {
namespace json = boost::json;
using json_fields::string_field;
namespace {

Error invalid(std::string message, std::string param) {
  return make_error(ErrorKind::bad_request, std::move(message), std::move(param));
}

// One content part of a message item as a chat content part.
std::variant<json::object, Error> chat_part(const json::value& p, const std::string& param) {
  if (!p.is_object()) return invalid(param + " must be an object", param);
  const auto& part = p.get_object();
  std::string_view type = string_field(part, "type");
  if (type == "input_text" || type == "output_text" || type == "text" || type == "summary_text")
    return json::object{{"type", "text"}, {"text", string_field(part, "text")}};
  if (type == "refusal") return json::object{{"type", "text"}, {"text", string_field(part, "refusal")}};
  if (type == "input_image") {
    std::string_view url = string_field(part, "image_url");
    if (url.empty()) return invalid(param + ".image_url is required (file ids are not supported)", param);
    json::object image{{"url", url}};
    if (auto detail = string_field(part, "detail"); !detail.empty()) image["detail"] = detail;
    return json::object{{"type", "image_url"}, {"image_url", std::move(image)}};
  }
  if (type == "input_file") {
    json::object file;
    for (const char* key : {"file_data", "filename", "file_id"})
      if (auto value = string_field(part, key); !value.empty()) file[key] = value;
    if (auto url = string_field(part, "file_url"); !url.empty()) file["file_url"] = url;
    return json::object{{"type", "file"}, {"file", std::move(file)}};
  }
  return invalid(fmt::format("{}.type '{}' is not a content part this gateway knows", param, type), param + ".type");
}

// A message's content (a string or parts) as chat content; assistant text is joined into a string.
std::variant<json::value, Error> chat_content(const json::value* content, bool assistant, const std::string& param) {
  if (!content || content->is_null()) return json::value("");
  if (content->is_string()) return *content;
  if (!content->is_array()) return invalid(param + " must be a string or an array of content parts", param);
  json::array parts;
  std::string text;
  for (std::size_t i = 0; i < content->get_array().size(); ++i) {
    auto part = chat_part(content->get_array()[i], fmt::format("{}[{}]", param, i));
    if (auto* error = std::get_if<Error>(&part)) return *error;
    auto& object = std::get<json::object>(part);
    if (assistant) {
      text += string_field(object, "text");
      continue;
    }
    parts.push_back(std::move(object));
  }
  if (assistant) return json::value(text);
  return json::value(std::move(parts));
}

// Builds chat messages from input items, merging an assistant's text, reasoning and tool calls
// into one assistant message as chat expects.
class MessageBuilder {
 public:
  explicit MessageBuilder(json::array& messages) : messages_(messages) {}

  json::object& assistant() {
    if (!open_assistant_) {
      messages_.push_back(json::object{{"role", "assistant"}, {"content", nullptr}});
      open_assistant_ = true;
    }
    return messages_.back().get_object();
  }
  void add_assistant_text(std::string_view text) {
    json::value& content = assistant()["content"];
    if (!content.is_string()) content = json::string();
    content.get_string().append(text);  // in place: a long run of assistant items stays linear
  }
  void add_tool_call(std::string_view call_id, std::string_view name, std::string_view arguments) {
    json::object& message = assistant();
    json::value& calls = message["tool_calls"];
    if (!calls.is_array()) calls = json::array();
    calls.get_array().push_back(
        json::object{{"id", call_id}, {"type", "function"}, {"function", {{"name", name}, {"arguments", arguments}}}});
  }
  void add_reasoning(const ReasoningToken& token) {
    json::object& message = assistant();
    if (!token.signature.empty()) {
      message["reasoning"] = token.text;
      message["reasoning_signature"] = token.signature;
    }
    if (!token.call_signatures.empty()) {
      json::value& signatures = message["thought_signatures"];
      if (!signatures.is_object()) signatures = json::object();
      for (const auto& [id, signature] : token.call_signatures) signatures.get_object()[id] = signature;
    }
  }
  void add(json::object message) {
    open_assistant_ = false;
    messages_.push_back(std::move(message));
  }

 private:
  json::array& messages_;
  bool open_assistant_ = false;
};

std::optional<Error> add_item(MessageBuilder& builder, const json::value& value, std::size_t index) {
  const std::string param = fmt::format("input[{}]", index);
  if (!value.is_object()) return invalid(param + " must be an object", param);
  const auto& item = value.get_object();
  std::string_view type = string_field(item, "type");
  if (type.empty() && item.contains("role")) type = "message";
  if (type == "message") {
    std::string_view role = string_field(item, "role");
    if (role != "user" && role != "assistant" && role != "system" && role != "developer")
      return invalid(param + ".role must be one of user, assistant, system, developer", param + ".role");
    auto content = chat_content(item.if_contains("content"), role == "assistant", param + ".content");
    if (auto* error = std::get_if<Error>(&content)) return *error;
    if (role == "assistant") {
      builder.add_assistant_text(std::get<json::value>(content).get_string());
    } else {
      // developer is OpenAI's newer name for system; every chat provider knows system.
      builder.add(json::object{{"role", role == "developer" ? "system" : role},
                               {"content", std::get<json::value>(std::move(content))}});
    }
    return std::nullopt;
  }
  if (type == "function_call" || type == "custom_tool_call") {
    std::string_view call_id = string_field(item, "call_id"), name = string_field(item, "name");
    if (call_id.empty() || name.empty()) return invalid(param + " needs call_id and name", param);
    if (type == "custom_tool_call") {  // a free-form tool: its input travels as {"input": text}
      builder.add_tool_call(call_id, name, serialize_json(json::object{{"input", string_field(item, "input")}}));
    } else {
      std::string_view arguments = string_field(item, "arguments");
      builder.add_tool_call(call_id, name, arguments.empty() ? "{}" : arguments);
    }
    return std::nullopt;
  }
  if (type == "function_call_output" || type == "custom_tool_call_output") {
    std::string_view call_id = string_field(item, "call_id");
    if (call_id.empty()) return invalid(param + ".call_id is required", param + ".call_id");
    const json::value* output = item.if_contains("output");
    std::string text;
    if (output && output->is_string()) {
      text = output->get_string();
    } else if (output && output->is_array()) {
      for (const auto& part : output->get_array())
        if (part.is_object()) text += string_field(part.get_object(), "text");
    } else {
      return invalid(param + ".output must be a string or an array of content parts", param + ".output");
    }
    builder.add(json::object{{"role", "tool"}, {"tool_call_id", call_id}, {"content", std::move(text)}});
    return std::nullopt;
  }
  if (type == "reasoning") {
    // Only reasoning this gateway issued can go back (as the provider's signed thinking); other
    // providers' encrypted reasoning means nothing to the next route and is left out.
    if (auto token = read_reasoning_token(string_field(item, "encrypted_content"))) builder.add_reasoning(*token);
    return std::nullopt;
  }
  // What a built-in tool did (web_search_call, file_search_call, ...) in a conversation a provider
  // that runs it served: a chat provider cannot be shown it, and must not stop the agent.
  if (type.ends_with("_call") || type.ends_with("_call_output") || type == "compaction") return std::nullopt;
  if (type == "item_reference")
    return invalid(param + ": item references need stored responses; send the item itself", param);
  return invalid(fmt::format("{}.type '{}' is not an input item this gateway knows", param, type), param + ".type");
}

// Function tools as chat tools; web_search as the chat extension the other adapters map; other
// built-in tools are left out (and named in `left_out`).
std::optional<Error> add_tools(const json::value& tools, json::object& chat, std::vector<std::string>& left_out) {
  if (!tools.is_array()) return invalid("'tools' must be an array", "tools");
  json::array list;
  for (std::size_t i = 0; i < tools.get_array().size(); ++i) {
    const std::string param = fmt::format("tools[{}]", i);
    const json::value& t = tools.get_array()[i];
    if (!t.is_object()) return invalid(param + " must be an object", param);
    const auto& tool = t.get_object();
    std::string_view type = string_field(tool, "type");
    if (type == "function") {
      if (string_field(tool, "name").empty()) return invalid(param + ".name is required", param + ".name");
      json::object function{
          {"name", string_field(tool, "name")},
          {"parameters", json_fields::member_or(tool, "parameters", json::object{{"type", "object"}})}};
      if (function["parameters"].is_null()) function["parameters"] = json::object{{"type", "object"}};
      if (auto* d = tool.if_contains("description"); d && d->is_string()) function["description"] = *d;
      if (auto* s = tool.if_contains("strict"); s && s->is_bool()) function["strict"] = *s;
      list.push_back(json::object{{"type", "function"}, {"function", std::move(function)}});
    } else if (type == "custom") {  // free-form input (Codex's apply_patch): a function taking {"input"}
      json::object function{{"name", string_field(tool, "name")},
                            {"description", string_field(tool, "description")},
                            {"parameters",
                             {{"type", "object"},
                              {"properties", {{"input", {{"type", "string"}}}}},
                              {"required", json::array{"input"}}}}};
      list.push_back(json::object{{"type", "function"}, {"function", std::move(function)}});
    } else if (type.starts_with("web_search")) {
      list.push_back(json::object{{"type", "web_search"}});
    } else {
      left_out.emplace_back(type);
    }
  }
  if (!list.empty()) chat["tools"] = std::move(list);
  return std::nullopt;
}

std::optional<Error> add_tool_choice(const json::value& choice, json::object& chat) {
  if (choice.is_string()) {
    std::string_view c = choice.get_string();
    if (c != "auto" && c != "none" && c != "required")
      return invalid("'tool_choice' must be auto, none, required or a tool", "tool_choice");
    chat["tool_choice"] = c;
    return std::nullopt;
  }
  if (!choice.is_object()) return invalid("'tool_choice' must be a string or an object", "tool_choice");
  const auto& c = choice.get_object();
  if (string_field(c, "type") == "function" || string_field(c, "type") == "custom")
    chat["tool_choice"] = json::object{{"type", "function"}, {"function", {{"name", string_field(c, "name")}}}};
  else if (string_field(c, "type") == "allowed_tools")
    chat["tool_choice"] = string_field(c, "mode") == "required" ? "required" : "auto";
  return std::nullopt;  // a built-in tool named: the provider chooses
}

std::optional<Error> add_text_format(const json::value& text, json::object& chat) {
  if (!text.is_object()) return invalid("'text' must be an object", "text");
  const json::value* format = text.get_object().if_contains("format");
  if (!format || format->is_null()) return std::nullopt;
  if (!format->is_object()) return invalid("'text.format' must be an object", "text.format");
  const auto& f = format->get_object();
  std::string_view type = string_field(f, "type");
  if (type == "json_schema") {
    const json::value* schema = f.if_contains("schema");
    if (!schema || !schema->is_object())
      return invalid("'text.format.schema' is required for json_schema", "text.format.schema");
    json::object spec{{"name", string_field(f, "name").empty() ? "response" : string_field(f, "name")},
                      {"schema", *schema}};
    if (auto* strict = f.if_contains("strict"); strict && strict->is_bool()) spec["strict"] = *strict;
    if (auto* d = f.if_contains("description"); d && d->is_string()) spec["description"] = *d;
    chat["response_format"] = json::object{{"type", "json_schema"}, {"json_schema", std::move(spec)}};
  } else if (type == "json_object") {
    chat["response_format"] = json::object{{"type", "json_object"}};
  } else if (type != "text") {
    return invalid("'text.format.type' must be text, json_object or json_schema", "text.format.type");
  }
  return std::nullopt;
}

}  // namespace

std::variant<ChatFromResponses, Error> chat_from_responses(const json::object& in) {
  ChatFromResponses out;
  json::array messages;
  MessageBuilder builder(messages);
  if (auto* instructions = in.if_contains("instructions"); instructions && !instructions->is_null()) {
    if (!instructions->is_string()) return invalid("'instructions' must be a string", "instructions");
    if (!instructions->get_string().empty()) builder.add(json::object{{"role", "system"}, {"content", *instructions}});
  }
  const json::value* input = in.if_contains("input");
  if (input && input->is_string()) {
    builder.add(json::object{{"role", "user"}, {"content", *input}});
  } else if (input && input->is_array()) {
    for (std::size_t i = 0; i < input->get_array().size(); ++i)
      if (auto error = add_item(builder, input->get_array()[i], i)) return *error;
  } else {
    return invalid("'input' is required: a string or an array of input items", "input");
  }
  json::object& chat = out.chat;
  chat["model"] = json_fields::member_or(in, "model", "");
  chat["messages"] = std::move(messages);
  if (auto* max = in.if_contains("max_output_tokens"); max && max->is_int64()) chat["max_tokens"] = *max;
  for (const char* key : {"temperature", "top_p", "prompt_cache_key", "service_tier", "user", "top_logprobs"})
    if (auto* v = in.if_contains(key); v && !v->is_null()) chat[key] = *v;
  if (chat.contains("top_logprobs")) chat["logprobs"] = true;  // chat gives top_logprobs only with logprobs
  if (auto* id = in.if_contains("safety_identifier"); id && id->is_string() && !chat.contains("user"))
    chat["user"] = *id;
  if (auto* stream = in.if_contains("stream"); stream && stream->is_bool() && stream->get_bool()) {
    chat["stream"] = true;
    chat["stream_options"] = json::object{{"include_usage", true}};  // Responses always tell usage
  }
  if (auto* reasoning = in.if_contains("reasoning"); reasoning && reasoning->is_object())
    if (auto effort = string_field(reasoning->get_object(), "effort"); !effort.empty() && effort != "none")
      chat["reasoning_effort"] = effort == "xhigh" ? "high" : effort;
  if (auto* tools = in.if_contains("tools"); tools && !tools->is_null())
    if (auto error = add_tools(*tools, chat, out.left_out)) return *error;
  if (auto* choice = in.if_contains("tool_choice"); choice && !choice->is_null() && chat.contains("tools"))
    if (auto error = add_tool_choice(*choice, chat)) return *error;
  // Like tool_choice, parallel_tool_calls means nothing without tools: OpenAI refuses it then (400),
  // and the Anthropic adapter would send a tool_choice with no tools.
  if (auto* parallel = in.if_contains("parallel_tool_calls");
      parallel && !parallel->is_null() && chat.contains("tools"))
    chat["parallel_tool_calls"] = *parallel;
  if (auto* text = in.if_contains("text"); text && !text->is_null())
    if (auto error = add_text_format(*text, chat)) return *error;
  return out;
}

json::object response_shell(const json::object& in) {
  auto echo = [&](const char* key, const json::value& fallback) {
    const json::value* v = in.if_contains(key);
    return v && !v->is_null() ? *v : fallback;
  };
  json::object reasoning{{"effort", nullptr}, {"summary", nullptr}};
  if (auto* r = in.if_contains("reasoning"); r && r->is_object())
    for (const char* key : {"effort", "summary"})
      if (auto* v = r->get_object().if_contains(key); v && v->is_string()) reasoning[key] = *v;
  json::array tools;
  if (auto* listed = in.if_contains("tools"); listed && listed->is_array())
    for (const auto& t : listed->get_array()) {
      if (!t.is_object()) continue;
      json::object tool = t.get_object();
      if (string_field(tool, "type") == "function") {  // the schema wants every member present
        for (const char* key : {"description", "parameters", "strict"})
          if (!tool.contains(key)) tool[key] = nullptr;
      }
      tools.push_back(std::move(tool));
    }
  json::object text{{"format", {{"type", "text"}}}};
  if (auto* t = in.if_contains("text"); t && t->is_object()) {
    if (auto* f = t->get_object().if_contains("format"); f && f->is_object()) {
      json::object format = f->get_object();
      if (string_field(format, "type") == "json_schema") {  // every member present, as the schema wants
        if (!format.contains("description")) format["description"] = nullptr;
        if (!format.contains("strict")) format["strict"] = false;
      }
      text["format"] = std::move(format);
    }
    if (auto* verbosity = t->get_object().if_contains("verbosity"); verbosity && verbosity->is_string())
      text["verbosity"] = *verbosity;
  }
  return json::object{{"object", "response"},
                      {"model", echo("model", "")},
                      {"previous_response_id", echo("previous_response_id", nullptr)},
                      {"instructions", echo("instructions", nullptr)},
                      {"tools", std::move(tools)},
                      {"tool_choice", echo("tool_choice", "auto")},
                      {"truncation", echo("truncation", "disabled")},
                      {"parallel_tool_calls", echo("parallel_tool_calls", true)},
                      {"text", std::move(text)},
                      {"top_p", echo("top_p", 1.0)},
                      {"presence_penalty", echo("presence_penalty", 0.0)},
                      {"frequency_penalty", echo("frequency_penalty", 0.0)},
                      {"top_logprobs", echo("top_logprobs", 0)},
                      {"temperature", echo("temperature", 1.0)},
                      {"reasoning", std::move(reasoning)},
                      {"max_output_tokens", echo("max_output_tokens", nullptr)},
                      {"max_tool_calls", echo("max_tool_calls", nullptr)},
                      {"store", echo("store", true)},
                      {"background", false},
                      {"service_tier", echo("service_tier", "default")},
                      {"metadata", echo("metadata", json::object{})},
                      {"safety_identifier", echo("safety_identifier", nullptr)},
                      {"prompt_cache_key", echo("prompt_cache_key", nullptr)},
                      {"user", echo("user", nullptr)}};
}

}  // namespace switchyard
