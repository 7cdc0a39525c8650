#include "translate/anthropic_response.h"

#include <boost/json.hpp>

#include <map>
#include "translate/errors.h"
#include "translate/json_fields.h"
#include "translate/json_parse.h"

namespace switchyard {
namespace json = boost::json;
using json_fields::int_field;
using json_fields::string_field;
namespace {

std::string finish_reason(std::string_view stop_reason) {
  if (stop_reason == "max_tokens") return "length";
  if (stop_reason == "tool_use") return "tool_calls";
  if (stop_reason == "refusal") return "content_filter";
  return "stop";  // end_turn, stop_sequence, pause_turn
}

class AnthropicStream final : public StreamTranslator {
 public:
  AnthropicStream(int64_t created, bool include_usage)
      : writer_("", "", created), created_(created), include_usage_(include_usage) {}

  std::optional<Error> on_event(const SseEvent& event, std::string& out) override {
    auto parsed = answer_object(event.data, "an event is not a JSON object");
    if (auto* error = std::get_if<Error>(&parsed)) return *error;
    const auto& data = std::get<json::object>(parsed);
    std::string type = std::string(string_field(data, "type"));
    if (type == "message_start") {
      const json::object& message = json_fields::object_field(data, "message");
      writer_ =
          ChunkWriter(std::string(string_field(message, "id")), std::string(string_field(message, "model")), created_);
      if (auto* u = message.if_contains("usage"); u && u->is_object()) usage_ = usage_from_anthropic(u->get_object());
      writer_.role(out);
    } else if (type == "content_block_start") {
      const json::object& block = json_fields::object_field(data, "content_block");
      if (std::string(string_field(block, "type")) == "tool_use") {
        tool_index_[int_field(data, "index")] = next_tool_;
        writer_.tool_call_start(out, next_tool_++, std::string(string_field(block, "id")),
                                std::string(string_field(block, "name")));
      }
    } else if (type == "content_block_delta") {
      const json::object& delta = json_fields::object_field(data, "delta");
      std::string kind = std::string(string_field(delta, "type"));
      if (kind == "text_delta")
        writer_.text(out, std::string(string_field(delta, "text")));
      else if (kind == "thinking_delta")
        writer_.reasoning(out, std::string(string_field(delta, "thinking")));
      else if (kind == "signature_delta")
        writer_.reasoning_signature(out, std::string(string_field(delta, "signature")));
      else if (kind == "input_json_delta") {
        auto found = tool_index_.find(int_field(data, "index"));
        if (found == tool_index_.end()) return malformed_answer("input_json_delta for a block that is not a tool_use");
        writer_.tool_call_arguments(out, found->second, std::string(string_field(delta, "partial_json")));
      }
    } else if (type == "message_delta") {
      if (auto* d = data.if_contains("delta"); d && d->is_object())
        finish_ = finish_reason(std::string(string_field(d->get_object(), "stop_reason")));
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
      return provider_stream_error(data);
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
  auto count = [&](std::string_view key) { return json_fields::token_count(usage, key).value_or(0); };
  TokenUsage u;  // counts clamped: the sum cannot overflow
  u.cache_read = count("cache_read_input_tokens");
  u.cache_write = count("cache_creation_input_tokens");
  u.input = count("input_tokens") + u.cache_read + u.cache_write;
  u.output = count("output_tokens");
  return u;
}

std::variant<std::string, Error> openai_response_from_anthropic(std::string_view body, int64_t created) {
  auto parsed = answer_object(body, "not a JSON object");
  if (auto* error = std::get_if<Error>(&parsed)) return *error;
  const auto& message = std::get<json::object>(parsed);
  auto* content = message.if_contains("content");
  if (!content || !content->is_array()) return malformed_answer("no content array");

  CompletionOut out;
  out.id = std::string(string_field(message, "id"));
  out.model = std::string(string_field(message, "model"));
  out.created = created;
  std::string text;
  bool has_text = false;
  for (const auto& b : content->get_array()) {
    if (!b.is_object()) continue;
    const auto& block = b.get_object();
    std::string type = std::string(string_field(block, "type"));
    if (type == "text") {
      text += std::string(string_field(block, "text"));
      has_text = true;
    } else if (type == "thinking") {
      // One signature covers one block: with several (interleaved thinking) none can go back whole.
      out.reasoning_signature = out.reasoning.empty() ? std::string(string_field(block, "signature")) : "";
      out.reasoning += std::string(string_field(block, "thinking"));
    } else if (type == "tool_use") {
      json::value input = json_fields::member_or(block, "input", json::object{});
      out.tool_calls.push_back(ToolCallOut{std::string(string_field(block, "id")),
                                           std::string(string_field(block, "name")), serialize_json(input)});
    }
  }
  if (has_text || out.tool_calls.empty()) out.content = std::move(text);
  out.finish_reason = finish_reason(std::string(string_field(message, "stop_reason")));
  if (auto* usage = message.if_contains("usage"); usage && usage->is_object())
    out.usage = usage_from_anthropic(usage->get_object());
  return completion_body(out);
}

std::unique_ptr<StreamTranslator> openai_stream_from_anthropic(int64_t created, bool include_usage) {
  return std::make_unique<AnthropicStream>(created, include_usage);
}

}  // namespace switchyard
