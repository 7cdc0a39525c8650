#include "translate/responses_answer.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <utility>
#include <vector>

#include "translate/chat_chunk.h"
#include "translate/errors.h"
#include "translate/json_fields.h"
#include "translate/json_parse.h"
#include "translate/reasoning_token.h"

namespace switchyard {
namespace json = boost::json;
using json_fields::int_field;
using json_fields::object_field;
using json_fields::string_field;
namespace {

// Chat usage -> Responses usage. Cache writes (a gateway extension on chat) stay beside
// cached_tokens so the cost read from the client's answer still counts them.
json::object usage_from_chat(const json::object& usage) {
  const json::object& in = object_field(usage, "prompt_tokens_details");
  const json::object& out = object_field(usage, "completion_tokens_details");
  auto count = [](const json::object& object, std::string_view key) {
    return json_fields::token_count(object, key).value_or(0);
  };
  int64_t input = count(usage, "prompt_tokens"), output = count(usage, "completion_tokens");
  json::object input_details{{"cached_tokens", count(in, "cached_tokens")}};
  if (int64_t written = count(in, "cache_write_tokens")) input_details["cache_write_tokens"] = written;
  return {{"input_tokens", input},
          {"input_tokens_details", std::move(input_details)},
          {"output_tokens", output},
          {"output_tokens_details", {{"reasoning_tokens", count(out, "reasoning_tokens")}}},
          {"total_tokens", input + output}};
}

bool is_custom_tool(const json::object& shell, std::string_view name) {
  if (auto* tools = shell.if_contains("tools"); tools && tools->is_array())
    for (const auto& tool : tools->get_array())
      if (tool.is_object() && string_field(tool.get_object(), "type") == "custom" &&
          string_field(tool.get_object(), "name") == name)
        return true;
  return false;
}

// A reasoning item: `token.text` as its summary; encrypted_content when the provider signed
// something (Anthropic's thinking, Gemini's function calls) that must come back with the turn.
json::object reasoning_item(std::string_view id, const ReasoningToken& token) {
  json::object item{{"type", "reasoning"}, {"id", id}, {"summary", json::array{}}};
  if (!token.text.empty()) item["summary"] = json::array{json::object{{"type", "summary_text"}, {"text", token.text}}};
  if (!token.signature.empty() || !token.call_signatures.empty())
    item["encrypted_content"] = write_reasoning_token(token);
  return item;
}

// The signatures Gemini put on a turn's function calls, kept in a reasoning item of their own.
json::object call_signatures_item(std::string_view id, std::vector<std::pair<std::string, std::string>> signatures) {
  return reasoning_item(id, ReasoningToken{{}, {}, std::move(signatures)});
}

json::object output_text(std::string_view text) {
  return {{"type", "output_text"}, {"text", text}, {"annotations", json::array{}}, {"logprobs", json::array{}}};
}

json::object refusal_part(std::string_view refusal) { return {{"type", "refusal"}, {"refusal", refusal}}; }

json::object message_item(std::string_view id, std::string_view status, json::array content) {
  return {{"type", "message"}, {"id", id}, {"status", status}, {"role", "assistant"}, {"content", std::move(content)}};
}

json::object call_item(const json::object& shell, std::string_view item_id, std::string_view call_id,
                       std::string_view name, std::string_view arguments, std::string_view status) {
  if (is_custom_tool(shell, name)) {  // a free-form tool gets its input back as text
    boost::system::error_code ec;
    json::value parsed = parse_json(arguments, ec);
    std::string_view input = !ec && parsed.is_object() ? string_field(parsed.get_object(), "input") : arguments;
    return {{"type", "custom_tool_call"},
            {"id", item_id},
            {"call_id", call_id},
            {"name", name},
            {"input", input},
            {"status", status}};
  }
  return {{"type", "function_call"}, {"id", item_id},   {"call_id", call_id}, {"name", name},
          {"arguments", arguments},  {"status", status}};
}

// status and incomplete_details for a chat finish_reason.
std::pair<std::string_view, json::value> outcome(std::string_view finish_reason) {
  if (finish_reason == "length") return {"incomplete", json::object{{"reason", "max_output_tokens"}}};
  if (finish_reason == "content_filter") return {"incomplete", json::object{{"reason", "content_filter"}}};
  return {"completed", nullptr};
}

// The whole response object: id first, then the request's echo, then what was answered.
json::object response_object(std::string_view id, const json::object& shell, int64_t created_at,
                             std::string_view status) {
  json::object response{{"id", id}, {"created_at", created_at}};
  for (const auto& [key, value] : shell)
    if (key != "id") response[key] = value;
  response["status"] = status;
  response["completed_at"] = nullptr;
  response["error"] = nullptr;
  response["incomplete_details"] = nullptr;
  response["output"] = json::array{};
  response["usage"] = nullptr;
  return response;
}

// The response's id: the shell's (the gateway's generation id), else the chat answer's.
std::string response_id(const json::object& shell, std::string_view chat_id) {
  if (auto id = string_field(shell, "id"); !id.empty()) return std::string(id);
  return chat_id.empty() ? std::string("resp_switchyard") : std::string(chat_id);
}

// An output item's id: its kind, the response id and its place, so that an item_reference to it
// finds its response.
std::string item_id(std::string_view kind, std::string_view response, std::size_t index) {
  return fmt::format("{}_{}_{}", kind, response, index);
}

class ResponsesFromChatStream final : public StreamTranslator {
 public:
  ResponsesFromChatStream(json::object shell, int64_t created_at) : shell_(std::move(shell)), created_at_(created_at) {}

  std::optional<Error> on_event(const SseEvent& sse, std::string& out) override {
    if (finished_) return std::nullopt;  // nothing follows response.completed
    if (sse.data == "[DONE]") return finish(out);
    auto read = read_chat_chunk(sse.data);
    if (auto* error = std::get_if<Error>(&read)) return *error;
    const ChatChunk& chunk = std::get<ChatChunk>(read);
    start(out, string_field(chunk.object(), "id"));
    if (const auto* usage = chunk.usage()) response_["usage"] = usage_from_chat(*usage);
    if (!chunk.choice()) return std::nullopt;
    {
      const auto& d = chunk.delta();
      if (auto text = chat_reasoning(d); !text.empty()) reasoning_delta(out, text);
      if (auto signature = string_field(d, "reasoning_signature"); !signature.empty()) {
        if (open(out, Kind::reasoning, -1)) begin_reasoning(out);  // signed with no text (redacted)
        signature_ += signature;
      }
      if (auto text = string_field(d, "content"); !text.empty()) text_delta(out, text);
      if (auto refusal = string_field(d, "refusal"); !refusal.empty()) refusal_delta(out, refusal);
      if (auto* calls = d.if_contains("tool_calls"); calls && calls->is_array())
        for (const auto& c : calls->get_array())
          if (c.is_object()) tool_call_delta(out, c.get_object());
    }
    if (auto reason = chunk.finish_reason(); !reason.empty()) finish_reason_ = reason;
    return std::nullopt;
  }

  std::optional<Error> on_end(std::string&) override {
    if (finished_) return std::nullopt;
    return make_error(ErrorKind::upstream_failed, "the provider's stream ended before [DONE]");
  }

  bool write_error(const Error& error, std::string& out) override {
    if (!started_) return false;
    if (finished_) return true;  // the answer was complete; what broke after it changes nothing
    close(out, "incomplete");
    json::object response = response_;
    response["status"] = "failed";
    response["error"] =
        json::object{{"code", error.code.empty() ? "server_error" : error.code}, {"message", error.message}};
    emit(out, "response.failed", {{"response", std::move(response)}});
    // Then an `error` event too: clients that stop at response.failed (Codex) have all they need,
    // and those that only raise on `error` (the openai SDK's stream, LangChain) still raise.
    out += responses_error_event(error, sequence_++);
    return true;
  }

 private:
  enum class Kind { none, reasoning, message, refusal, call };

  void emit(std::string& out, std::string_view type, const json::object& fields) {
    json::object event{{"type", type}, {"sequence_number", sequence_++}};
    for (const auto& [key, value] : fields) event[key] = value;
    out += fmt::format("event: {}\ndata: {}\n\n", type, serialize_json(event));
  }

  void start(std::string& out, std::string_view chat_id) {
    if (started_) return;
    started_ = true;
    id_ = response_id(shell_, chat_id);
    response_ = response_object(id_, shell_, created_at_, "in_progress");
    emit(out, "response.created", {{"response", response_}});
    emit(out, "response.in_progress", {{"response", response_}});
  }

  json::array& output() { return response_["output"].get_array(); }

  // Opens an item of `kind` (for calls: the chat tool call index `tool`), closing the open one.
  bool open(std::string& out, Kind kind, int64_t tool) {
    if (kind_ == kind && tool_ == tool) return false;
    close(out);
    kind_ = kind;
    tool_ = tool;
    item_id_ = item_id(kind == Kind::reasoning ? "rs" : kind == Kind::call ? "fc" : "msg", id_, output().size());
    text_.clear();
    signature_.clear();
    return true;
  }

  void reasoning_delta(std::string& out, std::string_view delta) {
    // One signature covers one thinking block: text after it is the next block, a new item.
    if (kind_ == Kind::reasoning && !signature_.empty()) close(out);
    if (open(out, Kind::reasoning, -1)) begin_reasoning(out);
    text_ += delta;
    emit(out, "response.reasoning_summary_text.delta",
         {{"item_id", item_id_}, {"output_index", index()}, {"summary_index", 0}, {"delta", delta}});
  }

  void begin_reasoning(std::string& out) {
    emit(out, "response.output_item.added", {{"output_index", index()}, {"item", reasoning_item(item_id_, {})}});
    emit(out, "response.reasoning_summary_part.added",
         {{"item_id", item_id_},
          {"output_index", index()},
          {"summary_index", 0},
          {"part", {{"type", "summary_text"}, {"text", ""}}}});
    reasoning_open_ = true;
  }

  void text_delta(std::string& out, std::string_view delta) {
    if (open(out, Kind::message, -1)) {
      emit(out, "response.output_item.added",
           {{"output_index", index()}, {"item", message_item(item_id_, "in_progress", json::array{})}});
      emit(out, "response.content_part.added",
           {{"item_id", item_id_}, {"output_index", index()}, {"content_index", 0}, {"part", output_text("")}});
    }
    text_ += delta;
    emit(out, "response.output_text.delta",
         {{"item_id", item_id_},
          {"output_index", index()},
          {"content_index", 0},
          {"delta", delta},
          {"logprobs", json::array{}}});
  }

  // A refusal (OpenAI's structured outputs) is a message of its own with one refusal part.
  void refusal_delta(std::string& out, std::string_view delta) {
    if (open(out, Kind::refusal, -1)) {
      emit(out, "response.output_item.added",
           {{"output_index", index()}, {"item", message_item(item_id_, "in_progress", json::array{})}});
      emit(out, "response.content_part.added",
           {{"item_id", item_id_}, {"output_index", index()}, {"content_index", 0}, {"part", refusal_part("")}});
    }
    text_ += delta;
    emit(out, "response.refusal.delta",
         {{"item_id", item_id_}, {"output_index", index()}, {"content_index", 0}, {"delta", delta}});
  }

  void tool_call_delta(std::string& out, const json::object& call) {
    const json::object& function = object_field(call, "function");
    if (open(out, Kind::call, int_field(call, "index"))) {
      call_id_ = string_field(call, "id");
      call_name_ = string_field(function, "name");
      if (auto signature = string_field(call, "thought_signature"); !signature.empty())
        call_signatures_.emplace_back(call_id_, signature);
      emit(out, "response.output_item.added",
           {{"output_index", index()}, {"item", call_item(shell_, item_id_, call_id_, call_name_, "", "in_progress")}});
    }
    if (auto arguments = string_field(function, "arguments"); !arguments.empty()) {
      text_ += arguments;
      emit(out, "response.function_call_arguments.delta",
           {{"item_id", item_id_}, {"output_index", index()}, {"delta", arguments}});
    }
  }

  // Ends the open item: its .done events, and the finished item kept for the final response;
  // `status` is incomplete when the stream broke off inside it.
  void close(std::string& out, std::string_view status = "completed") {
    json::object item;
    switch (kind_) {
      case Kind::none: return;
      case Kind::reasoning:
        if (!reasoning_open_) begin_reasoning(out);  // a signature with no text (redacted thinking)
        emit(out, "response.reasoning_summary_text.done",
             {{"item_id", item_id_}, {"output_index", index()}, {"summary_index", 0}, {"text", text_}});
        emit(out, "response.reasoning_summary_part.done",
             {{"item_id", item_id_},
              {"output_index", index()},
              {"summary_index", 0},
              {"part", {{"type", "summary_text"}, {"text", text_}}}});
        item = reasoning_item(item_id_, ReasoningToken{text_, signature_, {}});
        reasoning_open_ = false;
        break;
      case Kind::message:
        emit(out, "response.output_text.done",
             {{"item_id", item_id_},
              {"output_index", index()},
              {"content_index", 0},
              {"text", text_},
              {"logprobs", json::array{}}});
        emit(out, "response.content_part.done",
             {{"item_id", item_id_}, {"output_index", index()}, {"content_index", 0}, {"part", output_text(text_)}});
        item = message_item(item_id_, status, json::array{output_text(text_)});
        break;
      case Kind::refusal:
        emit(out, "response.refusal.done",
             {{"item_id", item_id_}, {"output_index", index()}, {"content_index", 0}, {"refusal", text_}});
        emit(out, "response.content_part.done",
             {{"item_id", item_id_}, {"output_index", index()}, {"content_index", 0}, {"part", refusal_part(text_)}});
        item = message_item(item_id_, status, json::array{refusal_part(text_)});
        break;
      case Kind::call:
        if (text_.empty()) text_ = "{}";
        emit(out, "response.function_call_arguments.done",
             {{"item_id", item_id_}, {"output_index", index()}, {"arguments", text_}});
        item = call_item(shell_, item_id_, call_id_, call_name_, text_, status);
        break;
    }
    emit(out, "response.output_item.done", {{"output_index", index()}, {"item", item}});
    output().push_back(std::move(item));
    kind_ = Kind::none;
    tool_ = -1;
  }

  int64_t index() { return static_cast<int64_t>(output().size()); }

  std::optional<Error> finish(std::string& out) {
    start(out, "");
    auto [status, details] = outcome(finish_reason_);
    close(out, status);  // the item the token limit or a filter cut short is incomplete too
    if (!call_signatures_.empty()) {
      json::object item = call_signatures_item(item_id("rs", id_, output().size()), std::move(call_signatures_));
      emit(out, "response.output_item.added", {{"output_index", index()}, {"item", item}});
      emit(out, "response.output_item.done", {{"output_index", index()}, {"item", item}});
      output().push_back(std::move(item));
    }
    response_["status"] = status;
    response_["incomplete_details"] = details;
    response_["completed_at"] = created_at_;
    // usage stays null when the provider told none: unknown, not zero.
    emit(out, status == "completed" ? "response.completed" : "response.incomplete", {{"response", response_}});
    finished_ = true;
    return std::nullopt;
  }

  json::object shell_;
  int64_t created_at_;
  json::object response_;  // the snapshot so far; its output holds the finished items
  std::string id_;
  int64_t sequence_ = 0;
  bool started_ = false, finished_ = false, reasoning_open_ = false;
  Kind kind_ = Kind::none;
  int64_t tool_ = -1;
  std::string item_id_, text_, signature_, call_id_, call_name_;
  std::vector<std::pair<std::string, std::string>> call_signatures_;  // Gemini's, by call id
  std::string finish_reason_;
};

class ResponsesPassThrough final : public StreamTranslator {
 public:
  std::optional<Error> on_event(const SseEvent& event, std::string& out) override {
    // The sequence number is read where OpenAI writes it, right after the type, without a parse.
    if (auto at = event.data.find("\"sequence_number\":"); at != std::string::npos) {
      const char* digits = event.data.c_str() + at + 18;
      int64_t value = std::strtoll(digits, nullptr, 10);
      // A number no stream reaches (up to LLONG_MAX, where strtoll stops) is not counted on: the
      // count must not overflow.
      if (value >= next_ && value < (int64_t{1} << 53)) next_ = value + 1;
    }
    std::string_view type = event.name;
    if (type.empty()) {  // unnamed: the type is in the data
      auto at = event.data.find("\"type\":\"");
      if (at != std::string::npos) type = std::string_view(event.data).substr(at + 8, 20);
    }
    ended_ = ended_ || type.starts_with("response.completed") || type.starts_with("response.incomplete") ||
             type.starts_with("response.failed") || type == "error" || type.starts_with("error\"");
    append_sse_event(out, event.name, event.data);
    return std::nullopt;
  }
  // A stream that stops without its final event was cut short, however cleanly it closed.
  std::optional<Error> on_end(std::string&) override {
    if (ended_) return std::nullopt;
    return make_error(ErrorKind::upstream_failed, "the provider's stream ended before its final event");
  }
  bool write_error(const Error& error, std::string& out) override {
    out += responses_error_event(error, next_++);
    return true;
  }

 private:
  int64_t next_ = 0;
  bool ended_ = false;  // response.completed, .incomplete, .failed or error was relayed
};

}  // namespace

std::variant<std::string, Error> response_from_chat(std::string_view completion_body, const json::object& shell,
                                                    int64_t created_at) {
  auto read = read_chat_completion(completion_body);
  if (auto* error = std::get_if<Error>(&read)) return *error;
  const ChatChunk& answer = std::get<ChatChunk>(read);
  const json::object& completion = answer.object();
  const json::object& message = answer.message();
  std::string id = response_id(shell, string_field(completion, "id"));
  auto [status, details] = outcome(answer.finish_reason());
  json::object response = response_object(id, shell, created_at, status);
  json::array& output = response["output"].get_array();
  auto reasoning = chat_reasoning(message);
  auto signature = string_field(message, "reasoning_signature");
  if (!reasoning.empty() || !signature.empty())
    output.push_back(
        reasoning_item(item_id("rs", id, 0), ReasoningToken{std::string(reasoning), std::string(signature), {}}));
  json::array parts;
  if (auto text = string_field(message, "content"); !text.empty()) parts.push_back(output_text(text));
  if (auto refusal = string_field(message, "refusal"); !refusal.empty()) parts.push_back(refusal_part(refusal));
  if (!parts.empty()) output.push_back(message_item(item_id("msg", id, output.size()), "completed", std::move(parts)));
  std::vector<std::pair<std::string, std::string>> call_signatures;
  if (auto* calls = message.if_contains("tool_calls"); calls && calls->is_array())
    for (const auto& c : calls->get_array()) {
      if (!c.is_object()) continue;
      const json::object& function = object_field(c.get_object(), "function");
      std::string_view arguments = string_field(function, "arguments");
      output.push_back(call_item(shell, item_id("fc", id, output.size()), string_field(c.get_object(), "id"),
                                 string_field(function, "name"), arguments.empty() ? "{}" : arguments, "completed"));
      if (auto signature = string_field(c.get_object(), "thought_signature"); !signature.empty())
        call_signatures.emplace_back(string_field(c.get_object(), "id"), signature);
    }
  // The item the token limit or a filter cut short (the last with a status) is incomplete too.
  if (status == "incomplete")
    for (auto item = output.rbegin(); item != output.rend(); ++item)
      if (auto* object = item->if_object(); object && object->contains("status")) {
        (*object)["status"] = "incomplete";
        break;
      }
  if (!call_signatures.empty())
    output.push_back(call_signatures_item(item_id("rs", id, output.size()), std::move(call_signatures)));
  response["incomplete_details"] = details;
  response["completed_at"] = created_at;
  if (auto* usage = completion.if_contains("usage"); usage && usage->is_object())
    response["usage"] = usage_from_chat(usage->get_object());  // else null: unknown, not zero
  return serialize_json(response);
}

std::unique_ptr<StreamTranslator> responses_stream_from_chat(json::object shell, int64_t created_at) {
  return std::make_unique<ResponsesFromChatStream>(std::move(shell), created_at);
}

std::unique_ptr<StreamTranslator> responses_stream_passthrough() { return std::make_unique<ResponsesPassThrough>(); }

std::string responses_error_event(const Error& error, int64_t sequence_number) {
  json::object event{{"type", "error"},
                     {"sequence_number", sequence_number},
                     {"error",
                      {{"type", openai_error_type(error.kind)},
                       {"code", error.code.empty() ? json::value(nullptr) : json::value(error.code)},
                       {"message", error.message},
                       {"param", error.param.empty() ? json::value(nullptr) : json::value(error.param)}}}};
  return "event: error\ndata: " + serialize_json(event) + "\n\n";
}

}  // namespace switchyard
