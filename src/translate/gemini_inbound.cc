#include "translate/gemini_inbound.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <deque>
#include <map>
#include <optional>
#include <unordered_set>
#include <vector>

#include "translate/chat_chunk.h"
#include "translate/errors.h"
#include "translate/json_fields.h"
#include "translate/json_parse.h"
#include "translate/openai_request_reader.h"
#include "translate/reasoning_token.h"

namespace switchyard {
namespace json = boost::json;
using json_fields::int_field;
using json_fields::object_field;
using json_fields::string_field;
namespace {

// How a refusal of a Gemini-only feature ends.
constexpr std::string_view kNotElsewhere = "cannot be sent to this model's provider";

// OpenAI takes at most this many embedding inputs in one request.
constexpr std::size_t kMaxEmbeddingInputs = 2048;

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// Typed reads of what the client sent. A member of the wrong type reads as absent and keeps a
// bad_request Error naming it by its path (Gemini's camelCase, "contents[2].parts[0].text"); the
// first one kept is the one returned, once the caller has read what it needs. Null reads as absent,
// as Google reads it.
class FieldReader {
 public:
  // `key` under `path` ("" for the body itself).
  static std::string path_of(std::string_view path, std::string_view key) {
    return path.empty() ? std::string(key) : fmt::format("{}.{}", path, key);
  }

  const json::object* object(const json::object& parent, std::string_view path, std::string_view key) {
    const json::value* value = member(parent, path, key, is_object, "must be an object");
    return value ? &value->get_object() : nullptr;
  }
  const json::array* array(const json::object& parent, std::string_view path, std::string_view key) {
    const json::value* value = member(parent, path, key, is_array, "must be a list");
    return value ? &value->get_array() : nullptr;
  }
  // A list whose items are all strings.
  const json::array* strings(const json::object& parent, std::string_view path, std::string_view key) {
    const json::array* list = array(parent, path, key);
    for (std::size_t i = 0; list && i < list->size(); ++i)
      if (!(*list)[i].is_string()) {
        fail(fmt::format("{}[{}]", path_of(path, key), i), "must be a string");
        return nullptr;
      }
    return list;
  }
  std::optional<std::string_view> string(const json::object& parent, std::string_view path, std::string_view key) {
    const json::value* value = member(parent, path, key, is_string, "must be a string");
    return value ? std::optional<std::string_view>(value->get_string()) : std::nullopt;
  }
  // A string that must be there and not be empty.
  std::optional<std::string_view> required_string(const json::object& parent, std::string_view path,
                                                  std::string_view key) {
    auto value = string(parent, path, key);
    if (!value || value->empty()) {
      fail(path_of(path, key), "is required (a non-empty string)");
      return std::nullopt;
    }
    return value;
  }
  const json::value* number(const json::object& parent, std::string_view path, std::string_view key) {
    return member(parent, path, key, is_number, "must be a number");
  }
  std::optional<int64_t> whole(const json::object& parent, std::string_view path, std::string_view key) {
    const json::value* value = member(parent, path, key, is_int64, "must be a whole number");
    return value ? std::optional<int64_t>(value->get_int64()) : std::nullopt;
  }
  std::optional<bool> boolean(const json::object& parent, std::string_view path, std::string_view key) {
    const json::value* value = member(parent, path, key, is_bool, "must be true or false");
    return value ? std::optional<bool>(value->get_bool()) : std::nullopt;
  }
  // An item of a list, which must be an object.
  const json::object* item(const json::value& value, const std::string& path) {
    if (!value.is_object()) fail(path, "must be an object");
    return value.if_object();
  }

  // Keeps a bad_request Error "<field> <problem>" unless one is kept already.
  void fail(const std::string& field, std::string_view problem) {
    if (!error_) error_ = make_error(ErrorKind::bad_request, fmt::format("{} {}", field, problem), field);
  }
  const std::optional<Error>& error() const { return error_; }

 private:
  using Test = bool (*)(const json::value&);
  static bool is_object(const json::value& v) { return v.is_object(); }
  static bool is_array(const json::value& v) { return v.is_array(); }
  static bool is_string(const json::value& v) { return v.is_string(); }
  static bool is_number(const json::value& v) { return v.is_number(); }
  static bool is_int64(const json::value& v) { return v.is_int64(); }
  static bool is_bool(const json::value& v) { return v.is_bool(); }

  const json::value* member(const json::object& parent, std::string_view path, std::string_view key, Test test,
                            std::string_view problem) {
    const json::value* value = parent.if_contains(key);
    if (!value || value->is_null()) return nullptr;
    if (test(*value)) return value;
    fail(path_of(path, key), problem);
    return nullptr;
  }

  std::optional<Error> error_;
};

// The Schema keywords that are counts: int64 in Google's protos, so written as strings ("1"), where
// JSON Schema wants numbers.
constexpr std::array<std::string_view, 6> kCounts{"minItems",  "maxItems",      "minLength",
                                                  "maxLength", "minProperties", "maxProperties"};

// A Gemini Schema (OpenAPI's subset: upper-case types, `nullable`, `propertyOrdering`, counts
// as strings) as JSON Schema. A JSON Schema given instead reads back as it came.
json::value json_schema_of(const json::value& schema) {
  if (schema.is_array()) {
    json::array out;
    for (const auto& item : schema.get_array()) out.push_back(json_schema_of(item));
    return out;
  }
  if (!schema.is_object()) return schema;
  json::object out;
  bool nullable = false;
  for (const auto& [key, value] : schema.get_object()) {
    if (key == "nullable") {
      nullable = value.is_bool() && value.get_bool();
    } else if (key == "type" && value.is_string()) {
      if (value.get_string() != "TYPE_UNSPECIFIED") out[key] = lower(value.get_string());
    } else if (key == "properties" && value.is_object()) {  // names of properties are data, not keywords
      json::object properties;
      for (const auto& [name, sub] : value.get_object()) properties[name] = json_schema_of(sub);
      out[key] = std::move(properties);
    } else if (key == "items" || key == "anyOf") {
      out[key] = json_schema_of(value);
    } else if (std::find(kCounts.begin(), kCounts.end(), key) != kCounts.end()) {
      int64_t count = 0;
      std::string_view text = value.is_string() ? std::string_view(value.get_string()) : std::string_view();
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), count);
      out[key] =
          value.is_string() && ec == std::errc() && end == text.data() + text.size() ? json::value(count) : value;
    } else if (key != "propertyOrdering") {
      out[key] = value;
    }
  }
  if (auto* type = out.if_contains("type"); nullable && type && type->is_string()) *type = json::array{*type, "null"};
  return out;
}

// The conversation's function calls, for pairing each functionResponse with its call: by id when
// the response carries one that was seen, else the earliest unanswered call of the same name.
class CallLedger {
 public:
  // Records a call; returns its chat id: `id`, or `fallback` when the client gave none.
  std::string add(std::string_view id, std::string_view name, std::string fallback) {
    std::string chat_id = id.empty() ? std::move(fallback) : std::string(id);
    by_id_.emplace(chat_id, calls_.size());
    unanswered_[std::string(name)].push_back(calls_.size());
    calls_.push_back({chat_id, false});
    return chat_id;
  }

  // The chat id of the call a response answers (now answered); nullopt when none matches.
  std::optional<std::string> answer(std::string_view id, std::string_view name) {
    if (auto found = by_id_.find(id); !id.empty() && found != by_id_.end()) return take(found->second);
    auto waiting = unanswered_.find(name);
    if (waiting == unanswered_.end()) return std::nullopt;
    std::deque<std::size_t>& queue = waiting->second;
    while (!queue.empty() && calls_[queue.front()].answered) queue.pop_front();  // answered by id
    if (queue.empty()) return std::nullopt;
    std::size_t call = queue.front();
    queue.pop_front();
    return take(call);
  }

 private:
  struct Call {
    std::string id;
    bool answered;
  };
  std::string take(std::size_t call) {
    calls_[call].answered = true;
    return calls_[call].id;
  }
  std::vector<Call> calls_;
  std::map<std::string, std::size_t, std::less<>> by_id_;
  std::map<std::string, std::deque<std::size_t>, std::less<>> unanswered_;
};

json::object image_part(std::string_view url) { return {{"type", "image_url"}, {"image_url", {{"url", url}}}}; }

// Reads one GenerateContentRequest into a chat request; the first field it cannot read (or that
// has no chat equivalent) ends the reading with an Error naming it.
class ChatFromGemini {
 public:
  std::variant<json::object, Error> build(const json::object& request, std::string_view model, bool stream) {
    chat_["model"] = model;
    system_instruction(request);
    contents(request);
    chat_["messages"] = std::move(messages_);
    if (auto* cached = request.if_contains("cachedContent"); cached && !cached->is_null())
      read_.fail("cachedContent", kNotElsewhere);
    generation_config(request);
    tools(request);
    tool_config(request);
    if (stream) {
      chat_["stream"] = true;
      chat_["stream_options"] = json::object{{"include_usage", true}};  // the last event carries usageMetadata
    }
    if (read_.error()) return *read_.error();
    return std::move(chat_);
  }

 private:
  // systemInstruction's text parts -> one system message.
  void system_instruction(const json::object& request) {
    const json::object* system = read_.object(request, "", "systemInstruction");
    const json::array* parts = system ? read_.array(*system, "systemInstruction", "parts") : nullptr;
    if (!parts) return;
    for (std::size_t i = 0; i < parts->size(); ++i) {
      std::string path = fmt::format("systemInstruction.parts[{}]", i);
      if (const json::object* part = read_.item((*parts)[i], path); part && !read_.string(*part, path, "text"))
        read_.fail(path + ".text", "is required (a system instruction holds text only)");
    }
    if (!read_.error())
      messages_.push_back(json::object{{"role", "system"}, {"content", openai_in::content_text(*parts)}});
  }

  void contents(const json::object& request) {
    const json::array* contents = read_.array(request, "", "contents");
    if (!contents || contents->empty()) return read_.fail("contents", "is required (a non-empty list of contents)");
    for (std::size_t i = 0; i < contents->size() && !read_.error(); ++i) {
      std::string path = fmt::format("contents[{}]", i);
      const json::object* content = read_.item((*contents)[i], path);
      if (!content) return;
      std::string_view role = read_.string(*content, path, "role").value_or("");
      const json::array* parts = read_.array(*content, path, "parts");
      if (!parts && !read_.error()) read_.fail(path + ".parts", "is required (a list of parts)");
      if (read_.error()) return;
      if (role == "model")
        model_turn(*parts, path, i);
      else if (role.empty() || role == "user" || role == "function")  // function: functionResponse turns of old
        user_turn(*parts, path);
      else
        read_.fail(path + ".role", "must be 'user' or 'model'");
    }
    end_model_turn();
  }

  // Each functionResponse -> a tool message, in order; the other parts -> one user message after them
  // (chat wants the results right after the assistant's calls).
  void user_turn(const json::array& parts, const std::string& path) {
    end_model_turn();
    json::array content;
    for (std::size_t j = 0; j < parts.size() && !read_.error(); ++j) {
      std::string at = fmt::format("{}.parts[{}]", path, j);
      const json::object* part = read_.item(parts[j], at);
      if (!part) return;
      if (const json::object* response = read_.object(*part, at, "functionResponse"))
        tool_result(*response, at + ".functionResponse");
      else if (auto chat_part = user_part(*part, at))
        content.push_back(std::move(*chat_part));
    }
    if (!content.empty()) messages_.push_back(json::object{{"role", "user"}, {"content", std::move(content)}});
  }

  // text, an image (inlineData, or fileData at an http(s) URL) or another file (inlineData, as a
  // data URL) -> a chat content part.
  std::optional<json::object> user_part(const json::object& part, const std::string& path) {
    if (auto text = read_.string(part, path, "text")) return json::object{{"type", "text"}, {"text", *text}};
    if (const json::object* blob = read_.object(part, path, "inlineData")) {
      std::string at = path + ".inlineData";
      auto mime = read_.required_string(*blob, at, "mimeType");
      auto data = read_.required_string(*blob, at, "data");
      if (!mime || !data) return std::nullopt;
      std::string url = fmt::format("data:{};base64,{}", *mime, *data);
      if (mime->starts_with("image/")) return image_part(url);
      return json::object{{"type", "file"}, {"file", {{"filename", "file"}, {"file_data", url}}}};
    }
    if (const json::object* file = read_.object(part, path, "fileData")) {
      std::string at = path + ".fileData";
      auto uri = read_.required_string(*file, at, "fileUri");
      auto mime = read_.string(*file, at, "mimeType");
      if (!uri) return std::nullopt;
      if ((uri->starts_with("https://") || uri->starts_with("http://")) && (!mime || mime->starts_with("image/")))
        return image_part(*uri);
      read_.fail(at + ".fileUri", fmt::format("must be the http(s) URL of an image: other files {}", kNotElsewhere));
      return std::nullopt;
    }
    read_.fail(path, "must hold text, inlineData, fileData or functionResponse in a user turn");
    return std::nullopt;
  }

  void tool_result(const json::object& response, const std::string& path) {
    auto name = read_.required_string(response, path, "name");
    auto id = read_.string(response, path, "id");
    const json::object* result = read_.object(response, path, "response");
    if (const json::array* parts = read_.array(response, path, "parts"); parts && !parts->empty())
      read_.fail(path + ".parts", kNotElsewhere);
    if (read_.error()) return;
    auto call = calls_.answer(id.value_or(""), *name);
    if (!call) return read_.fail(path + ".name", fmt::format("'{}' answers no earlier functionCall", *name));
    messages_.push_back(json::object{
        {"role", "tool"}, {"tool_call_id", *call}, {"content", serialize_json(result ? *result : json::object{})}});
  }

  // text -> content, thought text -> reasoning (and a thought's signature this gateway wrote ->
  // reasoning_signature), functionCall -> tool_calls, added to the model turn under way: model
  // contents in a row are one turn (genai's chats record a streamed answer as a content per event).
  void model_turn(const json::array& parts, const std::string& path, std::size_t index) {
    auto& [text, reasoning, signature, calls] = turn_;
    for (std::size_t j = 0; j < parts.size() && !read_.error(); ++j) {
      std::string at = fmt::format("{}.parts[{}]", path, j);
      const json::object* part = read_.item(parts[j], at);
      if (!part) return;
      if (const json::object* call = read_.object(*part, at, "functionCall")) {
        if (auto chat_call = function_call(*call, *part, at, fmt::format("call_{}_{}", index, j)))
          calls.push_back(std::move(*chat_call));
      } else if (auto piece = read_.string(*part, at, "text")) {
        if (!read_.boolean(*part, at, "thought").value_or(false)) {
          text += *piece;
          continue;
        }
        reasoning += *piece;
        if (auto token = read_thought_signature(read_.string(*part, at, "thoughtSignature").value_or("")))
          signature = token->signature;
      } else {
        read_.fail(at, fmt::format("{}: a model turn may hold text, thought and functionCall parts", kNotElsewhere));
      }
    }
  }

  // The model turn under way -> one assistant message; a turn with nothing in it is left out (genai's
  // chats record one for an empty answer).
  void end_model_turn() {
    auto& [text, reasoning, signature, calls] = turn_;
    if (!text.empty() || !reasoning.empty() || !signature.empty() || !calls.empty()) {
      json::object message{{"role", "assistant"},
                           {"content", text.empty() && !calls.empty() ? json::value(nullptr) : json::value(text)}};
      if (!reasoning.empty() || !signature.empty()) message["reasoning"] = reasoning;
      if (!signature.empty()) message["reasoning_signature"] = signature;
      if (!calls.empty()) message["tool_calls"] = std::move(calls);
      messages_.push_back(std::move(message));
    }
    turn_ = {};
  }

  // A functionCall part -> a chat tool call: its id (`fallback` when it has none), args as JSON
  // text, and the part's thoughtSignature as thought_signature.
  std::optional<json::object> function_call(const json::object& call, const json::object& part, const std::string& path,
                                            std::string fallback) {
    std::string at = path + ".functionCall";
    auto name = read_.required_string(call, at, "name");
    auto id = read_.string(call, at, "id");
    const json::object* args = read_.object(call, at, "args");
    auto signature = read_.string(part, path, "thoughtSignature");
    if (read_.error()) return std::nullopt;
    json::object out{{"id", calls_.add(id.value_or(""), *name, std::move(fallback))},
                     {"type", "function"},
                     {"function", {{"name", *name}, {"arguments", serialize_json(args ? *args : json::object{})}}}};
    if (signature && !signature->empty()) out["thought_signature"] = *signature;
    return out;
  }

  // generationConfig -> chat's sampling, limits, output format and reasoning effort (topK as the
  // gateway's top_k extension, which Anthropic and Gemini routes take).
  void generation_config(const json::object& request) {
    const json::object* config = read_.object(request, "", "generationConfig");
    if (!config) return;
    constexpr std::string_view at = "generationConfig";
    for (auto [gemini, chat] :
         {std::pair{"temperature", "temperature"}, std::pair{"topP", "top_p"},
          std::pair{"presencePenalty", "presence_penalty"}, std::pair{"frequencyPenalty", "frequency_penalty"}})
      if (const json::value* value = read_.number(*config, at, gemini)) chat_[chat] = *value;
    for (auto [gemini, chat] :
         {std::pair{"maxOutputTokens", "max_completion_tokens"}, std::pair{"candidateCount", "n"},
          std::pair{"seed", "seed"}, std::pair{"logprobs", "top_logprobs"}, std::pair{"topK", "top_k"}})
      if (auto value = read_.whole(*config, at, gemini)) chat_[chat] = *value;
    if (auto logprobs = read_.boolean(*config, at, "responseLogprobs")) chat_["logprobs"] = *logprobs;
    if (const json::array* stops = read_.strings(*config, at, "stopSequences")) chat_["stop"] = *stops;
    response_format(*config);
    reasoning_effort(*config);
  }

  // responseMimeType application/json -> json_object, or json_schema with responseJsonSchema (as
  // it is) or responseSchema (made JSON Schema).
  void response_format(const json::object& config) {
    constexpr std::string_view at = "generationConfig";
    auto mime = read_.string(config, at, "responseMimeType");
    const json::object* json_schema = read_.object(config, at, "responseJsonSchema");
    const json::object* schema = read_.object(config, at, "responseSchema");
    if (!mime || *mime == "text/plain") return;
    if (*mime != "application/json")
      return read_.fail("generationConfig.responseMimeType", fmt::format("'{}' {}", *mime, kNotElsewhere));
    if (!json_schema && !schema) {
      chat_["response_format"] = json::object{{"type", "json_object"}};
      return;
    }
    chat_["response_format"] = json::object{
        {"type", "json_schema"},
        {"json_schema",
         {{"name", "response"}, {"schema", json_schema ? json::value(*json_schema) : json_schema_of(*schema)}}}};
  }

  // thinkingLevel -> reasoning_effort (any case; xhigh -> high); else a positive thinkingBudget -> the effort that
  // covers it. A budget of 0 (thinking off) or -1 (the model decides) asks for none: models
  // without reasoning refuse reasoning_effort altogether.
  void reasoning_effort(const json::object& config) {
    const json::object* thinking = read_.object(config, "generationConfig", "thinkingConfig");
    if (!thinking) return;
    constexpr std::string_view at = "generationConfig.thinkingConfig";
    auto level = read_.string(*thinking, at, "thinkingLevel");
    auto budget = read_.whole(*thinking, at, "thinkingBudget");
    if (level) {
      std::string effort = lower(*level);
      if (effort == "xhigh") effort = "high";
      if (effort == "minimal" || effort == "low" || effort == "medium" || effort == "high")
        chat_["reasoning_effort"] = effort;
      else
        read_.fail(FieldReader::path_of(at, "thinkingLevel"), "must be MINIMAL, LOW, MEDIUM or HIGH");
    } else if (budget && *budget > 0) {
      chat_["reasoning_effort"] = openai_in::reasoning_effort_for(*budget);
    }
  }

  // functionDeclarations -> function tools; googleSearch -> the web_search extension; the other
  // built-in tools have no equivalent elsewhere.
  void tools(const json::object& request) {
    const json::array* tools = read_.array(request, "", "tools");
    if (!tools) return;
    json::array list;
    for (std::size_t i = 0; i < tools->size() && !read_.error(); ++i) {
      std::string path = fmt::format("tools[{}]", i);
      const json::object* tool = read_.item((*tools)[i], path);
      if (!tool) return;
      for (const auto& [key, value] : *tool) {
        if (key == "functionDeclarations")
          function_tools(*tool, path, list);
        else if (key == "googleSearch" && !value.is_null())
          list.push_back(json::object{{"type", "web_search"}});
        else if (!value.is_null())
          read_.fail(FieldReader::path_of(path, key), kNotElsewhere);
      }
    }
    if (!list.empty()) chat_["tools"] = std::move(list);
  }

  void function_tools(const json::object& tool, const std::string& path, json::array& list) {
    const json::array* declarations = read_.array(tool, path, "functionDeclarations");
    for (std::size_t k = 0; declarations && k < declarations->size() && !read_.error(); ++k) {
      std::string at = fmt::format("{}.functionDeclarations[{}]", path, k);
      const json::object* declaration = read_.item((*declarations)[k], at);
      if (!declaration) return;
      auto name = read_.required_string(*declaration, at, "name");
      auto description = read_.string(*declaration, at, "description");
      const json::object* parameters = read_.object(*declaration, at, "parameters");
      const json::object* json_parameters = read_.object(*declaration, at, "parametersJsonSchema");
      if (read_.error()) return;
      json::object function{{"name", *name}};
      if (description) function["description"] = *description;
      if (json_parameters)
        function["parameters"] = *json_parameters;
      else if (parameters)
        function["parameters"] = json_schema_of(*parameters);
      list.push_back(json::object{{"type", "function"}, {"function", std::move(function)}});
    }
  }

  // functionCallingConfig -> tool_choice (none without tools, which OpenAI refuses): AUTO and
  // VALIDATED -> auto, NONE -> none, ANY -> the one allowed function, or required with the tools
  // cut to the allowed ones.
  void tool_config(const json::object& request) {
    const json::object* config = read_.object(request, "", "toolConfig");
    const json::object* calling = config ? read_.object(*config, "toolConfig", "functionCallingConfig") : nullptr;
    if (!calling) return;
    constexpr std::string_view at = "toolConfig.functionCallingConfig";
    auto mode = read_.string(*calling, at, "mode");
    const json::array* names = read_.strings(*calling, at, "allowedFunctionNames");
    if (!mode || !chat_.contains("tools") || read_.error()) return;
    if (*mode == "AUTO" || *mode == "VALIDATED") {
      chat_["tool_choice"] = "auto";
    } else if (*mode == "NONE") {
      chat_["tool_choice"] = "none";
    } else if (*mode == "ANY" && names && names->size() == 1) {
      chat_["tool_choice"] = json::object{{"type", "function"}, {"function", {{"name", names->front()}}}};
    } else if (*mode == "ANY") {
      chat_["tool_choice"] = "required";
      if (names && !names->empty()) keep_tools(*names);
    } else if (*mode != "MODE_UNSPECIFIED") {
      read_.fail(FieldReader::path_of(at, "mode"), "must be AUTO, ANY, NONE or VALIDATED");
    }
  }

  // Leaves out the function tools not named in `names`.
  void keep_tools(const json::array& names) {
    json::array& tools = chat_["tools"].get_array();
    std::unordered_set<std::string_view> allowed;  // one lookup per tool: the lists are the client's
    for (const auto& name : names)
      if (name.is_string()) allowed.insert(name.get_string());
    auto unnamed = [&](const json::value& tool) {
      const json::object& function = object_field(tool.get_object(), "function");
      return !function.empty() && !allowed.contains(string_field(function, "name"));
    };
    tools.erase(std::remove_if(tools.begin(), tools.end(), unnamed), tools.end());
  }

  struct ModelTurn {
    std::string text, reasoning, signature;
    json::array calls;
  };

  FieldReader read_;
  CallLedger calls_;
  ModelTurn turn_;
  json::array messages_;
  json::object chat_;
};

// Chat's finish_reason in Gemini's words.
std::string_view gemini_finish_reason(std::string_view finish) {
  if (finish == "length") return "MAX_TOKENS";
  if (finish == "content_filter") return "SAFETY";
  if (finish.empty() || finish == "stop" || finish == "tool_calls" || finish == "function_call") return "STOP";
  return "OTHER";
}

int64_t token_count(const json::object& usage, std::string_view key) {
  return json_fields::token_count(usage, key).value_or(0);
}

// Chat usage -> usageMetadata, whose candidatesTokenCount leaves thinking out (thoughtsTokenCount)
// and whose promptTokenCount counts cached tokens in (cachedContentTokenCount).
json::object usage_metadata(const json::object& usage) {
  int64_t prompt = token_count(usage, "prompt_tokens"), output = token_count(usage, "completion_tokens");
  int64_t cached = token_count(object_field(usage, "prompt_tokens_details"), "cached_tokens");
  int64_t thoughts =
      std::min(output, token_count(object_field(usage, "completion_tokens_details"), "reasoning_tokens"));
  json::object out{
      {"promptTokenCount", prompt}, {"candidatesTokenCount", output - thoughts}, {"totalTokenCount", prompt + output}};
  if (cached) out["cachedContentTokenCount"] = cached;
  if (thoughts) out["thoughtsTokenCount"] = thoughts;
  return out;
}

json::object text_part(std::string_view text) { return {{"text", text}}; }

// Reasoning as a thought part. A provider's signature over it (Anthropic's) rides in
// thoughtSignature inside this gateway's reasoning token, so that only signatures it wrote come
// back as reasoning_signature (not those real Gemini puts on parts).
json::object thought_part(std::string_view text, std::string_view signature) {
  json::object part{{"text", text}, {"thought", true}};
  if (!signature.empty()) part["thoughtSignature"] = write_thought_signature({{}, std::string(signature), {}});
  return part;
}

// A chat tool call as a functionCall part: args as an object ({} when the arguments are not a JSON
// object, as Gemini's must be), the call's thought_signature as the part's thoughtSignature.
json::object function_call_part(std::string_view id, std::string_view name, std::string_view arguments,
                                std::string_view signature) {
  boost::system::error_code ec;
  json::value args = parse_json(arguments, ec);
  json::object call;
  if (!id.empty()) call["id"] = id;
  call["name"] = name;
  call["args"] = !ec && args.is_object() ? std::move(args) : json::object{};
  json::object part{{"functionCall", std::move(call)}};
  if (!signature.empty()) part["thoughtSignature"] = signature;
  return part;
}

// A candidate with `parts`, or one empty text part when there are none (genai's chats drop a turn
// when any response of it has no part). `finish` is Gemini's word, empty while the answer goes on.
json::object candidate_json(json::array parts, std::string_view finish, int64_t index) {
  if (parts.empty()) parts.push_back(text_part(""));
  json::object candidate{{"content", {{"parts", std::move(parts)}, {"role", "model"}}}};
  if (!finish.empty()) candidate["finishReason"] = finish;
  candidate["index"] = index;
  return candidate;
}

// A chat message's parts in Gemini's order: thought, text (a refusal too), function calls.
json::array message_parts(const json::object& message) {
  json::array parts;
  std::string_view reasoning = chat_reasoning(message), signature = string_field(message, "reasoning_signature");
  if (!reasoning.empty() || !signature.empty()) parts.push_back(thought_part(reasoning, signature));
  for (const char* key : {"content", "refusal"})
    if (auto text = string_field(message, key); !text.empty()) parts.push_back(text_part(text));
  if (auto* calls = message.if_contains("tool_calls"); calls && calls->is_array())
    for (const auto& c : calls->get_array())
      if (const json::object* call = c.if_object()) {
        const json::object& function = object_field(*call, "function");
        parts.push_back(function_call_part(string_field(*call, "id"), string_field(function, "name"),
                                           string_field(function, "arguments"),
                                           string_field(*call, "thought_signature")));
      }
  return parts;
}

class GeminiFromChatStream final : public StreamTranslator {
 public:
  explicit GeminiFromChatStream(std::string model) : model_(std::move(model)) {}

  std::optional<Error> on_event(const SseEvent& sse, std::string& out) override {
    if (done_) return std::nullopt;  // nothing follows [DONE]
    if (sse.data == "[DONE]") return finish(out);
    auto read = read_chat_chunk(sse.data);
    if (auto* error = std::get_if<Error>(&read)) return *error;
    const ChatChunk& chunk = std::get<ChatChunk>(read);
    if (id_.empty()) id_ = string_field(chunk.object(), "id");
    if (const auto* usage = chunk.usage()) usage_ = usage_metadata(*usage);
    json::array candidates;
    for (const auto& c : chunk.choices())
      if (const json::object* choice = c.if_object())
        if (json::array parts = choice_delta(*choice); !parts.empty())
          candidates.push_back(candidate_json(std::move(parts), "", int_field(*choice, "index")));
    if (!candidates.empty()) write(out, std::move(candidates), false);
    return std::nullopt;
  }

  std::optional<Error> on_end(std::string&) override {
    if (done_) return std::nullopt;
    return make_error(ErrorKind::upstream_failed, "the provider's stream ended before [DONE]");
  }

 private:
  // A tool call whose arguments may still be coming.
  struct OpenCall {
    int64_t index;
    std::string id, name, arguments, signature;
  };
  struct Candidate {
    std::optional<OpenCall> call;
    std::string finish;  // chat's finish_reason; empty while unknown
  };

  // The parts one choice's delta completes, in order.
  json::array choice_delta(const json::object& choice) {
    Candidate& candidate = candidates_[int_field(choice, "index")];
    const json::object& delta = object_field(choice, "delta");
    json::array parts;
    std::string_view reasoning = chat_reasoning(delta), signature = string_field(delta, "reasoning_signature");
    if (!reasoning.empty() || !signature.empty()) {
      close_call(candidate, parts);
      parts.push_back(thought_part(reasoning, signature));
    }
    if (auto text = string_field(delta, "content"); !text.empty()) {
      close_call(candidate, parts);
      parts.push_back(text_part(text));
    }
    if (auto* calls = delta.if_contains("tool_calls"); calls && calls->is_array())
      for (const auto& c : calls->get_array())
        if (const json::object* call = c.if_object()) call_delta(candidate, *call, parts);
    if (auto reason = string_field(choice, "finish_reason"); !reason.empty()) candidate.finish = reason;
    return parts;
  }

  // Adds a tool call delta to the open call, or closes that (into `parts`) and opens another.
  static void call_delta(Candidate& candidate, const json::object& call, json::array& parts) {
    int64_t index = int_field(call, "index");
    std::string_view id = string_field(call, "id");
    if (candidate.call && (candidate.call->index != index || (!id.empty() && id != candidate.call->id)))
      close_call(candidate, parts);
    if (!candidate.call) candidate.call = OpenCall{index, std::string(id), {}, {}, {}};
    OpenCall& open = *candidate.call;
    const json::object& function = object_field(call, "function");
    if (open.name.empty()) open.name = string_field(function, "name");
    if (open.signature.empty()) open.signature = string_field(call, "thought_signature");
    open.arguments += string_field(function, "arguments");
  }

  static void close_call(Candidate& candidate, json::array& parts) {
    if (!candidate.call) return;
    const OpenCall& call = *candidate.call;
    parts.push_back(function_call_part(call.id, call.name, call.arguments, call.signature));
    candidate.call.reset();
  }

  // [DONE]: one last event with every candidate's open call, finishReason and the usage.
  std::optional<Error> finish(std::string& out) {
    json::array candidates;
    for (auto& [index, candidate] : candidates_) {
      if (candidate.finish.empty()) break;
      json::array parts;
      close_call(candidate, parts);
      candidates.push_back(candidate_json(std::move(parts), gemini_finish_reason(candidate.finish), index));
    }
    if (candidates.empty() || candidates.size() < candidates_.size())
      return make_error(ErrorKind::upstream_failed, "the provider's stream ended without a finish_reason");
    write(out, std::move(candidates), true);
    done_ = true;
    return std::nullopt;
  }

  void write(std::string& out, json::array candidates, bool last) {
    json::object response{{"candidates", std::move(candidates)}};
    if (last && usage_) response["usageMetadata"] = *usage_;
    response["modelVersion"] = model_;
    response["responseId"] = id_;
    out += "data: ";
    out += serialize_json(response);
    out += "\r\n\r\n";
  }

  std::string model_;
  std::string id_;
  std::map<int64_t, Candidate> candidates_;  // by choice index
  std::optional<json::object> usage_;        // usageMetadata, once the provider told it
  bool done_ = false;
};

// Google's status word for an HTTP status.
const char* google_status(int status) {
  switch (status) {
    case 400: return "INVALID_ARGUMENT";
    case 401: return "UNAUTHENTICATED";
    case 403: return "PERMISSION_DENIED";
    case 404: return "NOT_FOUND";
    case 409: return "ABORTED";
    case 429: return "RESOURCE_EXHAUSTED";
    case 499: return "CANCELLED";
    case 501: return "UNIMPLEMENTED";
    case 502:
    case 503:
    case 529: return "UNAVAILABLE";
    case 504: return "DEADLINE_EXCEEDED";
    default: return status < 500 ? "INVALID_ARGUMENT" : "INTERNAL";
  }
}

// One EmbedContentRequest's text (its text parts, joined by newlines) and outputDimensionality.
void read_embed_request(FieldReader& read, const json::object& request, const std::string& path, json::array& input,
                        std::optional<int64_t>& dimensions) {
  std::string at = FieldReader::path_of(path, "content");
  const json::object* content = read.object(request, path, "content");
  const json::array* parts = content ? read.array(*content, at, "parts") : nullptr;
  if (!parts) return read.fail(at + (content ? ".parts" : ""), "is required");
  for (std::size_t j = 0; j < parts->size(); ++j) {
    std::string part_path = fmt::format("{}.parts[{}]", at, j);
    if (const json::object* part = read.item((*parts)[j], part_path); part && !read.string(*part, part_path, "text"))
      read.fail(part_path, fmt::format("{}: only text is embedded there", kNotElsewhere));
  }
  input.push_back(json::value(openai_in::content_text(*parts)));
  std::optional<int64_t> asked = read.whole(request, path, "outputDimensionality");
  if (asked && *asked < 1) read.fail(FieldReader::path_of(path, "outputDimensionality"), "must be positive");
  if (input.size() == 1)
    dimensions = asked;
  else if (asked != dimensions)
    read.fail(FieldReader::path_of(path, "outputDimensionality"), "must be the same in every request");
}

}  // namespace

std::variant<json::object, Error> chat_from_gemini(const json::object& request, std::string_view model, bool stream) {
  return ChatFromGemini().build(request, model, stream);
}

std::variant<std::string, Error> gemini_answer_from_chat(std::string_view completion_body, std::string_view model) {
  auto read = read_chat_completion(completion_body);
  if (auto* error = std::get_if<Error>(&read)) return *error;
  const ChatChunk& answer = std::get<ChatChunk>(read);
  json::array candidates;
  for (std::size_t i = 0; i < answer.choices().size(); ++i) {
    const json::object* choice = answer.choices()[i].if_object();
    if (!choice) return malformed_answer("a choice is not an object");
    candidates.push_back(candidate_json(message_parts(object_field(*choice, "message")),
                                        gemini_finish_reason(string_field(*choice, "finish_reason")),
                                        static_cast<int64_t>(i)));
  }
  json::object response{{"candidates", std::move(candidates)}};
  if (const auto* usage = answer.usage()) response["usageMetadata"] = usage_metadata(*usage);
  response["modelVersion"] = model;
  response["responseId"] = string_field(answer.object(), "id");
  return serialize_json(response);
}

std::unique_ptr<StreamTranslator> gemini_stream_from_chat(std::string model) {
  return std::make_unique<GeminiFromChatStream>(std::move(model));
}

std::variant<json::object, Error> embeddings_from_gemini(const json::object& request, std::string_view model,
                                                         bool batch) {
  FieldReader read;
  json::array input;
  std::optional<int64_t> dimensions;
  if (!batch) {
    read_embed_request(read, request, "", input, dimensions);
  } else if (const json::array* requests = read.array(request, "", "requests");
             !requests || requests->empty() || requests->size() > kMaxEmbeddingInputs) {
    read.fail("requests", fmt::format("is required (a list of 1 to {} requests)", kMaxEmbeddingInputs));
  } else {
    for (std::size_t i = 0; i < requests->size() && !read.error(); ++i) {
      std::string path = fmt::format("requests[{}]", i);
      if (const json::object* one = read.item((*requests)[i], path))
        read_embed_request(read, *one, path, input, dimensions);
    }
  }
  if (read.error()) return *read.error();
  // Floats, whatever the client would have wanted from OpenAI: the answer is Gemini's list of numbers.
  json::object out{{"model", model}, {"input", std::move(input)}, {"encoding_format", "float"}};
  if (dimensions) out["dimensions"] = *dimensions;
  return out;
}

std::variant<std::string, Error> gemini_embeddings_from_openai(std::string_view body, bool batch) {
  auto parsed = answer_object(body, "not a JSON object");
  if (auto* error = std::get_if<Error>(&parsed)) return *error;
  const json::object& answer = std::get<json::object>(parsed);
  const json::value* data = answer.if_contains("data");
  if (!data || !data->is_array() || data->get_array().empty()) return malformed_answer("no embeddings");
  const json::array& items = data->get_array();
  std::vector<const json::array*> vectors(items.size(), nullptr);  // by index, the input order
  for (std::size_t i = 0; i < items.size(); ++i) {
    const json::object* item = items[i].if_object();
    const json::array* values = item ? json_fields::number_array(item->if_contains("embedding")) : nullptr;
    if (!values) return malformed_answer("an embedding is not a list of numbers");
    int64_t index = item->contains("index") ? int_field(*item, "index") : static_cast<int64_t>(i);
    if (index < 0 || static_cast<std::size_t>(index) >= items.size() || vectors[index])
      return malformed_answer("the embeddings' indexes are not 0 to n-1");
    vectors[index] = values;
  }
  json::array embeddings;
  for (const json::array* values : vectors) embeddings.push_back(json::object{{"values", *values}});
  json::object out;
  if (batch)
    out["embeddings"] = std::move(embeddings);
  else
    out["embedding"] = std::move(embeddings.front());
  if (const json::object& usage = object_field(answer, "usage"); !usage.empty())
    out["usageMetadata"] = json::object{{"promptTokenCount", token_count(usage, "prompt_tokens")},
                                        {"totalTokenCount", token_count(usage, "total_tokens")}};
  return serialize_json(out);
}

std::string gemini_error_body(const Error& error) {
  return serialize_json(json::object{
      {"error", {{"code", error.status}, {"message", error.message}, {"status", google_status(error.status)}}}});
}

namespace {

class GeminiPassThrough final : public StreamTranslator {
 public:
  std::optional<Error> on_event(const SseEvent& event, std::string& out) override {
    // Read without a parse: the last event of an answer names its finishReason.
    ended_ = ended_ || event.data.find("\"finishReason\"") != std::string::npos || event.data.starts_with("{\"error\"");
    out += "data: ";
    out += event.data;
    out += "\r\n\r\n";
    return std::nullopt;
  }
  std::optional<Error> on_end(std::string&) override {
    if (ended_) return std::nullopt;
    return make_error(ErrorKind::upstream_failed, "the provider's stream ended before a finishReason");
  }

 private:
  bool ended_ = false;
};

}  // namespace

std::unique_ptr<StreamTranslator> gemini_stream_passthrough() { return std::make_unique<GeminiPassThrough>(); }

}  // namespace switchyard
