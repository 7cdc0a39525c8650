#include "translate/anthropic_response.h"

#include <boost/json.hpp>
#include <map>

namespace switchyard {
namespace json = boost::json;
namespace {

int64_t number_at(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_int64() ? v->get_int64() : 0;
}

std::string string_at(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::string finish_reason(std::string_view stop_reason) {
  if (stop_reason == "max_tokens") return "length";
  if (stop_reason == "tool_use") return "tool_calls";
  if (stop_reason == "refusal") return "content_filter";
  return "stop";  // end_turn, stop_sequence, pause_turn
}

Error upstream_error(const json::object& event) {
  std::string message = "the provider reported an error";
  if (auto* error = event.if_contains("error"); error && error->is_object()) message = string_at(error->get_object(), "message");
  return make_error(ErrorKind::upstream_failed, "provider error in stream: " + message);
}

Error malformed(std::string_view what) {
  return make_error(ErrorKind::upstream_failed, "the provider's answer is malformed: " + std::string(what));
}

class AnthropicStream final : public StreamTranslator {
 public:
  AnthropicStream(int64_t created, bool include_usage)
      : writer_("", "", created), created_(created), include_usage_(include_usage) {}

  std::optional<Error> on_event(const SseEvent& event, std::string& out) override {
    boost::system::error_code ec;
    json::value parsed = json::parse(event.data, ec);
    if (ec || !parsed.is_object()) return malformed("an event is not a JSON object");
    const auto& data = parsed.get_object();
    std::string type = string_at(data, "type");
    if (type == "message_start") {
      const json::object message = data.contains("message") && data.at("message").is_object() ? data.at("message").get_object() : json::object{};
      writer_ = ChunkWriter(string_at(message, "id"), string_at(message, "model"), created_);
      if (auto* u = message.if_contains("usage"); u && u->is_object()) usage_ = usage_from_anthropic(u->get_object());
      writer_.role(out);
    } else if (type == "content_block_start") {
      const json::object block = data.contains("content_block") && data.at("content_block").is_object()
                                     ? data.at("content_block").get_object()
                                     : json::object{};
      if (string_at(block, "type") == "tool_use") {
        tool_index_[number_at(data, "index")] = next_tool_;
        writer_.tool_call_start(out, next_tool_++, string_at(block, "id"), string_at(block, "name"));
      }
    } else if (type == "content_block_delta") {
      const json::object delta = data.contains("delta") && data.at("delta").is_object() ? data.at("delta").get_object() : json::object{};
      std::string kind = string_at(delta, "type");
      if (kind == "text_delta") writer_.text(out, string_at(delta, "text"));
      else if (kind == "thinking_delta") writer_.reasoning(out, string_at(delta, "thinking"));
      else if (kind == "input_json_delta") {
        auto found = tool_index_.find(number_at(data, "index"));
        if (found == tool_index_.end()) return malformed("input_json_delta for a block that is not a tool_use");
        writer_.tool_call_arguments(out, found->second, string_at(delta, "partial_json"));
      }
    } else if (type == "message_delta") {
      if (auto* d = data.if_contains("delta"); d && d->is_object()) finish_ = finish_reason(string_at(d->get_object(), "stop_reason"));
      if (auto* u = data.if_contains("usage"); u && u->is_object()) {
        // message_delta carries cumulative counts; input counts appear here on newer API versions.
        TokenUsage late = usage_from_anthropic(u->get_object());
        usage_.output = late.output;
        if (late.input) usage_ = TokenUsage{late.input, late.output, late.cache_read, late.cache_write, 0};
      }
    } else if (type == "message_stop") {
      writer_.finish(out, finish_.empty() ? "stop" : finish_);
      if (include_usage_) writer_.usage(out, usage_);
      ChunkWriter::done(out);
      finished_ = true;
    } else if (type == "error") {
      return upstream_error(data);
    }
    // ping and unknown event types are ignored, as Anthropic asks of clients.
    return std::nullopt;
  }

  std::optional<Error> on_end(std::string&) override {
    if (finished_) return std::nullopt;
    return make_error(ErrorKind::upstream_failed, "the provider's stream ended before message_stop");
  }

 private:
  ChunkWriter writer_;
  int64_t created_ = 0;
  bool include_usage_;
  TokenUsage usage_;
  std::string finish_;
  std::map<int64_t, int> tool_index_;  // Anthropic content block index -> OpenAI tool call index
  int next_tool_ = 0;
  bool finished_ = false;
};

}  // namespace

TokenUsage usage_from_anthropic(const json::object& usage) {
  TokenUsage u;
  u.cache_read = number_at(usage, "cache_read_input_tokens");
  u.cache_write = number_at(usage, "cache_creation_input_tokens");
  u.input = number_at(usage, "input_tokens") + u.cache_read + u.cache_write;
  u.output = number_at(usage, "output_tokens");
  return u;
}

std::variant<std::string, Error> openai_response_from_anthropic(std::string_view body, int64_t created) {
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (ec || !parsed.is_object()) return malformed("not a JSON object");
  const auto& message = parsed.get_object();
  auto* content = message.if_contains("content");
  if (!content || !content->is_array()) return malformed("no content array");

  CompletionOut out;
  out.id = string_at(message, "id");
  out.model = string_at(message, "model");
  out.created = created;
  std::string text;
  bool has_text = false;
  for (const auto& b : content->get_array()) {
    if (!b.is_object()) continue;
    const auto& block = b.get_object();
    std::string type = string_at(block, "type");
    if (type == "text") {
      text += string_at(block, "text");
      has_text = true;
    } else if (type == "thinking") {
      out.reasoning += string_at(block, "thinking");
    } else if (type == "tool_use") {
      json::value input = block.contains("input") ? block.at("input") : json::object{};
      out.tool_calls.push_back(ToolCallOut{string_at(block, "id"), string_at(block, "name"), json::serialize(input)});
    }
  }
  if (has_text || out.tool_calls.empty()) out.content = std::move(text);
  out.finish_reason = finish_reason(string_at(message, "stop_reason"));
  if (auto* usage = message.if_contains("usage"); usage && usage->is_object()) out.usage = usage_from_anthropic(usage->get_object());
  return completion_body(out);
}

std::unique_ptr<StreamTranslator> openai_stream_from_anthropic(int64_t created, bool include_usage) {
  return std::make_unique<AnthropicStream>(created, include_usage);
}

}  // namespace switchyard
