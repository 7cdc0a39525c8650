#include "translate/gemini_request.h"

#include <fmt/format.h>
#include <algorithm>
#include <boost/json.hpp>
#include <map>

#include "translate/json_fields.h"
#include "translate/json_parse.h"
#include "translate/openai_request_reader.h"

namespace switchyard {
namespace json = boost::json;
namespace {

Error unsupported(std::string what, std::string param = "messages") {
  return make_error(ErrorKind::bad_request, std::move(what), std::move(param));
}

// Gemini takes an OpenAPI subset of JSON Schema and refuses keys outside it.
json::value gemini_schema(const json::value& schema) {
  if (schema.is_array()) {
    json::array out;
    for (const auto& item : schema.get_array()) out.push_back(gemini_schema(item));
    return out;
  }
  if (!schema.is_object()) return schema;
  json::object out;
  for (const auto& [key, value] : schema.get_object()) {
    if (key == "$schema" || key == "additionalProperties" || key == "strict" || key == "$id") continue;
    if (key == "properties" && value.is_object()) {  // names of properties are data, not keywords
      json::object properties;
      for (const auto& [name, sub] : value.get_object()) properties[name] = gemini_schema(sub);
      out[key] = std::move(properties);
    } else {
      out[key] = key == "items" || key == "anyOf" ? gemini_schema(value) : value;
    }
  }
  return out;
}

std::string media_type_for(std::string_view url) {
  if (url.ends_with(".png")) return "image/png";
  if (url.ends_with(".gif")) return "image/gif";
  if (url.ends_with(".webp")) return "image/webp";
  return "image/jpeg";
}

std::variant<json::array, Error> parts_of(const json::value* content) {
  json::array parts;
  if (!content || content->is_null()) return parts;
  if (content->is_string()) {
    if (!content->get_string().empty()) parts.push_back(json::object{{"text", content->get_string()}});
    return parts;
  }
  if (!content->is_array()) return unsupported("message content must be a string or an array of parts");
  for (const auto& p : content->get_array()) {
    if (!p.is_object()) return unsupported("content parts must be objects");
    const auto& part = p.get_object();
    std::string_view type = json_fields::string_field(part, "type");
    if (type == "text") {
      parts.push_back(json::object{{"text", json_fields::member_or(part, "text", json::value(""))}});
    } else if (type == "image_url") {
      std::string_view url;
      if (auto* image = part.if_contains("image_url"); image && image->is_object())
        if (auto* u = image->get_object().if_contains("url"); u && u->is_string()) url = u->get_string();
      if (auto inline_image = openai_in::parse_data_url(url))
        parts.push_back(
            json::object{{"inlineData", {{"mimeType", inline_image->media_type}, {"data", inline_image->base64}}}});
      else if (url.starts_with("http://") || url.starts_with("https://"))
        parts.push_back(json::object{{"fileData", {{"mimeType", media_type_for(url)}, {"fileUri", url}}}});
      else
        return unsupported("image URLs must be data: (base64) or http(s) URLs");
    } else {
      return unsupported(fmt::format("content parts of type '{}' cannot be sent to a Gemini provider", type));
    }
  }
  return parts;
}

std::variant<json::object, Error> function_calling(const json::value& choice) {
  if (choice.is_string()) {
    std::string_view c = choice.get_string();
    if (c == "auto") return json::object{{"mode", "AUTO"}};
    if (c == "none") return json::object{{"mode", "NONE"}};
    if (c == "required") return json::object{{"mode", "ANY"}};
  }
  if (choice.is_object())
    if (auto* function = choice.get_object().if_contains("function"); function && function->is_object())
      if (auto* name = function->get_object().if_contains("name"); name && name->is_string())
        return json::object{{"mode", "ANY"}, {"allowedFunctionNames", json::array{*name}}};
  return unsupported("tool_choice must be auto, none, required or a named function", "tool_choice");
}

}  // namespace

std::variant<json::object, Error> gemini_embeddings_request_from_openai(const json::object& openai,
                                                                        std::string_view upstream_model) {
  const json::value* input = openai.if_contains("input");
  json::array texts;
  if (input && input->is_string()) texts.push_back(*input);
  if (input && input->is_array()) texts = input->get_array();
  if (texts.empty() || !std::all_of(texts.begin(), texts.end(), [](const json::value& t) { return t.is_string(); }))
    return unsupported(
        "'input' must be a string or a non-empty list of strings (token arrays cannot be sent to a Gemini provider)",
        "input");
  const json::value* dimensions = openai.if_contains("dimensions");
  if (dimensions && !dimensions->is_null() && !(dimensions->is_int64() && dimensions->get_int64() > 0))
    return unsupported("'dimensions' must be a positive whole number", "dimensions");
  const std::string model = fmt::format("models/{}", upstream_model);
  json::array requests;
  for (auto& text : texts) {
    json::object request{{"model", model},
                         {"content", {{"parts", json::array{json::object{{"text", std::move(text)}}}}}}};
    if (dimensions && !dimensions->is_null()) request["outputDimensionality"] = *dimensions;
    requests.push_back(std::move(request));
  }
  return json::object{{"requests", std::move(requests)}};
}

std::variant<json::object, Error> gemini_request_from_openai(const json::object& openai) {
  std::map<std::string, std::string, std::less<>> tool_names;  // tool_call_id -> function name, for the results
  const openai_in::ConversationStyle style{
      "a Gemini provider",
      "model",
      "parts",
      parts_of,
      [&](openai_in::ToolCallIn& call) -> json::value {
        tool_names[std::string(call.id)] = std::string(call.name);
        json::object part{{"functionCall", {{"name", call.name}, {"args", std::move(call.arguments)}}}};
        if (!call.thought_signature.empty()) part["thoughtSignature"] = call.thought_signature;
        return part;
      },
      [&](std::string_view id, std::string text) -> std::variant<json::value, Error> {
        auto name = tool_names.find(id);
        if (name == tool_names.end())
          return unsupported(fmt::format("tool message '{}' answers no earlier tool call", id));
        // A JSON object result goes as it is; anything else is wrapped, as Gemini wants an object.
        boost::system::error_code ec;
        json::value result = parse_json(text, ec);
        json::value response = !ec && result.is_object() ? result : json::value(json::object{{"result", text}});
        return json::object{{"functionResponse", {{"name", name->second}, {"response", std::move(response)}}}};
      }};
  auto conversation = openai_in::build_conversation(openai, style);
  if (auto* error = std::get_if<Error>(&conversation)) return *error;
  auto& [system, contents] = std::get<openai_in::Conversation>(conversation);

  json::object out{{"contents", std::move(contents)}};
  if (!system.empty()) out["systemInstruction"] = json::object{{"parts", std::move(system)}};

  json::object config;
  if (auto* v = openai.if_contains("temperature"); v && !v->is_null()) config["temperature"] = *v;
  // The sampling options Gemini has under its own names: none is dropped in silence.
  for (auto [from, to] : {std::pair{"top_p", "topP"},
                          {"top_k", "topK"},
                          {"seed", "seed"},
                          {"presence_penalty", "presencePenalty"},
                          {"frequency_penalty", "frequencyPenalty"}})
    if (auto* v = openai.if_contains(from); v && !v->is_null()) config[to] = *v;
  if (int64_t n = json_fields::int_field(openai, "n"); n > 1) {
    // A stream's chunks would interleave the candidates, which the stream translation does not
    // keep apart: refused rather than merged (the attempt loop moves on to a route that can).
    if (auto* stream = openai.if_contains("stream"); stream && stream->is_bool() && stream->get_bool())
      return make_error(ErrorKind::bad_request, "a Gemini route streams one choice: 'n' must be 1 on streams", "n");
    config["candidateCount"] = n;
  }
  if (auto* logprobs = openai.if_contains("logprobs"); logprobs && logprobs->is_bool() && logprobs->get_bool()) {
    config["responseLogprobs"] = true;
    if (auto* top = openai.if_contains("top_logprobs"); top && top->is_int64()) config["logprobs"] = *top;
  }
  if (auto max = openai_in::max_output_tokens(openai)) config["maxOutputTokens"] = *max;
  if (auto stops = openai_in::stop_sequences(openai); !stops.empty()) {
    json::array list;
    for (auto& s : stops) list.push_back(json::value(s));
    config["stopSequences"] = std::move(list);
  }
  if (auto* format = openai.if_contains("response_format"); format && format->is_object()) {
    const auto& f = format->get_object();
    std::string_view type = json_fields::string_field(f, "type");
    if (type == "json_object" || type == "json_schema") config["responseMimeType"] = "application/json";
    if (type == "json_schema")
      if (auto* schema = json_fields::object_field(f, "json_schema").if_contains("schema"))
        config["responseSchema"] = gemini_schema(*schema);
  }
  if (auto budget = openai_in::thinking_budget(openai))
    config["thinkingConfig"] = json::object{{"thinkingBudget", *budget}};
  if (!config.empty()) out["generationConfig"] = std::move(config);

  if (auto* tools = openai.if_contains("tools"); tools && tools->is_array() && !tools->get_array().empty()) {
    json::array declarations, list;
    for (const auto& t : tools->get_array()) {
      if (openai_in::is_web_search(t)) {  // Gemini grounds answers in Google Search itself
        list.push_back(json::object{{"googleSearch", json::object{}}});
        continue;
      }
      const json::value* function = t.is_object() ? t.get_object().if_contains("function") : nullptr;
      if (!function || !function->is_object() || !function->get_object().contains("name"))
        return unsupported("each tool needs a function with a name", "tools");
      const auto& f = function->get_object();
      json::object declaration{{"name", json_fields::member_or(f, "name", "")}};
      if (auto* d = f.if_contains("description")) declaration["description"] = *d;
      if (auto* p = f.if_contains("parameters")) declaration["parameters"] = gemini_schema(*p);
      declarations.push_back(std::move(declaration));
    }
    if (!declarations.empty()) list.push_back(json::object{{"functionDeclarations", std::move(declarations)}});
    out["tools"] = std::move(list);
  }
  if (auto* choice = openai.if_contains("tool_choice"); choice && !choice->is_null()) {
    auto mapped = function_calling(*choice);
    if (auto* error = std::get_if<Error>(&mapped)) return *error;
    out["toolConfig"] = json::object{{"functionCallingConfig", std::get<json::object>(std::move(mapped))}};
  }
  return out;
}

}  // namespace switchyard
