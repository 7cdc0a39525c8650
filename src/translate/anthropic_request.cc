#include "translate/anthropic_request.h"

#include <fmt/format.h>
#include <boost/json.hpp>

#include "translate/json_fields.h"
#include "translate/openai_request_reader.h"

namespace switchyard {
namespace json = boost::json;
namespace {

Error unsupported(std::string what, std::string param = "messages") {
  return make_error(ErrorKind::bad_request, std::move(what), std::move(param));
}

// A content part kept with its cache_control, which Anthropic reads on any block.
void carry_cache_control(const json::object& from, json::object& to) {
  if (auto* cc = from.if_contains("cache_control")) to["cache_control"] = *cc;
}

std::variant<json::object, Error> image_block(const json::object& part) {
  const json::value* image = part.if_contains("image_url");
  std::string_view url;
  if (image && image->is_object())
    if (auto* u = image->get_object().if_contains("url"); u && u->is_string()) url = u->get_string();
  if (image && image->is_string()) url = image->get_string();
  if (url.empty()) return unsupported("an image_url part needs a url");
  json::object source;
  if (auto inline_image = openai_in::parse_data_url(url))
    source = {{"type", "base64"}, {"media_type", inline_image->media_type}, {"data", inline_image->base64}};
  else if (url.starts_with("http://") || url.starts_with("https://"))
    source = {{"type", "url"}, {"url", url}};
  else
    return unsupported("image URLs must be data: (base64) or http(s) URLs");
  return json::object{{"type", "image"}, {"source", std::move(source)}};
}

// A message's content as Anthropic content blocks.
std::variant<json::array, Error> content_blocks(const json::value* content) {
  json::array blocks;
  if (!content || content->is_null()) return blocks;
  if (content->is_string()) {
    if (!content->get_string().empty())
      blocks.push_back(json::object{{"type", "text"}, {"text", content->get_string()}});
    return blocks;
  }
  if (!content->is_array()) return unsupported("message content must be a string or an array of parts");
  for (const auto& p : content->get_array()) {
    if (!p.is_object()) return unsupported("content parts must be objects");
    const auto& part = p.get_object();
    std::string_view type = json_fields::string_field(part, "type");
    json::object block;
    if (type == "text") {
      block = {{"type", "text"}, {"text", json_fields::member_or(part, "text", json::value(""))}};
    } else if (type == "image_url") {
      auto image = image_block(part);
      if (auto* error = std::get_if<Error>(&image)) return *error;
      block = std::get<json::object>(std::move(image));
    } else {
      return unsupported(fmt::format("content parts of type '{}' cannot be sent to an Anthropic provider", type));
    }
    carry_cache_control(part, block);
    blocks.push_back(std::move(block));
  }
  return blocks;
}

std::variant<json::value, Error> tool_choice(const json::value& choice) {
  if (choice.is_string()) {
    std::string_view c = choice.get_string();
    if (c == "auto") return json::object{{"type", "auto"}};
    if (c == "none") return json::object{{"type", "none"}};
    if (c == "required") return json::object{{"type", "any"}};
  }
  if (choice.is_object())
    if (auto* function = choice.get_object().if_contains("function"); function && function->is_object())
      if (auto* name = function->get_object().if_contains("name"); name && name->is_string())
        return json::object{{"type", "tool"}, {"name", *name}};
  return unsupported("tool_choice must be auto, none, required or a named function", "tool_choice");
}

}  // namespace

int64_t anthropic_default_max_tokens(std::string_view model) {
  // The output limits Anthropic publishes per family; older or unknown models get a safe 4096.
  if (model.find("opus-4") != std::string_view::npos) return 32000;
  if (model.find("sonnet-4") != std::string_view::npos || model.find("3-7-sonnet") != std::string_view::npos ||
      model.find("haiku-4") != std::string_view::npos)
    return 64000;
  if (model.find("3-5") != std::string_view::npos) return 8192;
  return 4096;
}

std::variant<json::object, Error> anthropic_request_from_openai(const json::object& openai, std::string_view model) {
  static const openai_in::ConversationStyle style{
      "an Anthropic provider",
      "assistant",
      "content",
      content_blocks,
      [](openai_in::ToolCallIn& call) -> json::value {
        return json::object{
            {"type", "tool_use"}, {"id", call.id}, {"name", call.name}, {"input", std::move(call.arguments)}};
      },
      [](std::string_view id, std::string text) -> std::variant<json::value, Error> {
        return json::object{{"type", "tool_result"}, {"tool_use_id", id}, {"content", std::move(text)}};
      },
      [](std::string_view text, std::string_view signature) -> json::value {
        return json::object{{"type", "thinking"}, {"thinking", text}, {"signature", signature}};
      }};
  auto conversation = openai_in::build_conversation(openai, style);
  if (auto* error = std::get_if<Error>(&conversation)) return *error;
  auto& [system, messages] = std::get<openai_in::Conversation>(conversation);
  json::object out{{"model", model}};
  if (!system.empty()) out["system"] = std::move(system);
  out["messages"] = std::move(messages);
  out["max_tokens"] = openai_in::max_output_tokens(openai).value_or(anthropic_default_max_tokens(model));

  // What Anthropic cannot give is refused, never dropped: a model with other routes goes on to
  // one that can (the attempt loop skips a route whose request cannot be built).
  if (json_fields::int_field(openai, "n") > 1)
    return unsupported("Anthropic answers with one choice per request: 'n' must be 1 on this route", "n");
  if (auto* logprobs = openai.if_contains("logprobs"); logprobs && logprobs->is_bool() && logprobs->get_bool())
    return unsupported("Anthropic does not return log probabilities: 'logprobs' must be false on this route",
                       "logprobs");
  for (const char* key : {"temperature", "top_p", "top_k"})
    if (auto* v = openai.if_contains(key); v && !v->is_null()) out[key] = *v;
  if (auto stops = openai_in::stop_sequences(openai); !stops.empty()) {
    json::array list;
    for (auto& s : stops) list.push_back(json::value(s));
    out["stop_sequences"] = std::move(list);
  }
  if (auto* stream = openai.if_contains("stream"); stream && stream->is_bool() && stream->get_bool())
    out["stream"] = true;
  if (auto* user = openai.if_contains("user"); user && user->is_string())
    out["metadata"] = json::object{{"user_id", *user}};
  if (auto budget = openai_in::thinking_budget(openai)) {
    int64_t max_tokens = json_fields::int_field(out, "max_tokens");
    if (*budget >= max_tokens) out["max_tokens"] = *budget + 4096;  // the budget must stay below max_tokens
    out["thinking"] = json::object{{"type", "enabled"}, {"budget_tokens", *budget}};
  }

  if (auto* tools = openai.if_contains("tools"); tools && tools->is_array() && !tools->get_array().empty()) {
    json::array list;
    for (const auto& t : tools->get_array()) {
      if (openai_in::is_web_search(t)) {  // Anthropic runs the search itself
        list.push_back(json::object{{"type", "web_search_20250305"}, {"name", "web_search"}});
        continue;
      }
      const json::value* function = t.is_object() ? t.get_object().if_contains("function") : nullptr;
      if (!function || !function->is_object() || !function->get_object().contains("name"))
        return unsupported("each tool needs a function with a name", "tools");
      const auto& f = function->get_object();
      json::object tool{{"name", json_fields::member_or(f, "name", "")},
                        {"input_schema", json_fields::member_or(f, "parameters", json::object{{"type", "object"}})}};
      if (auto* d = f.if_contains("description")) tool["description"] = *d;
      carry_cache_control(t.get_object(), tool);
      list.push_back(std::move(tool));
    }
    out["tools"] = std::move(list);
  }
  if (auto* choice = openai.if_contains("tool_choice"); choice && !choice->is_null()) {
    auto mapped = tool_choice(*choice);
    if (auto* error = std::get_if<Error>(&mapped)) return *error;
    out["tool_choice"] = std::get<json::value>(std::move(mapped));
  }
  if (auto* parallel = openai.if_contains("parallel_tool_calls");
      parallel && parallel->is_bool() && !parallel->get_bool()) {
    if (!out.contains("tool_choice")) out["tool_choice"] = json::object{{"type", "auto"}};
    if (auto* choice = out["tool_choice"].if_object()) (*choice)["disable_parallel_tool_use"] = true;
  }
  if (auto* format = openai.if_contains("response_format"); format && format->is_object()) {
    const auto& f = format->get_object();
    if (json_fields::string_field(f, "type") == "json_schema") {
      const json::value* schema = json_fields::object_field(f, "json_schema").if_contains("schema");
      if (!schema) return unsupported("response_format.json_schema.schema is required", "response_format");
      out["output_format"] = json::object{{"type", "json_schema"}, {"schema", *schema}};
    }
  }
  return out;
}

}  // namespace switchyard
