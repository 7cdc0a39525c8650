// OpenAI chat answers and embeddings (stamped by the meter) -> what @ai-sdk/gateway reads: the
// generate result, the stream parts, the embed result and the error body, in the shapes of the
// LanguageModel specification version the client speaks (docs/vercel-gateway-protocol.md §3-6, 12).
#include <fmt/format.h>

#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <cmath>
#include <map>
#include <vector>

#include "translate/ai_gateway.h"
#include "translate/chat_chunk.h"
#include "translate/errors.h"
#include "translate/json_fields.h"
#include "translate/json_parse.h"

namespace switchyard {
namespace json = boost::json;
using json_fields::int_field;
using json_fields::object_field;
using json_fields::string_field;
using json_fields::token_count;
namespace {

// A chat finish_reason in the SDK's unified words.
const char* unified_finish_reason(std::string_view chat) {
  if (chat == "stop") return "stop";
  if (chat == "length") return "length";
  if (chat == "tool_calls" || chat == "function_call") return "tool-calls";
  if (chat == "content_filter") return "content-filter";
  return "other";
}

// v2: the unified reason as a string; v3/v4: {unified, raw}, raw left out when chat told none.
json::value finish_reason_json(std::string_view unified, std::string_view raw, SpecVersion version) {
  if (version == SpecVersion::v2) return json::value(unified);
  json::object reason{{"unified", unified}};
  if (!raw.empty()) reason["raw"] = raw;
  return reason;
}

json::value number_or_null(std::optional<int64_t> number) { return number ? json::value(*number) : json::value(); }

// `total` less two counts it includes, never below 0; null when the total is unknown.
json::value rest_of(std::optional<int64_t> total, int64_t first, int64_t second) {
  if (!total) return nullptr;
  return std::max<int64_t>(0, std::max<int64_t>(0, *total - first) - second);
}

// v3/v4 usage, read as @ai-sdk/openai reads chat usage (so a client sees what it would see calling
// OpenAI): details an answer leaves out are 0, a cache write it does not tell is unknown.
json::object nested_usage(const json::object& usage) {
  const json::object& input_details = object_field(usage, "prompt_tokens_details");
  const json::object& output_details = object_field(usage, "completion_tokens_details");
  std::optional<int64_t> input = token_count(usage, "prompt_tokens"), output = token_count(usage, "completion_tokens");
  std::optional<int64_t> cache_write = token_count(input_details, "cache_write_tokens");
  int64_t cache_read = token_count(input_details, "cached_tokens").value_or(0);
  int64_t reasoning = token_count(output_details, "reasoning_tokens").value_or(0);
  return {{"inputTokens",
           {{"total", number_or_null(input)},
            {"noCache", rest_of(input, cache_read, cache_write.value_or(0))},
            {"cacheRead", cache_read},
            {"cacheWrite", number_or_null(cache_write)}}},
          {"outputTokens",
           {{"total", number_or_null(output)}, {"text", rest_of(output, reasoning, 0)}, {"reasoning", reasoning}}}};
}

// v2 usage: flat, the optional details present only when the answer tells them.
json::object flat_usage(const json::object& usage) {
  std::optional<int64_t> input = token_count(usage, "prompt_tokens"), output = token_count(usage, "completion_tokens");
  json::value total = input && output ? json::value(*input + *output) : json::value();  // counts are bounded
  json::object flat{
      {"inputTokens", number_or_null(input)}, {"outputTokens", number_or_null(output)}, {"totalTokens", total}};
  if (auto reasoning = token_count(object_field(usage, "completion_tokens_details"), "reasoning_tokens"))
    flat["reasoningTokens"] = *reasoning;
  if (auto cached = token_count(object_field(usage, "prompt_tokens_details"), "cached_tokens"))
    flat["cachedInputTokens"] = *cached;
  return flat;
}

// The usage in `version`'s shape; every count null when the answer told no usage (unknown, not 0).
json::object usage_json(const json::object* usage, SpecVersion version) {
  if (version == SpecVersion::v2)
    return usage ? flat_usage(*usage)
                 : json::object{{"inputTokens", nullptr}, {"outputTokens", nullptr}, {"totalTokens", nullptr}};
  if (usage) return nested_usage(*usage);
  return {{"inputTokens", {{"total", nullptr}, {"noCache", nullptr}, {"cacheRead", nullptr}, {"cacheWrite", nullptr}}},
          {"outputTokens", {{"total", nullptr}, {"text", nullptr}, {"reasoning", nullptr}}}};
}

// A finite `value` in decimal with no exponent ("0.0000123"), with the fewest digits that read back
// the same: the gateway's prices and costs are decimal strings.
std::string decimal_text(double value) {
  char buffer[32];  // the longest shortest form, "-1.2345678901234567e-308", fits
  auto written = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  std::string_view scientific(buffer, written.ptr - buffer);  // [-]d[.ddd]e(+|-)dd
  std::string out;
  if (scientific.starts_with('-')) {
    out += '-';
    scientific.remove_prefix(1);
  }
  const std::size_t e = scientific.find('e');
  std::string digits;
  for (char c : scientific.substr(0, e))
    if (c != '.') digits += c;
  std::string_view exponent_text = scientific.substr(e + 1);
  if (exponent_text.starts_with('+')) exponent_text.remove_prefix(1);
  int exponent = 0;
  std::from_chars(exponent_text.data(), exponent_text.data() + exponent_text.size(), exponent);
  const int point = exponent + 1;  // how many digits stand before the decimal point
  if (point <= 0) return out + "0." + std::string(-point, '0') + digits;
  if (static_cast<std::size_t>(point) >= digits.size()) return out + digits + std::string(point - digits.size(), '0');
  return out + digits.substr(0, point) + "." + digits.substr(point);
}

// usage.cost (USD, as the meter stamps it) as a decimal string; null when unpriced or not told.
json::value cost_text(const json::object* usage) {
  const json::value* cost = usage ? usage->if_contains("cost") : nullptr;
  if (!cost || !cost->is_number()) return nullptr;
  boost::system::error_code ec;
  const double value = cost->to_number<double>(ec);
  if (ec || !std::isfinite(value)) return nullptr;
  return json::value(decimal_text(value));
}

// providerMetadata.gateway: the generation id (the answer's id, as the meter stamped it) and cost.
json::object gateway_metadata(std::string_view generation_id, const json::object* usage) {
  return {{"generationId", generation_id.empty() ? json::value() : json::value(generation_id)},
          {"cost", cost_text(usage)}};
}

// A reasoning part, Anthropic's signature in providerMetadata (the SDK sends it back on the
// reasoning part's providerOptions.anthropic.signature).
json::object signature_metadata(std::string_view signature) { return {{"anthropic", {{"signature", signature}}}}; }

// A tool-call part: input is the arguments' JSON text; Gemini's signature of the call in
// providerMetadata.google.thoughtSignature (sent back on the call's providerOptions).
json::object tool_call_part(std::string_view id, std::string_view name, std::string_view input,
                            std::string_view thought_signature) {
  json::object part{{"type", "tool-call"}, {"toolCallId", id}, {"toolName", name}, {"input", input}};
  if (!thought_signature.empty()) part["providerMetadata"] = {{"google", {{"thoughtSignature", thought_signature}}}};
  return part;
}

// A chunk's `created` (Unix seconds) in ISO 8601 with milliseconds; empty when absent or outside
// the years 1970 to 9999. The date is worked out in whole days: fmt's chrono formatting goes
// through nanoseconds, which overflow after the year 2262.
std::string iso_time(const json::object& chunk) {
  constexpr int64_t kDay = 86400, kLastSecondOf9999 = 253402300799;
  const json::value* created = chunk.if_contains("created");
  if (!created || !created->is_int64() || created->get_int64() < 0 || created->get_int64() > kLastSecondOf9999)
    return {};
  const int64_t seconds = created->get_int64(), in_day = seconds % kDay;
  const std::chrono::year_month_day date{std::chrono::sys_days(std::chrono::days(seconds / kDay))};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()), in_day / 3600,
                     in_day / 60 % 60, in_day % 60);
}

// The gateway's error type for `error`, which picks the SDK's error class: a missing model and a
// missing other thing (a generation id, an unknown URL) are told apart by the code and the field.
const char* gateway_error_type(const Error& error) {
  if (error.kind == ErrorKind::unauthorized) return "authentication_error";
  if (error.kind == ErrorKind::not_found)
    return error.code == "model_not_found" && (error.param.empty() || error.param.starts_with("model"))
               ? "model_not_found"
               : "not_found";
  if (error.status == 429) return "rate_limit_exceeded";
  if (error.kind == ErrorKind::bad_request || (error.status >= 400 && error.status < 500))
    return "invalid_request_error";
  return "internal_server_error";
}

json::value code_or_null(const Error& error) { return error.code.empty() ? json::value() : json::value(error.code); }

void emit(std::string& out, const json::object& part) {
  out += "data: ";
  out += serialize_json(part);
  out += "\n\n";
}

class PartsFromChatStream final : public StreamTranslator {
 public:
  PartsFromChatStream(SpecVersion version, std::string model) : version_(version), model_(std::move(model)) {}

  std::optional<Error> on_event(const SseEvent& sse, std::string& out) override {
    if (finished_) return std::nullopt;  // nothing follows the finish part
    if (sse.data == "[DONE]") return finish(out);
    auto read = read_chat_chunk(sse.data);
    if (auto* error = std::get_if<Error>(&read)) return *error;
    const ChatChunk& chunk = std::get<ChatChunk>(read);
    start(out, chunk.object());
    if (const json::object* usage = chunk.usage()) usage_ = *usage;  // the usage-only chunk after the finish
    if (!chunk.choice()) return std::nullopt;
    const json::object& delta = chunk.delta();
    if (auto text = chat_reasoning(delta); !text.empty()) reasoning_delta(out, text);
    if (auto signature = string_field(delta, "reasoning_signature"); !signature.empty()) {
      open(out, Block::reasoning);  // a signature may come with no text (redacted thinking)
      signature_ += signature;
    }
    if (auto text = string_field(delta, "content"); !text.empty()) {
      open(out, Block::text);
      emit(out, {{"type", "text-delta"}, {"id", block_id_}, {"delta", text}});
    }
    if (auto* calls = delta.if_contains("tool_calls"); calls && calls->is_array())
      for (const auto& call : calls->get_array())
        if (call.is_object())
          if (auto error = tool_call_delta(out, call.get_object())) return error;
    if (auto reason = chunk.finish_reason(); !reason.empty()) finish_reason_ = reason;
    return std::nullopt;
  }

  // A chat stream ends with [DONE] (OpenAI-format hosts send it, the gateway's translations write
  // it): one that ends without it was cut, even after its finish reason, since the usage the
  // request is billed by comes after that.
  std::optional<Error> on_end(std::string&) override {
    if (finished_) return std::nullopt;
    return make_error(ErrorKind::upstream_failed, "the provider's stream ended before [DONE]");
  }

  // An error part (which `ai` raises as a StreamProviderError) and a finish part saying error,
  // with the usage seen so far.
  bool write_error(const Error& error, std::string& out) override {
    if (finished_) return true;  // the answer was complete; what broke after it changes nothing
    emit(out, {{"type", "error"},
               {"error",
                {{"message", error.message},
                 {"type", gateway_error_type(error)},
                 {"code", code_or_null(error)},
                 {"statusCode", error.status}}}});
    finish_part(out, "error", "");
    return true;
  }

 private:
  enum class Block { none, text, reasoning };
  struct ToolCall {
    std::string id, name, arguments, thought_signature;
  };

  void start(std::string& out, const json::object& chunk) {
    if (generation_id_.empty()) generation_id_ = string_field(chunk, "id");
    if (started_) return;
    started_ = true;
    emit(out, {{"type", "stream-start"}, {"warnings", json::array{}}});
    json::object metadata{{"type", "response-metadata"}};
    if (!generation_id_.empty()) metadata["id"] = generation_id_;
    metadata["modelId"] = model_;
    if (auto timestamp = iso_time(chunk); !timestamp.empty()) metadata["timestamp"] = timestamp;
    emit(out, metadata);
  }

  // Opens a text or reasoning block unless one of that kind is open, closing the open one.
  void open(std::string& out, Block block) {
    if (block_ == block) return;
    close(out);
    block_ = block;
    block_id_ = block == Block::text ? fmt::format("txt-{}", texts_++) : fmt::format("reasoning-{}", reasonings_++);
    emit(out, {{"type", block == Block::text ? "text-start" : "reasoning-start"}, {"id", block_id_}});
  }

  // Ends the open block; a reasoning block carries its signature on its end.
  void close(std::string& out) {
    if (block_ == Block::none) return;
    json::object end{{"type", block_ == Block::text ? "text-end" : "reasoning-end"}, {"id", block_id_}};
    if (!signature_.empty()) end["providerMetadata"] = signature_metadata(signature_);
    emit(out, end);
    signature_.clear();
    block_ = Block::none;
  }

  void reasoning_delta(std::string& out, std::string_view text) {
    // One signature covers one thinking block: text after it is the next block.
    if (block_ == Block::reasoning && !signature_.empty()) close(out);
    open(out, Block::reasoning);
    emit(out, {{"type", "reasoning-delta"}, {"id", block_id_}, {"delta", text}});
  }

  // One tool_calls delta: a call starts with its id and name (tool-input-start) at its chat index;
  // argument fragments follow (tool-input-delta). A new id at a known index is a new call.
  std::optional<Error> tool_call_delta(std::string& out, const json::object& call) {
    close(out);
    const json::object& function = object_field(call, "function");
    std::string_view id = string_field(call, "id");
    const int64_t index = int_field(call, "index");
    auto known = by_index_.find(index);
    if (known == by_index_.end() || (!id.empty() && id != calls_[known->second].id)) {
      if (id.empty()) return malformed_answer("a tool call's arguments came before its id");
      calls_.push_back(ToolCall{std::string(id), std::string(string_field(function, "name")), {}, {}});
      known = by_index_.insert_or_assign(index, calls_.size() - 1).first;
      emit(out, {{"type", "tool-input-start"}, {"id", id}, {"toolName", calls_.back().name}});
    }
    ToolCall& tool = calls_[known->second];
    if (auto signature = string_field(call, "thought_signature"); !signature.empty())
      tool.thought_signature = signature;
    if (auto arguments = string_field(function, "arguments"); !arguments.empty()) {
      tool.arguments += arguments;
      emit(out, {{"type", "tool-input-delta"}, {"id", tool.id}, {"delta", arguments}});
    }
    return std::nullopt;
  }

  // The end of the answer: open blocks closed, each call's tool-input-end and tool-call, then the
  // finish part. A stream that never told its finish reason was cut short.
  std::optional<Error> finish(std::string& out) {
    if (finish_reason_.empty())
      return make_error(ErrorKind::upstream_failed, "the provider's stream ended before its finish reason");
    close(out);
    for (const ToolCall& call : calls_) {
      emit(out, {{"type", "tool-input-end"}, {"id", call.id}});
      emit(out, tool_call_part(call.id, call.name, call.arguments, call.thought_signature));
    }
    finish_part(out, unified_finish_reason(finish_reason_), finish_reason_);
    return std::nullopt;
  }

  void finish_part(std::string& out, std::string_view unified, std::string_view raw) {
    const json::object* usage = usage_ ? &*usage_ : nullptr;
    emit(out, {{"type", "finish"},
               {"finishReason", finish_reason_json(unified, raw, version_)},
               {"usage", usage_json(usage, version_)},
               {"providerMetadata", {{"gateway", gateway_metadata(generation_id_, usage)}}}});
    finished_ = true;
  }

  SpecVersion version_;
  std::string model_;
  std::string generation_id_;  // the chunks' id
  bool started_ = false, finished_ = false;
  Block block_ = Block::none;
  std::string block_id_, signature_;  // the open block's id, and the signature of its reasoning
  int texts_ = 0, reasonings_ = 0;    // blocks opened so far, for their ids
  std::vector<ToolCall> calls_;
  std::map<int64_t, std::size_t> by_index_;  // chat tool call index -> the latest call at it
  std::string finish_reason_;
  std::optional<json::object> usage_;
};

}  // namespace

std::variant<std::string, Error> generate_result_from_chat(std::string_view completion_body, SpecVersion version) {
  auto read = read_chat_completion(completion_body);
  if (auto* error = std::get_if<Error>(&read)) return *error;
  const ChatChunk& answer = std::get<ChatChunk>(read);
  const json::object& message = answer.message();
  json::array content;
  std::string_view reasoning = chat_reasoning(message), signature = string_field(message, "reasoning_signature");
  if (!reasoning.empty() || !signature.empty()) {
    json::object part{{"type", "reasoning"}, {"text", reasoning}};
    if (!signature.empty()) part["providerMetadata"] = signature_metadata(signature);
    content.push_back(std::move(part));
  }
  if (auto text = string_field(message, "content"); !text.empty())
    content.push_back(json::object{{"type", "text"}, {"text", text}});
  if (auto* calls = message.if_contains("tool_calls"); calls && calls->is_array())
    for (const auto& c : calls->get_array()) {
      if (!c.is_object()) continue;
      const json::object& call = c.get_object();
      const json::object& function = object_field(call, "function");
      content.push_back(tool_call_part(string_field(call, "id"), string_field(function, "name"),
                                       string_field(function, "arguments"), string_field(call, "thought_signature")));
    }
  json::object gateway = gateway_metadata(string_field(answer.object(), "id"), answer.usage());
  const json::object& stamped = object_field(object_field(answer.object(), "provider_metadata"), "gateway");
  if (const json::value* routing = stamped.if_contains("routing")) gateway["routing"] = *routing;
  std::string_view reason = answer.finish_reason();
  return serialize_json(
      json::object{{"content", std::move(content)},
                   {"finishReason", finish_reason_json(unified_finish_reason(reason), reason, version)},
                   {"usage", usage_json(answer.usage(), version)},
                   {"providerMetadata", {{"gateway", std::move(gateway)}}},
                   {"warnings", json::array{}}});
}

std::unique_ptr<StreamTranslator> stream_parts_from_chat(SpecVersion version, std::string model) {
  return std::make_unique<PartsFromChatStream>(version, std::move(model));
}

std::variant<std::string, Error> embed_result_from_openai(std::string_view body, std::string_view generation_id) {
  auto parsed = answer_object(body, "not a JSON object");
  if (auto* error = std::get_if<Error>(&parsed)) return *error;
  json::object& answer = std::get<json::object>(parsed);
  json::value* data = answer.if_contains("data");
  if (!data || !data->is_array()) return malformed_answer("no data list");
  json::array& items = data->get_array();
  json::array embeddings(items.size(), nullptr);
  for (std::size_t i = 0; i < items.size(); ++i) {
    json::object* item = items[i].if_object();
    json::value* vector = item ? item->if_contains("embedding") : nullptr;
    if (!json_fields::number_array(vector)) return malformed_answer("an embedding is not a list of numbers");
    int64_t place = static_cast<int64_t>(i);  // an item's index says where it goes; without one, where it is
    if (const json::value* index = item->if_contains("index")) place = index->is_int64() ? index->get_int64() : -1;
    if (place < 0 || place >= static_cast<int64_t>(items.size()) || !embeddings[place].is_null())
      return malformed_answer("the embeddings' indexes are not 0 to n-1, once each");
    embeddings[place] = std::move(*vector);
  }
  const json::value* usage = answer.if_contains("usage");
  const json::object* usage_object = usage ? usage->if_object() : nullptr;
  json::value tokens =
      usage_object ? json::value(json::object{{"tokens", number_or_null(token_count(*usage_object, "prompt_tokens"))}})
                   : json::value();
  return serialize_json(
      json::object{{"embeddings", std::move(embeddings)},
                   {"usage", std::move(tokens)},
                   {"providerMetadata", {{"gateway", gateway_metadata(generation_id, usage_object)}}}});
}

std::string ai_gateway_error_body(const Error& error, std::string_view generation_id) {
  std::string_view type = gateway_error_type(error);
  json::value param = nullptr;  // the SDK's GatewayModelNotFoundError reads the model from it
  if (type == "model_not_found" && !error.subject.empty()) param = json::object{{"modelId", error.subject}};
  return serialize_json(json::object{
      {"error",
       {{"message", error.message}, {"type", type}, {"param", std::move(param)}, {"code", code_or_null(error)}}},
      {"generationId", generation_id.empty() ? json::value() : json::value(generation_id)}});
}

}  // namespace switchyard
