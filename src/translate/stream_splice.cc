#include "translate/stream_splice.h"

#include <boost/json.hpp>

#include "translate/chat_chunk.h"
#include "translate/json_fields.h"
#include "translate/json_parse.h"
#include "translate/sse_events.h"

namespace switchyard {
namespace json = boost::json;
namespace {

constexpr std::string_view kWhitespace = " \t\r\n";

// The delta's keys that carry reasoning (OpenAI-compatible hosts' and this gateway's own).
constexpr std::string_view kReasoningKeys[] = {"reasoning", "reasoning_content", "reasoning_signature"};

using json_fields::int_field;
using json_fields::string_field;

// Whether a chunk still says anything once a continuation's rewriting has emptied its delta.
bool says_something(const json::object& chunk) {
  if (const json::value* usage = chunk.if_contains("usage"); usage && usage->is_object()) return true;
  const json::value* choices = chunk.if_contains("choices");
  if (!choices || !choices->is_array()) return false;
  for (const json::value& choice : choices->get_array()) {
    if (!choice.is_object()) continue;
    const json::object& c = choice.get_object();
    if (const json::value* finish = c.if_contains("finish_reason"); finish && !finish->is_null()) return true;
    if (const json::value* delta = c.if_contains("delta"); delta && delta->is_object() && !delta->get_object().empty())
      return true;
  }
  return false;
}

}  // namespace

std::pair<std::string, std::string> split_trailing_whitespace(std::string_view text) {
  std::size_t end = text.find_last_not_of(kWhitespace);
  std::size_t keep = end == std::string_view::npos ? 0 : end + 1;
  return {std::string(text.substr(0, keep)), std::string(text.substr(keep))};
}

StreamSplice::StreamSplice(std::unique_ptr<StreamTranslator> downstream) : downstream_(std::move(downstream)) {}

void StreamSplice::attempt(std::unique_ptr<StreamTranslator> to_openai) { to_openai_ = std::move(to_openai); }

std::optional<Error> StreamSplice::on_event(const SseEvent& event, std::string& out) {
  if (!to_openai_) return pass(event.data, out);
  middle_.clear();
  auto error = to_openai_->on_event(event, middle_);
  // The chunks made before a reported error still go out: the client has them either way.
  for (const auto& chunk : parse_sse_events(middle_))
    if (auto failed = pass(chunk.data, out)) return failed;
  return error;
}

std::optional<Error> StreamSplice::on_end(std::string& out) {
  if (to_openai_) {
    middle_.clear();
    auto error = to_openai_->on_end(middle_);
    for (const auto& chunk : parse_sse_events(middle_))
      if (auto failed = pass(chunk.data, out)) return failed;
    if (error) return error;
  }
  if (!finished_)
    return make_error(ErrorKind::upstream_failed, "the provider's stream ended before the answer was complete");
  return downstream_ ? downstream_->on_end(out) : std::nullopt;
}

bool StreamSplice::write_error(const Error& error, std::string& out) {
  return downstream_ && downstream_->write_error(error, out);
}

std::optional<Error> StreamSplice::pass(const std::string& data, std::string& out) {
  if (data == "[DONE]") {
    if (!finished_)
      return make_error(ErrorKind::upstream_failed, "the provider's stream ended before the answer was complete");
    return forward(data, out);
  }
  auto read = read_chat_chunk(data);
  if (auto* error = std::get_if<Error>(&read)) return *error;
  json::object chunk = std::get<ChatChunk>(std::move(read)).object();
  if (!identity_known_) {
    identity_known_ = true;
    id_ = string_field(chunk, "id");
    model_ = string_field(chunk, "model");
    fingerprint_ = string_field(chunk, "system_fingerprint");
    created_ = int_field(chunk, "created");
  }
  if (json::value* choices = chunk.if_contains("choices"); choices && choices->is_array()) {
    for (json::value& choice : choices->get_array()) {
      if (!choice.is_object()) continue;
      json::object& c = choice.get_object();
      if (int_field(c, "index") != 0) other_choice_ = true;
      if (!string_field(c, "finish_reason").empty()) finished_ = true;
      json::value* delta_value = c.if_contains("delta");
      if (!delta_value || !delta_value->is_object()) continue;
      json::object& delta = delta_value->get_object();
      if (continuing_) {
        delta.erase("role");
        for (std::string_view key : kReasoningKeys) delta.erase(key);
      } else {
        for (std::string_view key : kReasoningKeys)
          if (!string_field(delta, key).empty()) reasoning_open_ = true;
      }
      if (const json::value* calls = delta.if_contains("tool_calls");
          calls && calls->is_array() && !calls->get_array().empty())
        tool_call_ = true;
      if (!string_field(delta, "refusal").empty()) refusal_ = true;
      std::string_view text = string_field(delta, "content");
      if (text.empty()) continue;
      json::value* content = delta.if_contains("content");
      if (continuing_ && !trim_.empty()) {
        // The whitespace the prefill lost: dropped as far as the continuation repeats it.
        std::size_t same = 0;
        while (same < trim_.size() && same < text.size() && trim_[same] == text[same]) ++same;
        bool settled = text.size() > same || same == trim_.size();  // the continuation's text went past it
        trim_ = settled ? std::string() : trim_.substr(same);
        text.remove_prefix(same);
        if (text.empty()) {
          delta.erase("content");
          continue;
        }
        *content = text;
      }
      text_ += content->get_string();
      reasoning_open_ = false;
    }
  }
  if (!continuing_) return forward(data, out);
  chunk["id"] = id_;
  chunk["model"] = model_;
  chunk["created"] = created_;
  if (!fingerprint_.empty()) chunk["system_fingerprint"] = fingerprint_;
  if (json::value* usage = chunk.if_contains("usage"); usage && usage->is_object()) {
    json::object& u = usage->get_object();
    u["prompt_tokens"] = int_field(u, "prompt_tokens") + carried_.input_tokens;
    u["completion_tokens"] = int_field(u, "completion_tokens") + carried_.output_tokens;
    u["total_tokens"] = int_field(u, "total_tokens") + carried_.input_tokens + carried_.output_tokens;
  }
  if (!says_something(chunk)) return std::nullopt;
  return forward(serialize_json(chunk), out);
}

std::optional<Error> StreamSplice::forward(std::string_view data, std::string& out) {
  if (!downstream_) {
    append_sse_event(out, {}, data);
    return std::nullopt;
  }
  SseEvent event{{}, std::string(data)};
  return downstream_->on_event(event, out);
}

StreamSplice::CutPoint StreamSplice::cut_point() const {
  CutPoint point;
  point.text = text_;
  if (finished_)
    point.why_not = "the answer had finished";
  else if (tool_call_)
    point.why_not = "a tool call had begun";
  else if (refusal_)
    point.why_not = "a refusal had begun";
  else if (other_choice_)
    point.why_not = "the answer has more than one choice";
  else if (reasoning_open_)
    point.why_not = "the provider was reasoning, which another provider cannot continue";
  point.continuable = point.why_not.empty();
  return point;
}

void StreamSplice::close(std::string& out) {
  if (downstream_) {
    if (auto error = downstream_->on_end(out)) write_error(*error, out);
    return;
  }
  append_sse_event(out, {}, "[DONE]");
}

void StreamSplice::continue_after_cut(std::string trimmed, Carried carried) {
  continuing_ = true;
  trim_ = std::move(trimmed);
  carried_.input_tokens += carried.input_tokens;
  carried_.output_tokens += carried.output_tokens;
}

}  // namespace switchyard
