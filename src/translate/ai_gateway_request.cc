// The AI SDK's call options (LanguageModelV2/V3/V4, as @ai-sdk/gateway posts them) read into an
// OpenAI chat request, and its embedding call into an OpenAI embeddings request. Every field the
// SDK defines is type-checked; a bad_request names it by its path in the body
// ("prompt[2].content[0].toolCallId"). Where chat has no place for a part, the part is left out
// only when it is history a chat provider cannot be shown (what a provider ran itself, files the
// model made); anything the model is asked to read and cannot be sent is refused.
#include <fmt/format.h>

#include <boost/json.hpp>

#include "translate/ai_gateway.h"
#include "translate/client_text.h"
#include "translate/json_fields.h"
#include "translate/json_parse.h"

namespace switchyard {
namespace json = boost::json;
using json_fields::object_field;
using json_fields::string_field;
namespace {

Error invalid(std::string message, std::string param) {
  return make_error(ErrorKind::bad_request, std::move(message), std::move(param));
}

// Client text quoted in an error message (a part type, a tool id): at most 64 bytes, valid UTF-8.
std::string shown(std::string_view text) {
  constexpr std::size_t kMaxShown = 64;
  return valid_utf8(text.substr(0, kMaxShown)) + (text.size() > kMaxShown ? "..." : "");
}

std::string path(std::string_view base, std::string_view key) { return fmt::format("{}.{}", base, key); }
std::string path(std::string_view base, std::size_t index) { return fmt::format("{}[{}]", base, index); }

// A member that is present and not null: the SDK leaves unset options out, and null says the same.
const json::value* given(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value && !value->is_null() ? value : nullptr;
}

// The string member `key` of the object at `param`; a bad_request naming `param.key` when it is
// absent or not a string.
std::variant<std::string_view, Error> required_string(const json::object& object, std::string_view key,
                                                      std::string_view param) {
  const json::value* value = given(object, key);
  if (!value || !value->is_string()) return invalid(path(param, key) + " must be a string", path(param, key));
  return std::string_view(value->get_string());
}

// `value` as the object at `param`, or a bad_request saying it must be one.
std::variant<const json::object*, Error> as_object(const json::value& value, const std::string& param) {
  if (!value.is_object()) return invalid(param + " must be an object", param);
  return &value.get_object();
}

// The `content` array of the message at `param`.
std::variant<const json::array*, Error> content_array(const json::object& message, const std::string& param) {
  const json::value* content = given(message, "content");
  if (!content || !content->is_array())
    return invalid(param + ".content must be an array of parts", path(param, "content"));
  return &content->get_array();
}

bool is_image(std::string_view media_type) { return media_type == "image" || media_type.starts_with("image/"); }

// A file's data as a URL: the data: URL of inline base64, or the URL given. FileData is tagged in
// v4 ({type: data|url}); v2/v3 send a string: a data: URL or an http(s) URL as it is, anything
// else base64. An image whose media type the SDK could not detect ("image") is labelled image/png.
std::variant<std::string, Error> file_url(const json::value& data, std::string_view media_type,
                                          const std::string& param) {
  std::string_view data_type = media_type == "image" ? "image/png" : media_type;
  auto inline_url = [&](std::string_view base64) { return fmt::format("data:{};base64,{}", data_type, base64); };
  if (data.is_string()) {
    std::string_view text = data.get_string();
    if (text.starts_with("data:") || text.starts_with("http://") || text.starts_with("https://"))
      return std::string(text);
    return inline_url(text);
  }
  auto object = as_object(data, param);
  if (auto* error = std::get_if<Error>(&object)) return *error;
  const json::object& source = *std::get<const json::object*>(object);
  std::string_view type = string_field(source, "type");
  if (type == "data" || type == "url") {
    auto text = required_string(source, type, param);
    if (auto* error = std::get_if<Error>(&text)) return *error;
    return type == "data" ? inline_url(std::get<std::string_view>(text))
                          : std::string(std::get<std::string_view>(text));
  }
  if (type == "reference")
    return invalid(param + ": provider file references cannot be sent; send the file's data or URL", param);
  return invalid(path(param, "type") + " must be data, url or text", path(param, "type"));
}

// A file part of a user message: an image as image_url, inline text (FileData {type: "text"}) as a
// text part, any other file as chat's file part. Files other than images are not fetched from URLs.
std::variant<json::object, Error> file_part(const json::object& part, const std::string& param) {
  auto media = required_string(part, "mediaType", param);
  if (auto* error = std::get_if<Error>(&media)) return *error;
  std::string_view media_type = std::get<std::string_view>(media);
  const json::value* data = given(part, "data");
  if (!data) return invalid(param + ".data is required", path(param, "data"));
  if (data->is_object() && string_field(data->get_object(), "type") == "text") {
    auto text = required_string(data->get_object(), "text", path(param, "data"));
    if (auto* error = std::get_if<Error>(&text)) return *error;
    return json::object{{"type", "text"}, {"text", std::get<std::string_view>(text)}};
  }
  auto url = file_url(*data, media_type, path(param, "data"));
  if (auto* error = std::get_if<Error>(&url)) return *error;
  std::string& location = std::get<std::string>(url);
  if (is_image(media_type)) return json::object{{"type", "image_url"}, {"image_url", {{"url", location}}}};
  if (!location.starts_with("data:"))
    return invalid(path(param, "data") +
                       ": files other than images are not fetched from URLs by this gateway; send the file's data",
                   path(param, "data"));
  json::object file{{"file_data", std::move(location)}};
  if (auto* filename = given(part, "filename")) {
    if (!filename->is_string()) return invalid(param + ".filename must be a string", path(param, "filename"));
    file["filename"] = *filename;
  }
  return json::object{{"type", "file"}, {"file", std::move(file)}};
}

// A user message's content: one text part as a string (as chat clients send it), else chat parts.
std::variant<json::value, Error> user_content(const json::array& parts, const std::string& param) {
  json::array out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string at = path(param, i);
    auto object = as_object(parts[i], at);
    if (auto* error = std::get_if<Error>(&object)) return *error;
    const json::object& part = *std::get<const json::object*>(object);
    std::string_view type = string_field(part, "type");
    if (type == "text") {
      auto text = required_string(part, "text", at);
      if (auto* error = std::get_if<Error>(&text)) return *error;
      out.push_back(json::object{{"type", "text"}, {"text", std::get<std::string_view>(text)}});
    } else if (type == "file") {
      auto file = file_part(part, at);
      if (auto* error = std::get_if<Error>(&file)) return *error;
      out.push_back(std::get<json::object>(std::move(file)));
    } else {
      return invalid(fmt::format("{}.type '{}' is not a user content part (text or file)", at, shown(type)),
                     path(at, "type"));
    }
  }
  if (out.size() == 1 && string_field(out.front().get_object(), "type") == "text")
    return json::value(out.front().get_object()["text"]);
  return json::value(std::move(out));
}

// A tool call's input (the parsed JSON value) as chat arguments: an object as JSON text, a string
// holding a JSON object as it is, anything else "{}" (as @ai-sdk/openai does, so a call the model
// got wrong can still be answered on any route).
std::string call_arguments(const json::value* input) {
  if (input && input->is_object()) return serialize_json(*input);
  if (input && input->is_string()) {
    boost::system::error_code ec;
    json::value parsed = parse_json(input->get_string(), ec);
    if (!ec && parsed.is_object()) return std::string(input->get_string());
  }
  return "{}";
}

// One assistant message being built: its text, its first signed reasoning (the chat extension
// carries one) and its tool calls.
struct AssistantTurn {
  std::string text;
  std::string_view reasoning, signature;
  json::array tool_calls;
};

std::optional<Error> add_tool_call(AssistantTurn& turn, const json::object& part, const std::string& param) {
  if (auto* executed = given(part, "providerExecuted"); executed && executed->is_bool() && executed->get_bool())
    return std::nullopt;  // the provider ran it (a web search): chat cannot replay it
  auto id = required_string(part, "toolCallId", param);
  if (auto* error = std::get_if<Error>(&id)) return *error;
  auto name = required_string(part, "toolName", param);
  if (auto* error = std::get_if<Error>(&name)) return *error;
  json::object call{
      {"id", std::get<std::string_view>(id)},
      {"type", "function"},
      {"function", {{"name", std::get<std::string_view>(name)}, {"arguments", call_arguments(given(part, "input"))}}}};
  const json::object& google = object_field(object_field(part, "providerOptions"), "google");
  if (auto signature = string_field(google, "thoughtSignature"); !signature.empty())
    call["thought_signature"] = signature;
  turn.tool_calls.push_back(std::move(call));
  return std::nullopt;
}

// One part of an assistant message into `turn`. Files the model made, custom parts, reasoning
// files and results of tools the provider ran are history chat has no place for: left out.
std::optional<Error> add_assistant_part(AssistantTurn& turn, const json::value& value, const std::string& param) {
  auto object = as_object(value, param);
  if (auto* error = std::get_if<Error>(&object)) return *error;
  const json::object& part = *std::get<const json::object*>(object);
  std::string_view type = string_field(part, "type");
  if (type == "text" || type == "reasoning") {
    auto text = required_string(part, "text", param);
    if (auto* error = std::get_if<Error>(&text)) return *error;
    if (type == "text") {
      turn.text += std::get<std::string_view>(text);
      return std::nullopt;
    }
    const json::object& anthropic = object_field(object_field(part, "providerOptions"), "anthropic");
    if (auto signature = string_field(anthropic, "signature"); !signature.empty() && turn.signature.empty()) {
      turn.reasoning = std::get<std::string_view>(text);
      turn.signature = signature;
    }
    return std::nullopt;
  }
  if (type == "tool-call") return add_tool_call(turn, part, param);
  if (type == "file" || type == "reasoning-file" || type == "custom" || type == "tool-result") return std::nullopt;
  return invalid(fmt::format("{}.type '{}' is not an assistant content part", param, shown(type)), path(param, "type"));
}

std::variant<json::object, Error> assistant_message(const json::array& parts, const std::string& param) {
  AssistantTurn turn;
  for (std::size_t i = 0; i < parts.size(); ++i)
    if (auto error = add_assistant_part(turn, parts[i], path(param, i))) return *error;
  json::object message{{"role", "assistant"}};
  // Chat wants null content beside tool calls when there is no text.
  message["content"] = turn.text.empty() && !turn.tool_calls.empty() ? json::value(nullptr) : json::value(turn.text);
  if (!turn.tool_calls.empty()) message["tool_calls"] = std::move(turn.tool_calls);
  if (!turn.signature.empty()) {
    message["reasoning"] = turn.reasoning;
    message["reasoning_signature"] = turn.signature;
  }
  return message;
}

// The text of a tool result's `content` output: its text items joined by newlines. Files cannot go
// into a chat tool message, and are refused rather than lost.
std::variant<std::string, Error> content_output_text(const json::value* value, const std::string& param) {
  if (!value || !value->is_array()) return invalid(param + " must be an array", param);
  std::string text;
  for (std::size_t i = 0; i < value->get_array().size(); ++i) {
    const std::string at = path(param, i);
    auto object = as_object(value->get_array()[i], at);
    if (auto* error = std::get_if<Error>(&object)) return *error;
    const json::object& item = *std::get<const json::object*>(object);
    if (string_field(item, "type") != "text")
      return invalid(path(at, "type") + ": tool results sent to chat providers can hold only text items",
                     path(at, "type"));
    auto item_text = required_string(item, "text", at);
    if (auto* error = std::get_if<Error>(&item_text)) return *error;
    if (i) text += '\n';
    text += std::get<std::string_view>(item_text);
  }
  return text;
}

// A tool result's output (text, json, error-text, error-json, execution-denied, content) as the
// tool message's text: text as it is, JSON values as JSON text.
std::variant<std::string, Error> tool_output_text(const json::object& part, const std::string& param) {
  const std::string at = path(param, "output");
  const json::value* given_output = given(part, "output");
  if (!given_output) return invalid(at + " is required", at);
  auto object = as_object(*given_output, at);
  if (auto* error = std::get_if<Error>(&object)) return *error;
  const json::object& output = *std::get<const json::object*>(object);
  std::string_view type = string_field(output, "type");
  const json::value* value = given(output, "value");
  if (type == "text" || type == "error-text") {
    if (!value || !value->is_string()) return invalid(at + ".value must be a string", path(at, "value"));
    return std::string(value->get_string());
  }
  if (type == "json" || type == "error-json") return value ? serialize_json(*value) : std::string("null");
  if (type == "execution-denied") {
    const json::value* reason = given(output, "reason");
    if (reason && !reason->is_string()) return invalid(at + ".reason must be a string", path(at, "reason"));
    return reason ? std::string(reason->get_string()) : std::string("Tool call execution denied.");
  }
  if (type == "content") return content_output_text(value, path(at, "value"));
  return invalid(fmt::format("{}.type '{}' is not a tool result output type", at, shown(type)), path(at, "type"));
}

// A tool message's results, one chat tool message each. Approval responses are for tools the
// provider runs, which chat cannot replay: left out.
std::optional<Error> add_tool_results(json::array& messages, const json::array& parts, const std::string& param) {
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string at = path(param, i);
    auto object = as_object(parts[i], at);
    if (auto* error = std::get_if<Error>(&object)) return *error;
    const json::object& part = *std::get<const json::object*>(object);
    std::string_view type = string_field(part, "type");
    if (type == "tool-approval-response") continue;
    if (type != "tool-result")
      return invalid(fmt::format("{}.type '{}' is not a tool content part", at, shown(type)), path(at, "type"));
    auto id = required_string(part, "toolCallId", at);
    if (auto* error = std::get_if<Error>(&id)) return *error;
    auto text = tool_output_text(part, at);
    if (auto* error = std::get_if<Error>(&text)) return *error;
    messages.push_back(json::object{{"role", "tool"},
                                    {"tool_call_id", std::get<std::string_view>(id)},
                                    {"content", std::get<std::string>(std::move(text))}});
  }
  return std::nullopt;
}

// One prompt message as chat messages (a tool message may give several, or none).
std::optional<Error> add_message(json::array& messages, const json::value& value, std::size_t index) {
  const std::string param = path("prompt", index);
  auto object = as_object(value, param);
  if (auto* error = std::get_if<Error>(&object)) return *error;
  const json::object& message = *std::get<const json::object*>(object);
  std::string_view role = string_field(message, "role");
  if (role == "system") {
    auto text = required_string(message, "content", param);
    if (auto* error = std::get_if<Error>(&text)) return *error;
    messages.push_back(json::object{{"role", "system"}, {"content", std::get<std::string_view>(text)}});
    return std::nullopt;
  }
  if (role != "user" && role != "assistant" && role != "tool")
    return invalid(param + ".role must be system, user, assistant or tool", path(param, "role"));
  auto content = content_array(message, param);
  if (auto* error = std::get_if<Error>(&content)) return *error;
  const json::array& parts = *std::get<const json::array*>(content);
  if (role == "tool") return add_tool_results(messages, parts, path(param, "content"));
  if (role == "assistant") {
    auto out = assistant_message(parts, path(param, "content"));
    if (auto* error = std::get_if<Error>(&out)) return *error;
    messages.push_back(std::get<json::object>(std::move(out)));
    return std::nullopt;
  }
  auto out = user_content(parts, path(param, "content"));
  if (auto* error = std::get_if<Error>(&out)) return *error;
  messages.push_back(json::object{{"role", "user"}, {"content", std::get<json::value>(std::move(out))}});
  return std::nullopt;
}

// The sampling options, checked and renamed: numbers, whole numbers, or whole numbers from 1.
std::optional<Error> add_sampling(const json::object& options, json::object& chat) {
  enum class Kind { number, whole, positive };
  struct Option {
    const char* from;
    const char* to;
    Kind kind;
  };
  static constexpr Option kOptions[] = {{"maxOutputTokens", "max_completion_tokens", Kind::positive},
                                        {"temperature", "temperature", Kind::number},
                                        {"topP", "top_p", Kind::number},
                                        {"topK", "top_k", Kind::positive},
                                        {"presencePenalty", "presence_penalty", Kind::number},
                                        {"frequencyPenalty", "frequency_penalty", Kind::number},
                                        {"seed", "seed", Kind::whole}};
  for (const Option& option : kOptions) {
    const json::value* value = given(options, option.from);
    if (!value) continue;
    if (option.kind == Kind::number && !value->is_number())
      return invalid(fmt::format("{} must be a number", option.from), option.from);
    if (option.kind != Kind::number && !value->is_int64())
      return invalid(fmt::format("{} must be a whole number", option.from), option.from);
    if (option.kind == Kind::positive && value->get_int64() < 1)
      return invalid(fmt::format("{} must be at least 1", option.from), option.from);
    chat[option.to] = *value;
  }
  if (const json::value* stops = given(options, "stopSequences")) {
    if (!stops->is_array()) return invalid("stopSequences must be an array of strings", "stopSequences");
    for (std::size_t i = 0; i < stops->get_array().size(); ++i)
      if (!stops->get_array()[i].is_string())
        return invalid(path("stopSequences", i) + " must be a string", path("stopSequences", i));
    if (!stops->get_array().empty()) chat["stop"] = *stops;
  }
  return std::nullopt;
}

// `reasoning` as chat's reasoning_effort: provider-default leaves it to the provider, the two
// levels above high are high.
std::optional<Error> add_reasoning(const json::object& options, json::object& chat) {
  const json::value* value = given(options, "reasoning");
  if (!value) return std::nullopt;
  std::string_view level = value->is_string() ? std::string_view(value->get_string()) : std::string_view();
  if (level == "none" || level == "minimal" || level == "low" || level == "medium" || level == "high")
    chat["reasoning_effort"] = level;
  else if (level == "xhigh" || level == "max")
    chat["reasoning_effort"] = "high";
  else if (level != "provider-default")
    return invalid("reasoning must be one of provider-default, none, minimal, low, medium, high, xhigh, max",
                   "reasoning");
  return std::nullopt;
}

// True for a provider's own web search: openai.web_search, openai.web_search_preview,
// google.google_search, and Anthropic's dated anthropic.web_search_20250305 and later.
bool is_web_search_tool(std::string_view id) {
  auto dot = id.rfind('.');
  std::string_view tool = dot == std::string_view::npos ? std::string_view() : id.substr(dot + 1);
  return tool == "web_search" || tool == "google_search" || tool.starts_with("web_search_");
}

// A provider tool ({type: "provider" (v3/v4) or "provider-defined" (v2), id: "<provider>.<tool>"}):
// a web search becomes the web_search extension, which every adapter maps to its provider's own.
std::optional<Error> add_provider_tool(const json::object& tool, const std::string& param, bool& search,
                                       json::array& list) {
  auto id = required_string(tool, "id", param);
  if (auto* error = std::get_if<Error>(&id)) return *error;
  std::string_view name = std::get<std::string_view>(id);
  if (!is_web_search_tool(name))
    return invalid(fmt::format("{}: the provider tool '{}' is not supported (web search tools are)", path(param, "id"),
                               shown(name)),
                   path(param, "id"));
  if (!search) list.push_back(json::object{{"type", "web_search"}});  // one search tool, however many are named
  search = true;
  return std::nullopt;
}

std::variant<json::object, Error> function_tool(const json::object& tool, const std::string& param) {
  auto name = required_string(tool, "name", param);
  if (auto* error = std::get_if<Error>(&name)) return *error;
  json::object function{{"name", std::get<std::string_view>(name)}};
  if (const json::value* description = given(tool, "description")) {
    if (!description->is_string()) return invalid(param + ".description must be a string", path(param, "description"));
    function["description"] = *description;
  }
  const json::value* schema = given(tool, "inputSchema");
  if (schema && !schema->is_object())
    return invalid(param + ".inputSchema must be an object", path(param, "inputSchema"));
  function["parameters"] = schema ? *schema : json::object{{"type", "object"}};
  if (const json::value* strict = given(tool, "strict")) {
    if (!strict->is_bool()) return invalid(param + ".strict must be a boolean", path(param, "strict"));
    function["strict"] = *strict;
  }
  return json::object{{"type", "function"}, {"function", std::move(function)}};
}

std::optional<Error> add_tools(const json::object& options, json::object& chat) {
  const json::value* tools = given(options, "tools");
  if (!tools) return std::nullopt;
  if (!tools->is_array()) return invalid("tools must be an array", "tools");
  json::array list;
  bool search = false;
  for (std::size_t i = 0; i < tools->get_array().size(); ++i) {
    const std::string param = path("tools", i);
    auto object = as_object(tools->get_array()[i], param);
    if (auto* error = std::get_if<Error>(&object)) return *error;
    const json::object& tool = *std::get<const json::object*>(object);
    std::string_view type = string_field(tool, "type");
    if (type == "function") {
      auto function = function_tool(tool, param);
      if (auto* error = std::get_if<Error>(&function)) return *error;
      list.push_back(std::get<json::object>(std::move(function)));
    } else if (type == "provider" || type == "provider-defined") {
      if (auto error = add_provider_tool(tool, param, search, list)) return *error;
    } else {
      return invalid(fmt::format("{}.type '{}' must be function or provider", param, shown(type)), path(param, "type"));
    }
  }
  if (!list.empty()) chat["tools"] = std::move(list);
  return std::nullopt;
}

// toolChoice, kept only beside tools: generateText always sends one, and chat hosts refuse a
// tool_choice without tools.
std::optional<Error> add_tool_choice(const json::object& options, json::object& chat) {
  const json::value* value = given(options, "toolChoice");
  if (!value) return std::nullopt;
  auto object = as_object(*value, "toolChoice");
  if (auto* error = std::get_if<Error>(&object)) return *error;
  const json::object& choice = *std::get<const json::object*>(object);
  std::string_view type = string_field(choice, "type");
  json::value mapped;
  if (type == "auto" || type == "none" || type == "required") {
    mapped = type;
  } else if (type == "tool") {
    auto name = required_string(choice, "toolName", "toolChoice");
    if (auto* error = std::get_if<Error>(&name)) return *error;
    mapped = json::object{{"type", "function"}, {"function", {{"name", std::get<std::string_view>(name)}}}};
  } else {
    return invalid("toolChoice.type must be auto, none, required or tool", "toolChoice.type");
  }
  if (chat.contains("tools")) chat["tool_choice"] = std::move(mapped);
  return std::nullopt;
}

// responseFormat {type: "json"} as response_format: json_schema with a schema (named "response"
// when the caller gave no name), json_object without one.
std::optional<Error> add_response_format(const json::object& options, json::object& chat) {
  const json::value* value = given(options, "responseFormat");
  if (!value) return std::nullopt;
  auto object = as_object(*value, "responseFormat");
  if (auto* error = std::get_if<Error>(&object)) return *error;
  const json::object& format = *std::get<const json::object*>(object);
  std::string_view type = string_field(format, "type");
  if (type == "text") return std::nullopt;
  if (type != "json") return invalid("responseFormat.type must be text or json", "responseFormat.type");
  const json::value* schema = given(format, "schema");
  if (!schema) {
    chat["response_format"] = json::object{{"type", "json_object"}};
    return std::nullopt;
  }
  if (!schema->is_object()) return invalid("responseFormat.schema must be an object", "responseFormat.schema");
  json::object spec{{"name", "response"}};
  for (const char* key : {"name", "description"})
    if (const json::value* text = given(format, key)) {
      if (!text->is_string())
        return invalid(fmt::format("responseFormat.{} must be a string", key), path("responseFormat", key));
      spec[key] = *text;
    }
  spec["schema"] = *schema;
  chat["response_format"] = json::object{{"type", "json_schema"}, {"json_schema", std::move(spec)}};
  return std::nullopt;
}

}  // namespace

std::variant<json::object, Error> chat_from_call_options(const json::object& options, std::string_view model,
                                                         bool stream) {
  const json::value* prompt = given(options, "prompt");
  if (!prompt || !prompt->is_array() || prompt->get_array().empty())
    return invalid("prompt must be a non-empty array of messages", "prompt");
  json::array messages;
  for (std::size_t i = 0; i < prompt->get_array().size(); ++i)
    if (auto error = add_message(messages, prompt->get_array()[i], i)) return *error;
  json::object chat{{"model", model}, {"messages", std::move(messages)}};
  for (auto add : {add_sampling, add_reasoning, add_tools, add_tool_choice, add_response_format})
    if (auto error = add(options, chat)) return *error;
  if (stream) {
    chat["stream"] = true;
    chat["stream_options"] = json::object{{"include_usage", true}};  // the finish part tells usage
  }
  return chat;
}

std::variant<json::object, Error> embeddings_from_call_options(const json::object& body, std::string_view model) {
  // v3/v4 send `values`; v2 sent `input`, a bare string for one value.
  const char* key = body.contains("values") ? "values" : "input";
  const json::value* values = given(body, key);
  json::array input;
  if (values && values->is_string() && std::string_view(key) == "input") input.push_back(*values);
  if (values && values->is_array()) input = values->get_array();
  if (input.empty()) return invalid(fmt::format("{} must be a non-empty array of strings", key), key);
  for (std::size_t i = 0; i < input.size(); ++i)
    if (!input[i].is_string()) return invalid(path(key, i) + " must be a string", path(key, i));
  json::object request{{"model", model}, {"input", std::move(input)}};
  if (const json::value* dimensions = given(body, "dimensions")) {
    if (!dimensions->is_int64() || dimensions->get_int64() < 1)
      return invalid("dimensions must be a whole number of at least 1", "dimensions");
    request["dimensions"] = *dimensions;
  }
  return request;
}

}  // namespace switchyard
