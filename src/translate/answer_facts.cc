#include "translate/answer_facts.h"

#include <simdjson.h>

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <boost/container/small_vector.hpp>

namespace switchyard {
namespace {
namespace od = simdjson::ondemand;

int64_t int_or_zero(od::object& object, std::string_view key) {
  int64_t value = 0;
  if (object.find_field_unordered(key).get_int64().get(value)) return 0;
  return value;
}

// OpenAI's usage object; Anthropic's when `anthropic`. Both normalised (input counts cached tokens).
TokenUsage read_usage(od::object usage, bool anthropic) {
  TokenUsage u;
  if (anthropic) {
    u.cache_read = int_or_zero(usage, "cache_read_input_tokens");
    u.cache_write = int_or_zero(usage, "cache_creation_input_tokens");
    u.input = int_or_zero(usage, "input_tokens") + u.cache_read + u.cache_write;
    u.output = int_or_zero(usage, "output_tokens");
    return u;
  }
  u.input = int_or_zero(usage, "prompt_tokens");
  u.output = int_or_zero(usage, "completion_tokens");
  od::object details;
  if (!usage.find_field_unordered("prompt_tokens_details").get_object().get(details)) {
    u.cache_read = int_or_zero(details, "cached_tokens");
    u.cache_write = int_or_zero(details, "cache_write_tokens");
  }
  if (!usage.find_field_unordered("completion_tokens_details").get_object().get(details))
    u.reasoning = int_or_zero(details, "reasoning_tokens");
  return u;
}

std::string_view trimmed(std::string_view token) {
  while (!token.empty() && (token.back() == ' ' || token.back() == '\n' || token.back() == '\r' || token.back() == '\t'))
    token.remove_suffix(1);
  return token;
}

std::string string_or_empty(od::value value) {
  std::string_view text;
  if (value.get_string().get(text)) return {};
  return std::string(text);
}

}  // namespace

std::string openai_finish_reason(std::string_view stop_reason) {
  if (stop_reason == "end_turn" || stop_reason == "stop_sequence" || stop_reason == "pause_turn") return "stop";
  if (stop_reason == "max_tokens") return "length";
  if (stop_reason == "tool_use") return "tool_calls";
  if (stop_reason == "refusal") return "content_filter";
  return std::string(stop_reason);
}

std::optional<AnswerScan> scan_answer(AnswerFormat format, std::string_view json) {
  thread_local od::parser parser;
  thread_local std::string buffer;
  buffer.assign(json);
  buffer.reserve(json.size() + simdjson::SIMDJSON_PADDING);
  od::document doc;
  if (parser.iterate(buffer.data(), buffer.size(), buffer.capacity()).get(doc)) return std::nullopt;
  od::object root;
  if (doc.get_object().get(root)) return std::nullopt;
  const bool anthropic = format == AnswerFormat::anthropic;
  AnswerScan scan;
  auto offset_of = [&](std::string_view inside) { return static_cast<std::size_t>(inside.data() - buffer.data()); };
  for (auto field : root) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return std::nullopt;
    od::value value;
    if (field.value().get(value)) return std::nullopt;
    od::json_type type;
    if (value.type().get(type)) return std::nullopt;
    if (key == "id") {
      if (type == od::json_type::string) {
        std::string_view token = trimmed(value.raw_json_token());
        scan.id_offset = offset_of(token);
        scan.id_length = token.size();
      }
    } else if (key == "usage" && type == od::json_type::null) {
      // From the comma before the key (or, for a first member, to the comma after the value).
      // Found by walking back from the value (`field.key()` is gone once the value is taken).
      std::size_t value_at = offset_of(trimmed(value.raw_json_token()));
      std::size_t colon = buffer.find_last_not_of(" \t\r\n", value_at - 1);
      std::size_t key_close = buffer.find_last_not_of(" \t\r\n", colon - 1);
      std::size_t key_at = buffer.rfind('"', key_close - 1);
      std::size_t end = value_at + 4;
      std::size_t start = buffer.find_last_not_of(" \t\r\n", key_at - 1);
      if (buffer[start] != ',') {
        start = key_at;
        end = buffer.find_first_not_of(" \t\r\n", end);
        if (end != std::string::npos && buffer[end] == ',') ++end;
      }
      scan.null_usage_offset = start;
      scan.null_usage_length = end - start;
    } else if (key == "usage" || (anthropic && key == "message") || (anthropic && key == "delta")) {
      od::object object;
      if (value.get_object().get(object)) continue;
      if (key == "usage") {
        std::string_view raw;
        if (object.raw_json().get(raw)) continue;
        raw = trimmed(raw);
        scan.usage_offset = offset_of(raw);
        scan.usage_length = raw.size();
        object.reset();
        scan.usage = read_usage(object, anthropic);
      } else {
        // Anthropic's message_start carries the message (with usage); message_delta a stop_reason.
        for (auto inner : object) {
          std::string_view inner_key;
          if (inner.unescaped_key().get(inner_key)) break;
          od::object inner_usage;
          if (inner_key == "usage" && !inner.value().get_object().get(inner_usage))
            scan.usage = read_usage(inner_usage, true);
          else if (inner_key == "stop_reason")
            scan.finish_reason = openai_finish_reason(string_or_empty(inner.value()));
        }
      }
    } else if (anthropic && key == "stop_reason") {
      scan.finish_reason = openai_finish_reason(string_or_empty(value));
    } else if (!anthropic && key == "choices") {
      od::array choices;
      if (value.get_array().get(choices)) continue;
      for (auto choice : choices) {
        od::object object;
        if (choice.get_object().get(object)) break;
        std::string reason = string_or_empty(object.find_field_unordered("finish_reason"));
        if (!reason.empty()) scan.finish_reason = std::move(reason);
        break;  // the first choice decides
      }
    }
  }
  return scan;
}

void fold_event(AnswerFormat format, const AnswerScan& scan, AnswerFacts& facts) {
  if (!scan.finish_reason.empty()) facts.finish_reason = scan.finish_reason;
  if (!scan.usage) return;
  if (format == AnswerFormat::anthropic && facts.usage && scan.usage->input == 0) {
    facts.usage->output = scan.usage->output;  // message_delta: the final output count only
    return;
  }
  facts.usage = scan.usage;
}

std::string stamp_answer(std::string_view json, const AnswerScan& scan, std::string_view id, std::optional<double> cost,
                         bool drop_null_usage) {
  struct Edit {
    std::size_t offset, remove;
    std::string insert;
  };
  boost::container::small_vector<Edit, 3> edits;
  if (scan.id_length && !id.empty())
    edits.push_back({scan.id_offset, scan.id_length, boost::json::serialize(boost::json::string(id))});
  if (scan.usage_length && cost) {
    bool empty = json.substr(scan.usage_offset + 1, scan.usage_length - 2).find_first_not_of(" \t\r\n") == std::string_view::npos;
    edits.push_back({scan.usage_offset + scan.usage_length - 1, 0, fmt::format("{}\"cost\":{}", empty ? "" : ",", *cost)});
  }
  if (drop_null_usage && scan.null_usage_length) edits.push_back({scan.null_usage_offset, scan.null_usage_length, {}});
  std::sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) { return a.offset < b.offset; });
  std::string out;
  out.reserve(json.size() + 64);
  std::size_t at = 0;
  for (const auto& edit : edits) {
    out.append(json.substr(at, edit.offset - at));
    out += edit.insert;
    at = edit.offset + edit.remove;
  }
  out.append(json.substr(at));
  return out;
}

}  // namespace switchyard
