#include "translate/anthropic_inbound.h"

#include <boost/json.hpp>

#include <fmt/format.h>
#include <map>
#include <unordered_map>
#include "translate/errors.h"
#include "translate/json_fields.h"

#include "translate/chat_chunk.h"
#include "translate/client_text.h"
#include "translate/json_parse.h"
#include "translate/openai_request_reader.h"
#include "translate/reasoning_token.h"

namespace switchyard {
namespace json = boost::json;
using json_fields::int_field;
using json_fields::string_field;
namespace {

Error invalid(std::string message) { return make_error(ErrorKind::bad_request, std::move(message)); }

// Anthropic text (a string or text blocks) as one string.
std::string text_of(const json::value& content) { return openai_in::content_text(content); }

std::variant<json::object, Error> image_part(const json::object& block) {
  const json::object& source = json_fields::object_field(block, "source");
  std::string_view type = string_field(source, "type");
  std::string url;
  if (type == "base64")
    url = fmt::format("data:{};base64,{}", string_field(source, "media_type"), string_field(source, "data"));
  else if (type == "url")
    url = string_field(source, "url");
  else
    return invalid("messages: an image needs a base64 or url source");
  return json::object{{"type", "image_url"}, {"image_url", {{"url", url}}}};
}

std::string finish_to_stop_reason(std::string_view finish) {
  if (finish == "length") return "max_tokens";
  if (finish == "tool_calls" || finish == "function_call") return "tool_use";
  if (finish == "content_filter") return "refusal";
  return "end_turn";
}

const char* error_type(int status) {
  switch (status) {
    case 400: return "invalid_request_error";
    case 401: return "authentication_error";
    case 403: return "permission_error";
    case 404: return "not_found_error";
    case 413: return "request_too_large";
    case 429: return "rate_limit_error";
    case 529: return "overloaded_error";
    default: return "api_error";
  }
}

std::string event(std::string_view name, const json::object& data) {
  return fmt::format("event: {}\ndata: {}\n\n", name, serialize_json(data));
}

json::object usage_json(int64_t input, int64_t output, int64_t cache_read, int64_t cache_write) {
  return {{"input_tokens", input},
          {"cache_creation_input_tokens", cache_write},
          {"cache_read_input_tokens", cache_read},
          {"output_tokens", output}};
}

// OpenAI usage -> Anthropic's, whose input_tokens exclude cached tokens.
json::object usage_from_openai(const json::object& usage) {
  auto count = [](const json::object& object, std::string_view key) {
    return json_fields::token_count(object, key).value_or(0);  // clamped: the sums below cannot overflow
  };
  const json::object& details = json_fields::object_field(usage, "prompt_tokens_details");
  int64_t cache_read = count(details, "cached_tokens"), cache_write = count(details, "cache_write_tokens");
  return usage_json(std::max<int64_t>(0, count(usage, "prompt_tokens") - cache_read - cache_write),
                    count(usage, "completion_tokens"), cache_read, cache_write);
}

// The person behind a metadata.user_id. Claude Code's also names its session: 2.1 sends a JSON
// object {device_id, account_uuid, session_id} (the account when it has one, else the device),
// earlier versions "user_<device>_account_<uuid>_session_<uuid>" (without the session). Any other
// id is the user as it is.
std::string user_of_metadata(std::string_view user_id) {
  if (user_id.starts_with("{")) {
    boost::system::error_code ec;
    json::value parsed = parse_json(user_id, ec);
    if (!ec && parsed.is_object()) {
      const auto& fields = parsed.get_object();
      if (auto account = string_field(fields, "account_uuid"); !account.empty()) return std::string(account);
      if (auto device = string_field(fields, "device_id"); !device.empty()) return std::string(device);
    }
  }
  if (std::size_t session = user_id.find("_session_");
      user_id.starts_with("user_") && session != std::string_view::npos)
    return std::string(user_id.substr(0, session));
  return std::string(user_id);
}

class AnthropicFromOpenAIStream final : public StreamTranslator {
 public:
  explicit AnthropicFromOpenAIStream(std::string model) : model_(std::move(model)) {}

  std::optional<Error> on_event(const SseEvent& sse, std::string& out) override {
    if (sse.data == "[DONE]") return finish(out);
    auto read = read_chat_chunk(sse.data);
    if (auto* error = std::get_if<Error>(&read)) return *error;
    const ChatChunk& chunk = std::get<ChatChunk>(read);
    start(out, std::string(string_field(chunk.object(), "id")));
    if (const auto* usage = chunk.usage()) usage_ = usage_from_openai(*usage);
    if (!chunk.choice()) return std::nullopt;
    {
      const auto& d = chunk.delta();
      if (auto text = string_field(d, "content"); !text.empty()) {
        open_block(out, "text", -1, {{"type", "text"}, {"text", ""}});
        out += event(
            "content_block_delta",
            {{"type", "content_block_delta"}, {"index", index_}, {"delta", {{"type", "text_delta"}, {"text", text}}}});
      }
      if (auto* calls = d.if_contains("tool_calls"); calls && calls->is_array())
        for (const auto& c : calls->get_array()) {
          if (!c.is_object()) continue;
          const auto& call = c.get_object();
          int64_t tool = int_field(call, "index");
          const json::object& function = json_fields::object_field(call, "function");
          if (tool != tool_) {  // a new call starts a new tool_use block
            if (auto signature = string_field(call, "thought_signature"); !signature.empty())
              signed_call(out, string_field(call, "id"), signature);
            open_block(out, "tool_use", tool,
                       {{"type", "tool_use"},
                        {"id", string_field(call, "id")},
                        {"name", string_field(function, "name")},
                        {"input", json::object{}}});
          }
          if (auto args = string_field(function, "arguments"); !args.empty())
            out += event("content_block_delta", {{"type", "content_block_delta"},
                                                 {"index", index_},
                                                 {"delta", {{"type", "input_json_delta"}, {"partial_json", args}}}});
        }
    }
    if (auto reason = chunk.finish_reason(); !reason.empty()) stop_reason_ = finish_to_stop_reason(reason);
    return std::nullopt;
  }

  std::optional<Error> on_end(std::string&) override {
    if (finished_) return std::nullopt;
    return make_error(ErrorKind::upstream_failed, "the provider's stream ended before [DONE]");
  }

 private:
  void start(std::string& out, const std::string& id) {
    if (started_) return;
    started_ = true;
    out += event("message_start", {{"type", "message_start"},
                                   {"message",
                                    {{"id", id.empty() ? "msg_switchyard" : id},
                                     {"type", "message"},
                                     {"role", "assistant"},
                                     {"model", model_},
                                     {"content", json::array{}},
                                     {"stop_reason", nullptr},
                                     {"stop_sequence", nullptr},
                                     {"usage", usage_json(0, 0, 0, 0)}}}});
  }

  // Gemini signs a function call rather than its thinking: the signature travels to the client
  // in a thinking block of its own before the call (a gateway token in `signature`, which
  // Anthropic clients send back as they got it), and comes back on the call.
  void signed_call(std::string& out, std::string_view call_id, std::string_view signature) {
    open_block(out, "thinking", -2, {{"type", "thinking"}, {"thinking", ""}, {"signature", ""}});
    std::string token = write_reasoning_token({{}, {}, {{std::string(call_id), std::string(signature)}}});
    out += event("content_block_delta", {{"type", "content_block_delta"},
                                         {"index", index_},
                                         {"delta", {{"type", "signature_delta"}, {"signature", token}}}});
    close_block(out);
  }

  // Closes the open block unless it is the same kind (and tool); opens the new one.
  void open_block(std::string& out, std::string_view kind, int64_t tool, json::object block) {
    if (index_ >= 0 && kind_ == kind && tool_ == tool) return;
    close_block(out);
    ++index_;
    kind_ = kind;
    tool_ = tool;
    out += event("content_block_start",
                 {{"type", "content_block_start"}, {"index", index_}, {"content_block", std::move(block)}});
  }

  void close_block(std::string& out) {
    if (index_ >= 0 && !kind_.empty())
      out += event("content_block_stop", {{"type", "content_block_stop"}, {"index", index_}});
    kind_.clear();
  }

  std::optional<Error> finish(std::string& out) {
    start(out, "");
    close_block(out);
    out += event(
        "message_delta",
        {{"type", "message_delta"},
         {"delta", {{"stop_reason", stop_reason_.empty() ? "end_turn" : stop_reason_}, {"stop_sequence", nullptr}}},
         {"usage", usage_}});
    out += event("message_stop", {{"type", "message_stop"}});
    finished_ = true;
    return std::nullopt;
  }

  std::string model_;
  bool started_ = false;
  bool finished_ = false;
  int64_t index_ = -1;  // the current content block
  std::string kind_;    // its type; empty once closed
  int64_t tool_ = -1;   // the OpenAI tool call index it carries
  std::string stop_reason_;
  json::object usage_ = usage_json(0, 0, 0, 0);
};

}  // namespace

std::variant<MessagesRequest, Error> parse_messages_request(std::string& body) {
  boost::system::error_code ec;
  json::value parsed = parse_json(body, ec);
  if (ec) return invalid("the request body is not valid JSON: " + ec.message());
  if (!parsed.is_object()) return invalid("the request body must be a JSON object");
  MessagesRequest out;
  out.request = std::move(parsed.get_object());
  const auto& r = out.request;
  if (string_field(r, "model").empty()) return invalid("model: Field required (a non-empty string)");
  out.view.model = string_field(r, "model");
  if (auto error = check_client_text(out.view.model, "model", kMaxModelIdBytes)) return *error;
  if (auto* max = r.if_contains("max_tokens"); !max || !max->is_int64() || max->get_int64() < 1)
    return invalid("max_tokens: Field required (a positive whole number)");
  auto* messages = r.if_contains("messages");
  if (!messages || !messages->is_array() || messages->get_array().empty())
    return invalid("messages: Field required (a non-empty list)");
  for (std::size_t i = 0; i < messages->get_array().size(); ++i) {
    const auto& m = messages->get_array()[i];
    std::string_view role = m.is_object() ? string_field(m.get_object(), "role") : "";
    // system: Claude Code's mid-conversation instructions (beta mid-conversation-system-2026-04-07).
    if (role != "user" && role != "assistant" && role != "system")
      return invalid(fmt::format("messages.{}.role: must be 'user', 'assistant' or 'system'", i));
    const json::value* content = m.get_object().if_contains("content");
    if (!content || !(content->is_string() || content->is_array()))
      return invalid(fmt::format("messages.{}.content: must be a string or a list of content blocks", i));
  }
  if (auto* stream = r.if_contains("stream"); stream && !stream->is_null()) {
    if (!stream->is_bool()) return invalid("stream: must be a boolean");
    out.view.stream = stream->get_bool();
  }
  // metadata.user_id is the request's user (for Claude Code: its account, else its device).
  if (auto given = string_field(json_fields::object_field(r, "metadata"), "user_id"); !given.empty()) {
    std::string user = user_of_metadata(given);
    if (auto error = check_client_text(user, "metadata.user_id", kMaxUserBytes)) return *error;
    out.view.gateway.user = std::move(user);
  }
  auto location = locate_model_token(body);
  if (auto* error = std::get_if<Error>(&location)) return *error;
  std::tie(out.view.model_offset, out.view.model_length) = std::get<0>(location);
  return out;
}

std::variant<json::object, Error> openai_request_from_anthropic(const json::object& in) {
  json::array messages;
  if (auto* system = in.if_contains("system"); system && !system->is_null())
    messages.push_back(json::object{{"role", "system"}, {"content", text_of(*system)}});

  auto* listed = in.if_contains("messages");
  if (!listed || !listed->is_array()) return invalid("messages: Field required (a non-empty list)");
  for (const auto& m : listed->get_array()) {
    if (!m.is_object()) return invalid("messages: each message must be an object");
    const auto& message = m.get_object();
    std::string_view role = string_field(message, "role");
    static const json::value no_content = "";
    const json::value* given = message.if_contains("content");
    const json::value& content = given ? *given : no_content;
    if (role == "system") {  // an instruction where it stands in the conversation
      messages.push_back(json::object{{"role", "system"}, {"content", text_of(content)}});
      continue;
    }
    if (content.is_string()) {
      messages.push_back(json::object{{"role", role}, {"content", content}});
      continue;
    }
    json::array parts;
    json::array tool_calls;
    ReasoningToken signed_calls;  // Gemini's signatures of this turn's calls, from the gateway's thinking blocks
    for (const auto& b : content.get_array()) {
      if (!b.is_object()) return invalid("messages: content blocks must be objects");
      const auto& block = b.get_object();
      std::string_view type = string_field(block, "type");
      if (type == "text") {
        parts.push_back(json::object{{"type", "text"}, {"text", string_field(block, "text")}});
      } else if (type == "image") {
        auto part = image_part(block);
        if (auto* error = std::get_if<Error>(&part)) return *error;
        parts.push_back(std::get<json::object>(std::move(part)));
      } else if (type == "tool_use") {
        json::value input = json_fields::member_or(block, "input", json::object{});
        tool_calls.push_back(
            json::object{{"id", string_field(block, "id")},
                         {"type", "function"},
                         {"function", {{"name", string_field(block, "name")}, {"arguments", serialize_json(input)}}}});
      } else if (type == "tool_result") {
        // Each result is a tool message of its own, placed before the rest of the user turn.
        std::string result = text_of(json_fields::member_or(block, "content", ""));
        messages.push_back(
            json::object{{"role", "tool"}, {"tool_call_id", string_field(block, "tool_use_id")}, {"content", result}});
      } else if (type == "thinking" || type == "redacted_thinking") {
        // Earlier reasoning is not sent back to other providers, but the gateway's own tokens
        // (Gemini's call signatures) go back onto their calls.
        if (auto token = read_reasoning_token(string_field(block, "signature")))
          for (auto& pair : token->call_signatures) signed_calls.call_signatures.push_back(std::move(pair));
        continue;
      } else {
        return invalid(
            fmt::format("messages: content blocks of type '{}' cannot be sent to this model's provider", type));
      }
    }
    if (!signed_calls.call_signatures.empty()) {  // one lookup per call: the token is the client's to forge
      std::unordered_map<std::string_view, std::string_view> signature_of;
      for (const auto& [id, signature] : signed_calls.call_signatures) signature_of.emplace(id, signature);
      for (auto& call : tool_calls)
        if (auto* fields = call.if_object())
          if (auto found = signature_of.find(string_field(*fields, "id")); found != signature_of.end())
            (*fields)["thought_signature"] = found->second;
    }
    if (role == "assistant") {
      json::object out{{"role", "assistant"},
                       {"content", parts.empty() ? json::value(nullptr) : json::value(openai_in::content_text(parts))}};
      if (!tool_calls.empty()) out["tool_calls"] = std::move(tool_calls);
      messages.push_back(std::move(out));
    } else if (!parts.empty()) {
      messages.push_back(json::object{{"role", role}, {"content", std::move(parts)}});
    }
  }

  json::object out{{"model", json_fields::member_or(in, "model", "")}, {"messages", std::move(messages)}};
  if (auto* max = in.if_contains("max_tokens")) out["max_tokens"] = *max;  // absent when counting tokens
  for (const char* key : {"temperature", "top_p"})
    if (auto* v = in.if_contains(key); v && !v->is_null()) out[key] = *v;
  if (auto* stops = in.if_contains("stop_sequences"); stops && stops->is_array()) out["stop"] = *stops;
  if (auto* stream = in.if_contains("stream"); stream && stream->is_bool() && stream->get_bool()) {
    out["stream"] = true;
    out["stream_options"] = json::object{{"include_usage", true}};  // Anthropic streams always report usage
  }
  if (auto* metadata = in.if_contains("metadata"); metadata && metadata->is_object())
    if (auto user = string_field(metadata->get_object(), "user_id"); !user.empty())
      out["user"] = user_of_metadata(user);
  if (auto* thinking = in.if_contains("thinking"); thinking && thinking->is_object()) {
    int64_t budget = int_field(thinking->get_object(), "budget_tokens");
    if (string_field(thinking->get_object(), "type") == "enabled")
      out["reasoning_effort"] = openai_in::reasoning_effort_for(budget);
  }
  if (auto* tools = in.if_contains("tools"); tools && tools->is_array() && !tools->get_array().empty()) {
    json::array list;
    for (const auto& t : tools->get_array()) {
      if (!t.is_object() || string_field(t.get_object(), "name").empty())
        return invalid("tools: each tool needs a name");
      const auto& tool = t.get_object();
      json::object function{
          {"name", json_fields::member_or(tool, "name", "")},
          {"parameters", json_fields::member_or(tool, "input_schema", json::object{{"type", "object"}})}};
      if (auto* d = tool.if_contains("description")) function["description"] = *d;
      list.push_back(json::object{{"type", "function"}, {"function", std::move(function)}});
    }
    out["tools"] = std::move(list);
  }
  if (auto* choice = in.if_contains("tool_choice"); choice && choice->is_object()) {
    const auto& c = choice->get_object();
    std::string_view type = string_field(c, "type");
    if (type == "auto")
      out["tool_choice"] = "auto";
    else if (type == "any")
      out["tool_choice"] = "required";
    else if (type == "none")
      out["tool_choice"] = "none";
    else if (type == "tool")
      out["tool_choice"] = json::object{{"type", "function"}, {"function", {{"name", string_field(c, "name")}}}};
    if (auto* p = c.if_contains("disable_parallel_tool_use"); p && p->is_bool() && p->get_bool())
      out["parallel_tool_calls"] = false;
  }
  return out;
}

std::variant<std::string, Error> anthropic_response_from_openai(std::string_view completion_body,
                                                                std::string_view model) {
  auto read = read_chat_completion(completion_body);
  if (auto* error = std::get_if<Error>(&read)) return *error;
  const ChatChunk& answer = std::get<ChatChunk>(read);
  const json::object& completion = answer.object();
  boost::system::error_code ec;
  const json::object& message = answer.message();

  json::array content;
  ReasoningToken signatures;  // Gemini's signatures of the calls, for a thinking block first
  if (auto text = string_field(message, "content"); !text.empty())
    content.push_back(json::object{{"type", "text"}, {"text", text}});
  if (auto* calls = message.if_contains("tool_calls"); calls && calls->is_array())
    for (const auto& c : calls->get_array()) {
      if (!c.is_object()) continue;
      const auto& call = c.get_object();
      if (auto signature = string_field(call, "thought_signature"); !signature.empty())
        signatures.call_signatures.emplace_back(string_field(call, "id"), signature);
      const json::object& function = json_fields::object_field(call, "function");
      json::value input = parse_json(string_field(function, "arguments"), ec);
      if (ec || !input.is_object()) input = json::object{};
      content.push_back(json::object{{"type", "tool_use"},
                                     {"id", string_field(call, "id")},
                                     {"name", string_field(function, "name")},
                                     {"input", input}});
    }
  if (!signatures.call_signatures.empty())  // as the stream sends it: a thinking block of its own, first
    content.insert(
        content.begin(),
        json::object{{"type", "thinking"}, {"thinking", ""}, {"signature", write_reasoning_token(signatures)}});
  json::object usage = usage_json(0, 0, 0, 0);
  if (auto* u = completion.if_contains("usage"); u && u->is_object()) usage = usage_from_openai(u->get_object());
  std::string id(string_field(completion, "id"));
  return serialize_json(json::object{{"id", id.empty() ? "msg_switchyard" : id},
                                     {"type", "message"},
                                     {"role", "assistant"},
                                     {"model", model},
                                     {"content", std::move(content)},
                                     {"stop_reason", finish_to_stop_reason(answer.finish_reason())},
                                     {"stop_sequence", nullptr},
                                     {"usage", std::move(usage)}});
}

std::unique_ptr<StreamTranslator> anthropic_stream_from_openai(std::string model) {
  return std::make_unique<AnthropicFromOpenAIStream>(std::move(model));
}

std::string anthropic_error_body(const Error& error) {
  return serialize_json(
      json::object{{"type", "error"}, {"error", {{"type", error_type(error.status)}, {"message", error.message}}}});
}

std::string anthropic_error_event(const Error& error) {
  return "event: error\ndata: " + anthropic_error_body(error) + "\n\n";
}

}  // namespace switchyard
